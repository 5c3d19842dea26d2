/**
 * Tensor comparison for tests: max-abs difference with a tolerance, reporting where the worst element is.
 *
 * @module
 */

import { AssertionError } from "node:assert/strict";

/** Result of {@linkcode compareArrays}. */
export interface Comparison {
  maxAbs: number;
  index: number;
  actual: number;
  expected: number;
}

/**
 * Max-abs difference of two arrays of the same length (NaN anywhere counts as infinite).
 *
 * @param actual computed values
 * @param expected reference values
 * @returns the largest |actual − expected| and where it is
 */
export function compareArrays(actual: ArrayLike<number>, expected: ArrayLike<number>): Comparison {
  if (actual.length !== expected.length) {
    throw new AssertionError({ message: `Length ${actual.length} differs from expected ${expected.length}` });
  }
  let worst: Comparison = { maxAbs: 0, index: -1, actual: 0, expected: 0 };
  for (let i = 0; i < actual.length; i++) {
    const d = Math.abs(actual[i] - expected[i]);
    const diff = Number.isNaN(d) ? Infinity : d;
    if (diff > worst.maxAbs) worst = { maxAbs: diff, index: i, actual: actual[i], expected: expected[i] };
  }
  return worst;
}

/**
 * Asserts max |actual − expected| ≤ atol.
 *
 * @param actual computed values
 * @param expected reference values
 * @param atol absolute tolerance
 * @param what name of the compared tensor, for the message
 * @returns the max-abs difference
 */
export function assertClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  atol: number,
  what = "tensor",
): number {
  const c = compareArrays(actual, expected);
  if (!(c.maxAbs <= atol)) {
    throw new AssertionError({
      message:
        `${what}: max |Δ| = ${c.maxAbs} > ${atol} at flat index ${c.index} (got ${c.actual}, want ${c.expected})`,
    });
  }
  return c.maxAbs;
}

/**
 * Asserts max |actual − expected| ≤ relative × peak, where peak defaults to max |expected| (which must not be 0).
 *
 * @param actual computed values
 * @param expected reference values
 * @param relative tolerance relative to the peak
 * @param what name of the compared tensor, for the message
 * @param peak the scale to compare against (default max |expected|)
 * @returns the max-abs difference divided by the peak
 */
export function assertCloseRelative(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  relative: number,
  what: string,
  peak?: number,
): number {
  let reference = peak ?? 0;
  if (peak === undefined) {
    for (let i = 0; i < expected.length; i++) reference = Math.max(reference, Math.abs(expected[i]));
  }
  if (!(reference > 0)) throw new AssertionError({ message: `${what}: all-zero reference` });
  return assertClose(actual, expected, relative * reference, what) / reference;
}
