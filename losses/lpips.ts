/**
 * LPIPS with AlexNet, version 0.1, as HyperInverter's own port computes it (`criteria/lpips/`, pSp lineage;
 * reference fixture `lpips-alex`, README §4 and §7). Parameter names are that module's state dict:
 * `net.layers.{0,3,6,8,10}.{weight,bias}` (torchvision AlexNet `features[i]`) and `lin.{0..4}.1.weight`
 * [1, C, 1, 1]; the z-score shift/scale `net.mean`/`net.std` are fixed buffers, built in as constants.
 *
 * ```
 * z    = (x − mean) / std                          (x in [−1, 1] as it is: no rescaling)
 * f_l  = AlexNet.features taps after the ReLUs of features[1, 4, 7, 9, 11]
 *        (= 1-based positions 2, 5, 8, 10, 12; max pools features[2, 5] before conv 3 and 6)
 * n_l  = f_l / (√(Σ_c f_l²) + 1e-10)               (eps outside the root)
 * term = mean_hw( conv1x1((n_l(x0) − n_l(x1))², lin_l) )      [B] per layer
 * loss = Σ_l Σ_b term_l,b / B
 * ```
 *
 * @module
 */

import type { GraphBuilder } from "../graph/builder.ts";
import type { Tensor } from "../graph/tensor.ts";
import { assertImages, assertSameShape } from "./_check.ts";

/** The z-score constants of the official port (`net.mean`, `net.std`, [1, 3, 1, 1]). */
export const LPIPS_SHIFT = [-0.030, -0.088, -0.188] as const;
/** See {@linkcode LPIPS_SHIFT}. */
export const LPIPS_SCALE = [0.458, 0.448, 0.450] as const;

/** AlexNet `features` convolutions: index, output channels, kernel, stride, padding; a max pool before 3 and 6. */
const ALEX_CONVS = [
  { index: 0, outChannels: 64, kernel: 11, stride: 4, padding: 2, poolBefore: false },
  { index: 3, outChannels: 192, kernel: 5, stride: 1, padding: 2, poolBefore: true },
  { index: 6, outChannels: 384, kernel: 3, stride: 1, padding: 1, poolBefore: true },
  { index: 8, outChannels: 256, kernel: 3, stride: 1, padding: 1, poolBefore: false },
  { index: 10, outChannels: 256, kernel: 3, stride: 1, padding: 1, poolBefore: false },
] as const;

/**
 * max(a, b) = b + relu(a − b): elementwise ops only, differentiable (the gradient goes to a where a > b and to
 * b otherwise, one winner per pair as torch's max pool), and within one float32 rounding of the true max.
 */
function maximum(g: GraphBuilder, a: Tensor, b: Tensor): Tensor {
  return g.add(b, g.relu(g.sub(a, b)));
}

/**
 * torch `MaxPool2d(kernel_size=3, stride=2)` (no padding, floor mode), composed from strided slices and
 * {@linkcode maximum} because MaxPool is not in the op set. Separable: the max over 3 columns, then over 3 rows
 * (4 maxima instead of 8).
 *
 * @param g graph builder
 * @param x [B, C, H, W]
 * @returns [B, C, ⌊(H − 3)/2⌋ + 1, ⌊(W − 3)/2⌋ + 1]
 */
export function maxPool3x3Stride2(g: GraphBuilder, x: Tensor): Tensor {
  const [, , h, w] = x.shape;
  const oh = Math.floor((h - 3) / 2) + 1;
  const ow = Math.floor((w - 3) / 2) + 1;
  const taps = (t: Tensor, axis: number, n: number) =>
    [0, 1, 2].map((d) => g.slice(t, [axis], [d], [d + 2 * (n - 1) + 1], [2]));
  const [c0, c1, c2] = taps(x, 3, ow); // each [B, C, H, ow]
  const columns = maximum(g, maximum(g, c0, c1), c2); // [B, C, H, ow]
  const [r0, r1, r2] = taps(columns, 2, oh); // each [B, C, oh, ow]
  return maximum(g, maximum(g, r0, r1), r2); // [B, C, oh, ow]
}

/**
 * The five AlexNet taps of a batch, in the current scope's `net.layers.*` parameters.
 *
 * @param g graph builder
 * @param z z-scored images [N, 3, H, W]
 * @returns taps [N, 64, ·], [N, 192, ·], [N, 384, ·], [N, 256, ·], [N, 256, ·] (63, 31, 15, 15, 15 at 256 px)
 */
export function alexNetTaps(g: GraphBuilder, z: Tensor): Tensor[] {
  const taps: Tensor[] = [];
  let x = z;
  for (const conv of ALEX_CONVS) {
    if (conv.poolBefore) x = maxPool3x3Stride2(g, x);
    x = g.scope(`net.layers.${conv.index}`, () => {
      const inChannels = x.shape[1];
      const weight = g.parameter("weight", [conv.outChannels, inChannels, conv.kernel, conv.kernel]);
      const bias = g.parameter("bias", [conv.outChannels]);
      const y = g.conv(x, weight, { strides: [conv.stride, conv.stride], pads: conv.padding }); // [N, O, H', W']
      return g.relu(g.add(y, g.reshape(bias, [1, conv.outChannels, 1, 1]))); // [N, O, H', W']
    });
    taps.push(x);
  }
  return taps;
}

/** What {@linkcode lpips} returns. */
export interface LpipsResult {
  /** Σ over layers and samples / B, scalar []. */
  loss: Tensor;
  /** term_l,b per layer and sample [5, B] (the fixture's `per_layer`). */
  perLayer: Tensor;
}

/**
 * LPIPS(x0, x1) with AlexNet v0.1 as the official port: parameters `net.layers.*` and `lin.*` under the
 * current scope.
 *
 * @param g graph builder
 * @param x0 images [B, 3, H, W] in [−1, 1] (in the coach: face_pool(x̂), 256×256, not clamped)
 * @param x1 images, the same shape
 * @returns the loss [] and the per-layer terms [5, B]
 * @throws {TypeError} when the shapes differ or are not [B, 3, H, W]
 * @throws {RangeError} when the images are too small for AlexNet (H, W < 63)
 * @example
 * ```ts
 * import { GraphBuilder } from "../graph/builder.ts";
 * import { lpips } from "./lpips.ts";
 * const g = new GraphBuilder("lpips");
 * const { loss, perLayer } = lpips(g, g.input("x0", [2, 3, 256, 256]), g.input("x1", [2, 3, 256, 256]));
 * console.log(loss.shape, perLayer.shape, g.parameters.length); // [] [5, 2] 15
 * ```
 */
export function lpips(g: GraphBuilder, x0: Tensor, x1: Tensor): LpipsResult {
  assertImages(x0, "LPIPS", 3);
  assertSameShape(x0, x1, "LPIPS");
  const [batch, , h, w] = x0.shape;
  if (h < 63 || w < 63) {
    throw new RangeError(`LPIPS: images of ${h}×${w} are too small for AlexNet's five taps (need ≥ 63×63)`);
  }
  const shift = g.constant(Float32Array.from(LPIPS_SHIFT), [1, 3, 1, 1], "net.mean");
  const scale = g.constant(Float32Array.from(LPIPS_SCALE), [1, 3, 1, 1], "net.std");
  // One AlexNet pass per image set (shared parameters), not one batch of 2B: in a training graph the target's
  // features need no gradient, and a joint batch made the backward run on both halves (mini step: backward
  // kernels 105 → 98 ms).
  const taps = (x: Tensor) => alexNetTaps(g, g.div(g.sub(x, shift), scale)); // [B, C, h, w] per tap
  const unit = (f: Tensor) => g.div(f, g.add(g.sqrt(g.reduceSum(g.mul(f, f), [1])), g.scalar(1e-10))); // [B, C, h, w]
  const targets = taps(x1);
  const terms = taps(x0).map((f, l) => {
    const channels = f.shape[1];
    const diff = g.sub(unit(f), unit(targets[l])); // [B, C, h, w]
    const lin = g.scope(`lin.${l}.1`, () => g.parameter("weight", [1, channels, 1, 1])); // [1, C, 1, 1]
    const weighted = g.conv(g.mul(diff, diff), lin); // [B, 1, h, w]
    return g.reshape(g.reduceMean(weighted, [2, 3]), [1, batch]); // [1, B]
  });
  const perLayer = g.concat(terms, 0); // [5, B]
  const loss = g.scale(g.reduceSum(perLayer, [0, 1], false), 1 / batch); // []
  return { loss, perLayer };
}
