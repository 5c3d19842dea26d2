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
