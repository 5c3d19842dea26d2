/**
 * Random horizontal flips: the official phase-II train transform's `RandomHorizontalFlip(0.5)`
 * (configs/transforms_config.py), decided by a seeded hash of (step, position in the batch) so that a resumed run
 * flips exactly the images the uninterrupted run flipped.
 *
 * @module
 */

import { prngBits } from "../../io/prng.ts";

/**
 * Which images of a step's batch are flipped: each with probability ½, from (seed, step, position).
 *
 * @param seed the run's seed
 * @param step the step (1-based)
 * @param batch images in the batch
 * @returns one decision per image
 * @example
 * ```ts
 * import { flipDecisions } from "./horizontal_flip.ts";
 * const a = flipDecisions(2107, 5, 8);
 * console.log(a.length, String(a) === String(flipDecisions(2107, 5, 8))); // 8 true
 * ```
 */
export function flipDecisions(seed: number, step: number, batch: number): boolean[] {
  return Array.from({ length: batch }, (_, b) => prngBits(seed + 0x5f1, step, b) >>> 31 === 1);
}

/**
 * Mirrors the chosen images left–right, in place.
 *
 * @param images [B, C, H, W] row-major
 * @param shape [B, C, H, W]
 * @param flips one decision per image
 * @returns `images`
 * @throws {RangeError} when the shape does not match the data or the decisions
 * @example
 * ```ts
 * import { flipHorizontally } from "./horizontal_flip.ts";
 * const x = Float32Array.of(1, 2, 3, 4, 5, 6, 7, 8); // two 1×2×2 images
 * console.log(Array.from(flipHorizontally(x, [2, 1, 2, 2], [false, true]))); // [1, 2, 3, 4, 6, 5, 8, 7]
 * ```
 */
export function flipHorizontally(
  images: Float32Array,
  shape: readonly [number, number, number, number],
  flips: readonly boolean[],
): Float32Array {
  const [batch, channels, height, width] = shape;
  if (images.length !== batch * channels * height * width || flips.length !== batch) {
    throw new RangeError(
      `Flip: ${images.length} values and ${flips.length} decisions for images [${shape.join(", ")}]`,
    );
  }
  const perImage = channels * height * width;
  flips.forEach((flip, b) => {
    if (!flip) return;
    for (let row = 0; row < channels * height; row++) {
      images.subarray(b * perImage + row * width, b * perImage + (row + 1) * width).reverse();
    }
  });
  return images;
}
