/**
 * The counter-based mulberry32 PRNG that fills every weight of the reference fixtures
 * (fixtures/reference/README.md §2). Any element can be computed on its own from (seed, k, j).
 *
 * @module
 */

/**
 * Raw 32-bit output of the fixture PRNG for element `j` of stream `k` under `seed`.
 *
 * @param seed unsigned 32-bit seed (JSON integers up to 2^32−1 are handled correctly)
 * @param k stream index (the tensor's index in `state_dict()` order)
 * @param j row-major flat index of the element
 * @returns an unsigned 32-bit integer
 *
 * @example
 * ```ts
 * import { prngBits } from "./prng.ts";
 * console.log(prngBits(0, 0, 0)); // 1144304738
 * ```
 */
export function prngBits(seed: number, k: number, j: number): number {
  const s = (seed ^ Math.imul(k, 0x9e3779b9)) >>> 0;
  // = mulberry32 state after j+1 steps
  const a = (s + Math.imul(j + 1, 0x6d2b79f5)) | 0;
  let t = Math.imul(a ^ (a >>> 15), a | 1);
  t = (t + Math.imul(t ^ (t >>> 7), t | 61)) ^ t;
  return (t ^ (t >>> 14)) >>> 0;
}

/**
 * Uniform value `bits · 2^-31 − 1` of the fixture PRNG, exact in float64, in [−1, 1).
 *
 * @param seed unsigned 32-bit seed
 * @param k stream index
 * @param j row-major flat index of the element
 * @returns a float64 in [−1, 1)
 *
 * @example
 * ```ts
 * import { prngU } from "./prng.ts";
 * const u = prngU(0, 0, 0); // -0.4671415826305747
 * console.log(u >= -1 && u < 1); // true
 * ```
 */
export function prngU(seed: number, k: number, j: number): number {
  return prngBits(seed, k, j) * 2 ** -31 - 1;
}

/** Options of {@linkcode prngFill}. */
export interface PrngFillOptions {
  /** Flat index of the first element produced (default 0): `out[i]` is element `start + i`. */
  start?: number;
}

/**
 * Fills `n` float32 values `fround(offset + scale · u(seed, k, j))` for j = start … start+n−1.
 * The float64 form `offset + scale * u` is kept exactly, since its rounding must match the fixtures.
 *
 * @param seed unsigned 32-bit seed
 * @param k stream index
 * @param n number of values
 * @param offset added after scaling
 * @param scale multiplies u
 * @param options `start`: flat index of the first value (default 0)
 * @returns a new Float32Array of length `n`
 *
 * @example
 * ```ts
 * import { prngFill } from "./prng.ts";
 * const runningVar = prngFill(1234, 7, 5, 1.25, 0.25);
 * console.log(runningVar.length, runningVar[4]); // 5 1.101892113685608
 * console.log(prngFill(1234, 7, 1, 1.25, 0.25, { start: 4 })[0]); // 1.101892113685608
 * ```
 */
export function prngFill(
  seed: number,
  k: number,
  n: number,
  offset: number,
  scale: number,
  options: PrngFillOptions = {},
): Float32Array {
  const start = options.start ?? 0;
  if (!Number.isSafeInteger(n) || n < 0) {
    throw new RangeError(`Fill length n=${n} is not a non-negative integer`);
  }
  if (!Number.isSafeInteger(start) || start < 0) {
    throw new RangeError(`Fill start=${start} is not a non-negative integer`);
  }
  const out = new Float32Array(n); // storing into a Float32Array is Math.fround
  for (let i = 0; i < n; i++) out[i] = offset + scale * prngU(seed, k, start + i);
  return out;
}
