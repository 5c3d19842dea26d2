/**
 * Peak signal-to-noise ratio per image, the reconstruction metric of the evaluation scripts (spec §9).
 *
 * @module
 */

import type { GraphBuilder } from "../graph/builder.ts";
import type { Tensor } from "../graph/tensor.ts";
import { assertSameShape, nonBatchAxes } from "./_check.ts";

/** Options of {@linkcode psnr}. */
export interface PsnrOptions {
  /**
   * Data range R (max − min of the value scale). Default 2, for images in [−1, 1] as the generator outputs
   * them; use 1 for [0, 1] images and 255 for bytes. The same images give the same PSNR with the matching R.
   */
  dataRange?: number;
}

/**
 * PSNR of each image: 10·log10(R² / MSE_b), with MSE_b the mean over the sample's C·H·W elements. Identical
 * images give +∞ (log of 0 in the denominator), as the formula does.
 *
 * @param g graph builder
 * @param prediction images [B, …]
 * @param target images, the same shape
 * @param options data range (default 2: images in [−1, 1])
 * @returns per-image PSNR in dB [B]
 * @throws {TypeError} when the shapes differ or the input has no batch axis
 * @throws {RangeError} when the data range is not positive
 * @example
 * ```ts
 * import { GraphBuilder } from "../graph/builder.ts";
 * import { GraphSession } from "../runtime/session.ts";
 * import { psnr } from "./psnr.ts";
 * const g = new GraphBuilder("psnr");
 * g.output(psnr(g, g.input("a", [2, 2]), g.input("b", [2, 2])), "psnr"); // [2]
 * const { outputs } = await (await GraphSession.create(g)).run({
 *   a: new Float32Array([0, 0, 0, 0]),
 *   b: new Float32Array([0.2, 0.2, 2, 0]), // MSE 0.04 and 2: 10·log10(4/0.04) = 20 dB, 10·log10(4/2) ≈ 3 dB
 * });
 * console.log(Array.from(outputs.psnr.data as Float32Array, (v) => v.toFixed(2))); // ["20.00", "3.01"]
 * ```
 */
export function psnr(g: GraphBuilder, prediction: Tensor, target: Tensor, options: PsnrOptions = {}): Tensor {
  assertSameShape(prediction, target, "PSNR");
  if (prediction.rank < 2) {
    throw new TypeError(
      `PSNR: "${prediction.name}" needs a batch axis and at least one more, got rank ${prediction.rank}`,
    );
  }
  const range = options.dataRange ?? 2;
  if (!(range > 0)) throw new RangeError(`PSNR data range must be positive, got ${range}`);
  const diff = g.sub(prediction, target);
  const mse = g.reduceMean(g.mul(diff, diff), nonBatchAxes(prediction), false); // [B]
  // 10·log10(R²/mse) = (10/ln 10)·(ln R² − ln mse)
  return g.scale(g.sub(g.scalar(Math.log(range * range)), g.log(mse)), 10 / Math.LN10); // [B]
}

/**
 * PSNR of one image from its mean squared error, on the host (the validation passes and the evaluation reports
 * compute the MSE themselves): 10·log10(R² / max(MSE, 1e-12)), so identical images give 120 dB, not +∞.
 *
 * @param mse the mean squared error over the image's elements
 * @param options data range (default 2: images in [−1, 1])
 * @returns PSNR in dB
 * @throws {RangeError} when the data range is not positive
 * @example
 * ```ts
 * import { psnrFromMse } from "./psnr.ts";
 * console.log(psnrFromMse(0.04), psnrFromMse(0.01, { dataRange: 1 })); // 20 20
 * ```
 */
export function psnrFromMse(mse: number, options: PsnrOptions = {}): number {
  const range = options.dataRange ?? 2;
  if (!(range > 0)) throw new RangeError(`PSNR data range must be positive, got ${range}`);
  return 10 * Math.log10((range * range) / Math.max(mse, 1e-12));
}

/** The L2 and PSNR of a batch of images on [0, 1] (see {@linkcode l2AndPsnrOnUnitRange}). */
export interface UnitRangeL2AndPsnr {
  /** Mean squared error on [0, 1] images, the mean over the batch of each image's value. */
  l2: number;
  /** PSNR in dB on [0, 1] images (data range 1), the mean over the batch of each image's value. */
  psnr: number;
  /** Each image's values, in batch order. */
  perImage: { l2: number; psnr: number }[];
}

/** Options of {@linkcode l2AndPsnrOnUnitRange}. */
export interface UnitRangeOptions {
  /** Images in the arrays (default 1); each has `length / batch` values. */
  batch?: number;
  /**
   * The scale of the given values: `"[-1, 1]"` (default, as the generator outputs them; differences are halved
   * to measure on [0, 1]) or `"[0, 1]"` (e.g. bytes divided by 255).
   */
  values?: "[-1, 1]" | "[0, 1]";
}

/**
 * The one host computation of the image L2 and PSNR that the demo, the evaluations (`metrics.json`), the
 * trainers' validation logs and the site report: each image's mean squared error and PSNR measured on [0, 1]
 * images, as the paper's tables do, then their means over the batch. An MSE on [−1, 1] is 4× this L2; the PSNR
 * is the same on either scale.
 *
 * @param reconstruction [B, …] values
 * @param target the same length
 * @param options batch size, and the scale of the values (default [−1, 1])
 * @returns the means over the batch and each image's values
 * @throws {TypeError} when the lengths differ or do not split into `batch` images
 * @throws {RangeError} when `batch` is not a positive integer
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { l2AndPsnrOnUnitRange } from "./psnr.ts";
 * const m = l2AndPsnrOnUnitRange(new Float32Array([1, -1, 0, 0]), new Float32Array([1, 1, 0, 0.2]), { batch: 2 });
 * // Image 0: differences 0 and 1 on [0, 1] → L2 0.5; image 1: 0 and 0.1 → 0.005, PSNR 23.01 dB.
 * assert.deepEqual(m.perImage.map((p) => p.l2.toFixed(4)), ["0.5000", "0.0050"]);
 * assert.equal(m.l2.toFixed(4), "0.2525");
 * assert.equal(m.perImage[1].psnr.toFixed(2), "23.01");
 * ```
 */
export function l2AndPsnrOnUnitRange(
  reconstruction: ArrayLike<number>,
  target: ArrayLike<number>,
  options: UnitRangeOptions = {},
): UnitRangeL2AndPsnr {
  const batch = options.batch ?? 1;
  if (!Number.isInteger(batch) || batch < 1) {
    throw new RangeError(`The batch must be a positive integer, got ${batch}`);
  }
  if (reconstruction.length !== target.length) {
    throw new TypeError(`Cannot compare ${reconstruction.length} values with ${target.length}`);
  }
  if (reconstruction.length === 0 || reconstruction.length % batch !== 0) {
    throw new TypeError(`${reconstruction.length} values do not split into ${batch} images`);
  }
  // Halving a difference is exact in floating point, so this L2 is exactly ¼ of the MSE on [−1, 1].
  const toUnit = (options.values ?? "[-1, 1]") === "[-1, 1]" ? 0.5 : 1;
  const size = reconstruction.length / batch;
  const perImage: { l2: number; psnr: number }[] = [];
  let l2 = 0, psnr = 0;
  for (let b = 0; b < batch; b++) {
    let squares = 0;
    for (let i = b * size; i < (b + 1) * size; i++) {
      const d = (reconstruction[i] - target[i]) * toUnit;
      squares += d * d;
    }
    const image = { l2: squares / size, psnr: psnrFromMse(squares / size, { dataRange: 1 }) };
    perImage.push(image);
    l2 += image.l2;
    psnr += image.psnr;
  }
  return { l2: l2 / batch, psnr: psnr / batch, perImage };
}
