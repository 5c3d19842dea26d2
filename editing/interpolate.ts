/**
 * Real-image interpolation (paper §4.6): the w codes and every layer's ΔW of two inversions are interpolated
 * linearly, `(1 − t)·a + t·b`, so that t = 0 and t = 1 give back the two inversions exactly; the latent-only
 * baseline interpolates w and keeps ΔW = 0.
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
  const names = [...a.residuals.keys()];
  const missing = names.filter((n) => !b.residuals.has(n));
  if (missing.length || names.length !== b.residuals.size) {
    throw new TypeError(
      `The two inversions have different residual sets (e.g. ${missing[0] ?? "extra in b"})`,
    );
  }
  return Array.from({ length: steps }, (_, k) => {
    const t = k / (steps - 1);
    const residuals = new Map<string, Float32Array>();
    for (const name of names) {
      const ra = a.residuals.get(name)!, rb = b.residuals.get(name)!;
      residuals.set(name, options.latentOnly ? new Float32Array(ra.length) : lerp(ra, rb, t));
    }
    return { ws: lerp(a.ws, b.ws, t), residuals };
  });
}
