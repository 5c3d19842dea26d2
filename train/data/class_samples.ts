/**
 * Sample images spread over the classes of a labelled test split (the ablation suites' and the site's sample
 * rows).
 *
 * @module
 */

/**
 * The first test image of `count` classes spread over the ten (class ⌊i·10/count⌋).
 *
 * @param labels test labels
 * @param count how many samples
 * @returns test indices (fewer than `count` when a class has no image)
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { sampleIndicesByClass } from "./class_samples.ts";
 * assert.deepEqual(sampleIndicesByClass(new Uint8Array([9, 0, 5, 0, 3]), 2), [1, 2]); // classes 0 and 5
 * ```
 */
export function sampleIndicesByClass(labels: Uint8Array, count: number): number[] {
  const indices: number[] = [];
  for (let i = 0; i < count; i++) {
    const wanted = Math.floor((i * 10) / count);
    const index = labels.indexOf(wanted);
    if (index >= 0) indices.push(index);
  }
  return indices;
}
