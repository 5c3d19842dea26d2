/**
 * Real-image interpolation (paper §4.6): the w codes and every layer's ΔW of two inversions are interpolated
 * linearly, `(1 − t)·a + t·b`, so that t = 0 and t = 1 give back the two inversions exactly; the latent-only
 * baseline interpolates w and keeps ΔW = 0. ΔW is affine in each regressor's code v (spec §4), and an affine
 * map commutes with convex combinations, so interpolating the codes ({@linkcode interpolateCodesAt}) and then
 * mapping them to ΔW (model/compact_inversion.ts `residualsFromCodes`) is exactly interpolating ΔW, at the cost
 * of D floats per layer instead of ΔW's millions.
 *
 * @module
 */

/**
 * `(1 − t)·a + t·b` elementwise (exact at both ends).
 *
 * @param a values at t = 0
 * @param b values at t = 1
 * @param t position
 * @returns the interpolated values
 * @example
 * ```ts
 * import { lerp } from "./interpolate.ts";
 * console.log(lerp(new Float32Array([0, 2]), new Float32Array([1, 4]), 0.5)); // Float32Array [0.5, 3]
 * ```
 */
export function lerp(a: Float32Array, b: Float32Array, t: number): Float32Array {
  if (a.length !== b.length) throw new TypeError(`Cannot interpolate ${a.length} values with ${b.length}`);
  if (!Number.isFinite(t)) throw new RangeError(`t must be finite, got ${t}`);
  const out = new Float32Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = (1 - t) * a[i] + t * b[i];
  return out;
}

/** One inversion as far as interpolation is concerned: its w codes and its residuals. */
export interface InversionCodes {
  /** [rows, wDim] of one image. */
  ws: Float32Array;
  /** ΔW per target, of one image. */
  residuals: ReadonlyMap<string, Float32Array>;
  /** The codes v by regressor key ([passes, D] each) when known (model/compact_inversion.ts). */
  codes?: ReadonlyMap<string, Float32Array> | null;
}

/** An inversion as its codes: w and every regressor's code v. */
export interface CompactCodes {
  /** [rows, wDim] of one image. */
  ws: Float32Array;
  /** v by regressor key, [passes, D] each. */
  codes: ReadonlyMap<string, Float32Array>;
}

/**
 * w and every code v at one t between a and b (exactly a at t = 0 and b at t = 1); ΔW of the result, computed
 * from its codes, is exactly the interpolation of the two ΔW (the mapper is affine).
 *
 * @param a the first inversion's codes
 * @param b the second inversion's codes
 * @param t position
 * @returns the interpolated w and codes
 * @throws {TypeError} when the two have different code sets or sizes
 * @example
 * ```ts
 * import { interpolateCodesAt } from "./interpolate.ts";
 * const a = { ws: new Float32Array([0]), codes: new Map([["b4_conv1_weight", new Float32Array([2, 0])]]) };
 * const b = { ws: new Float32Array([1]), codes: new Map([["b4_conv1_weight", new Float32Array([4, 8])]]) };
 * console.log(interpolateCodesAt(a, b, 0.25).codes.get("b4_conv1_weight")); // Float32Array [2.5, 2]
 * ```
 */
export function interpolateCodesAt(a: CompactCodes, b: CompactCodes, t: number): CompactCodes {
  const keys = [...a.codes.keys()];
  const missing = keys.find((key) => !b.codes.has(key));
  if (missing !== undefined || keys.length !== b.codes.size) {
    throw new TypeError(`The two inversions have different code sets (e.g. ${missing ?? "extra in b"})`);
  }
  const codes = new Map<string, Float32Array>();
  for (const key of keys) codes.set(key, lerp(a.codes.get(key)!, b.codes.get(key)!, t));
  return { ws: lerp(a.ws, b.ws, t), codes };
}

function checkSameResiduals(a: InversionCodes, b: InversionCodes): string[] {
  const names = [...a.residuals.keys()];
  const missing = names.filter((n) => !b.residuals.has(n));
  if (missing.length || names.length !== b.residuals.size) {
    throw new TypeError(
      `The two inversions have different residual sets (e.g. ${missing[0] ?? "extra in b"})`,
    );
  }
  return names;
}

/**
 * The codes at one t between a and b: w and every ΔW interpolated (exactly a at t = 0 and b at t = 1).
 *
 * @param a the first inversion
 * @param b the second inversion
 * @param t position
 * @returns the interpolated codes
 * @example
 * ```ts
 * import { interpolateAt } from "./interpolate.ts";
 * const a = { ws: new Float32Array([0]), residuals: new Map([["b4.conv1.weight", new Float32Array([2])]]) };
 * const b = { ws: new Float32Array([1]), residuals: new Map([["b4.conv1.weight", new Float32Array([4])]]) };
 * console.log(interpolateAt(a, b, 0.25).residuals.get("b4.conv1.weight")); // Float32Array [2.5]
 * ```
 */
export function interpolateAt(a: InversionCodes, b: InversionCodes, t: number): InversionCodes {
  const residuals = new Map<string, Float32Array>();
  for (const name of checkSameResiduals(a, b)) {
    residuals.set(name, lerp(a.residuals.get(name)!, b.residuals.get(name)!, t));
  }
  return { ws: lerp(a.ws, b.ws, t), residuals };
}

/**
 * `steps` codes from a to b (t = 0 … 1), interpolating w and every ΔW, or w alone (`latentOnly`: ΔW = 0, the
 * baseline of the paper's comparison).
 *
 * @param a the first inversion
 * @param b the second inversion
 * @param steps number of frames (≥ 2)
 * @param options `latentOnly`
 * @returns the frames
 */
export function interpolateInversions(
  a: InversionCodes,
  b: InversionCodes,
  steps: number,
  options: { latentOnly?: boolean } = {},
): InversionCodes[] {
  if (!Number.isInteger(steps) || steps < 2) {
    throw new RangeError(`steps must be an integer ≥ 2, got ${steps}`);
  }
  const names = checkSameResiduals(a, b);
  return Array.from({ length: steps }, (_, k) => {
    const t = k / (steps - 1);
    if (!options.latentOnly) return interpolateAt(a, b, t);
    const zeros = new Map(names.map((name) => [name, new Float32Array(a.residuals.get(name)!.length)]));
    return { ws: lerp(a.ws, b.ws, t), residuals: zeros };
  });
}
