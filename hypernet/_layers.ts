/**
 * Private building blocks of the hypernet: a torch-style `Conv2d` with bias, `InstanceNorm2d` without affine
 * parameters, and the memoised slicing of one E2 feature map out of a stack of them.
 *
 * @module
 */

import type { GraphBuilder } from "../graph/builder.ts";
import { formatShape, type Tensor } from "../graph/tensor.ts";
import { ZERO_INIT } from "./init.ts";
import { stackedConv2d } from "./_stack.ts";

/** Options of {@linkcode conv2d}. */
export interface Conv2dOptions {
  /** Output channels O. */
  outChannels: number;
  /** Square kernel side k. */
  kernel: number;
  /** Stride, default 1. */
  stride?: number;
  /** Zero padding on every side, default 0. */
  pad?: number;
}

/**
 * torch `nn.Conv2d(bias=True)`: parameters `<name>.weight` [O, I, k, k] and `<name>.bias` [O] in the current
 * scope (so `name` "0" inside scope "fusion" gives the official `fusion.0.weight`). Inside a regressor stack
 * (hypernet/regressor_stack.ts), one such pair per regressor, run as one batched MatMul on [R·B, I, H, W].
 *
 * @param g graph builder
 * @param x input [B, I, H, W]
 * @param name module name relative to the current scope, e.g. "0"
 * @param options output channels, kernel, stride, padding
 * @returns [B, O, H', W']
 */
export function conv2d(g: GraphBuilder, x: Tensor, name: string, options: Conv2dOptions): Tensor {
  const stacked = stackedConv2d(g, x, name, options); // inside a regressor stack (hypernet/regressor_stack.ts)
  if (stacked) return stacked;
  const { outChannels, kernel } = options;
  const weight = g.parameter(`${name}.weight`, [outChannels, x.shape[1], kernel, kernel]); // [O, I, k, k]
  const bias = g.parameter(`${name}.bias`, [outChannels], "float32", { init: ZERO_INIT }); // [O]
  const stride = options.stride ?? 1;
  const y = g.conv(x, weight, { strides: [stride, stride], pads: options.pad ?? 0 }); // [B, O, H', W']
  return g.add(y, g.reshape(bias, [1, outChannels, 1, 1])); // [B, O, H', W']
}

/**
 * torch `nn.InstanceNorm2d(C)` with its defaults (affine=False, eps=1e-5, instance statistics in eval): ONNX
 * `InstanceNormalization` with a constant scale of 1 and bias of 0 (spec §12).
 *
 * @param g graph builder
 * @param x input [B, C, H, W]
 * @returns [B, C, H, W], each (sample, channel) plane normalised to zero mean and unit (biased) variance
 */
export function instanceNorm(g: GraphBuilder, x: Tensor): Tensor {
  const channels = x.shape[1];
  const scale = g.constant(new Float32Array(channels).fill(1), [channels], "instance_norm_scale"); // [C]
  const bias = g.constant(new Float32Array(channels), [channels], "instance_norm_bias"); // [C]
  return g.node("InstanceNormalization", [x, scale, bias], { epsilon: 1e-5 })[0]; // [B, C, H, W]
}

/**
 * Checks that a fusion operator's two inputs are feature maps of the same shape [B, C, S, S].
 *
 * @param fw features of x̂_w
 * @param fx features of x
 * @param who operator name, for the message
 * @throws {TypeError} naming both shapes when they differ or are not 4-D
 */
export function assertFeaturePair(fw: Tensor, fx: Tensor, who: string): void {
  if (fw.rank !== 4 || fx.rank !== 4 || fw.shape.some((d, i) => d !== fx.shape[i])) {
    throw new TypeError(
      `Fusion "${who}" needs two feature maps of the same shape [B, C, S, S], got Fw ${
        formatShape(fw.shape)
      } and Fx ${formatShape(fx.shape)}`,
    );
  }
}

/**
 * A memoised slicer: `slot(j)` is `features[:, j]` [B, C, S, S], built once per j.
 *
 * @param g graph builder
 * @param features stacked feature maps [B, L, C, S, S]
 * @returns the slicer
 */
export function slotSlicer(g: GraphBuilder, features: Tensor): (slot: number) => Tensor {
  const [batch, maps, ...rest] = features.shape;
  const cache = new Map<number, Tensor>();
  return (slot) => {
    if (!Number.isInteger(slot) || slot < 0 || slot >= maps) {
      throw new RangeError(
        `Feature slot ${slot} is outside 0..${maps - 1} of ${formatShape(features.shape)}`,
      );
    }
    let t = cache.get(slot);
    if (!t) {
      const one = g.slice(features, [1], [slot], [slot + 1]); // [B, 1, C, S, S]
      t = g.reshape(one, [batch, ...rest]); // [B, C, S, S]
      cache.set(slot, t);
    }
    return t;
  };
}

/**
 * A short key of a target shape for parameter names: [512, 512, 3, 3] → "512x512x3x3".
 *
 * @param shape the shape
 * @returns the dimensions joined with "x"
 */
export function shapeKey(shape: readonly number[]): string {
  return shape.join("x");
}
