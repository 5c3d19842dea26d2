/**
 * The [1,3,3,1] FIR filters of StyleGAN2 (ADA `upfirdn2d`, spec §1.4), expressed with ONNX convolutions.
 * The filter is symmetric, so cross-correlation and convolution agree and no flip is needed.
 *
 * @module
 */

import type { GraphBuilder } from "../graph/builder.ts";
import type { Tensor } from "../graph/tensor.ts";

/** The 1-D taps of StyleGAN2's resample filter. */
export const RESAMPLE_TAPS = [1, 3, 3, 1] as const;

/**
 * The normalised 2-D filter outer(taps, taps) / sum², times a gain, as 16 row-major values.
 *
 * @param gain multiplier (4 for ×2 upsampling: the zero-inserted signal has a quarter of the energy)
 * @returns the 4×4 filter
 * @example
 * ```ts
 * import { resampleFilter } from "./fir.ts";
 * console.log(resampleFilter(1)[5]); // 0.140625
 * ```
 */
export function resampleFilter(gain: number): Float32Array {
  const total = RESAMPLE_TAPS.reduce((s, v) => s + v, 0) ** 2;
  const f = new Float32Array(16);
  for (let i = 0; i < 4; i++) {
    for (let j = 0; j < 4; j++) f[i * 4 + j] = (RESAMPLE_TAPS[i] * RESAMPLE_TAPS[j] / total) * gain;
  }
  return f;
}

function depthwiseFilter(g: GraphBuilder, channels: number, gain: number): Tensor {
  const f = resampleFilter(gain);
  const weights = new Float32Array(channels * 16);
  for (let c = 0; c < channels; c++) weights.set(f, c * 16);
  return g.constant(weights, [channels, 1, 4, 4], "resample_filter"); // [C, 1, 4, 4]
}

/**
 * The blur that follows conv0's stride-2 transposed convolution: `upfirdn2d(y, f, pad=1, gain=4)`, a depthwise
 * 4×4 convolution with padding 1, taking [N, C, 2H+1, 2W+1] to [N, C, 2H, 2W].
 *
 * @param g graph builder
 * @param y transposed-conv output [N, C, 2H+1, 2W+1]
 * @returns [N, C, 2H, 2W]
 */
export function blurAfterUpConv(g: GraphBuilder, y: Tensor): Tensor {
  const channels = y.shape[1];
  return g.conv(y, depthwiseFilter(g, channels, 4), { pads: 1, group: channels });
}

/**
 * The skip-image upsampling `upsample2d(img, f)` (zero insertion ×2, pad [2,1], FIR, gain 4), as one depthwise
 * transposed convolution with kernel f·4, stride 2 and padding 1 (spec §12).
 *
 * @param g graph builder
 * @param img image [N, C, H, W]
 * @returns [N, C, 2H, 2W]
 */
export function upsampleImage(g: GraphBuilder, img: Tensor): Tensor {
  const channels = img.shape[1];
  return g.convTranspose(img, depthwiseFilter(g, channels, 4), { strides: [2, 2], pads: 1, group: channels });
}
