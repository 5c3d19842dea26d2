/**
 * HyperInverter's `StyleBlock` (fpn_encoders.py L146-158): strided convolutions down to the feature side,
 * with no pooling and no linear layer (the change from pSp's GradualStyleBlock).
 *
 * @module
 */

import type { GraphBuilder } from "../graph/builder.ts";
import type { Tensor } from "../graph/tensor.ts";
import { conv2d } from "./conv2d.ts";

/** Options of {@linkcode styleBlock}. */
export interface StyleBlockOptions {
  /** Number of stride-2 convolutions n (1, 2 or 3 in the paper models). */
  convs: number;
  /** Output channels of every convolution. */
  channels: number;
  /** LeakyReLU slope. Default 0.01. */
  negativeSlope?: number;
  /**
   * The first convolution to build (default 0): with 1, `x` is the output of `convs.0` and its LeakyReLU, made
   * elsewhere (the layer-wise encoder's merged first convolutions).
   */
  from?: number;
}

/**
 * Declares a StyleBlock's parameters in the current scope, in the order {@linkcode styleBlock} declares them
 * (`convs.0.weight`, `convs.0.bias`, `convs.2.weight`, …), without adding nodes.
 *
 * @param g graph builder
 * @param inChannels channels of the block's input
 * @param options number of convolutions, channels
 * @returns each convolution's weight [C, C_in, 3, 3] and bias [C]
 * @example
 * ```ts
 * import { GraphBuilder } from "../graph/builder.ts";
 * import { styleBlockParameters } from "./style_block.ts";
 * const g = new GraphBuilder("style");
 * const [first] = g.scope("styles.7", () => styleBlockParameters(g, 64, { convs: 3, channels: 32 }));
 * console.log(first.weight.name, first.weight.shape, g.parameters.length); // "styles.7.convs.0.weight" [32, 64, 3, 3] 6
 * ```
 */
export function styleBlockParameters(
  g: GraphBuilder,
  inChannels: number,
  options: Pick<StyleBlockOptions, "convs" | "channels">,
): { weight: Tensor; bias: Tensor }[] {
  return Array.from({ length: options.convs }, (_, i) =>
    g.scope(`convs.${2 * i}`, () => ({
      weight: g.parameter("weight", [options.channels, i === 0 ? inChannels : options.channels, 3, 3]),
      bias: g.parameter("bias", [options.channels]),
    })));
}

/**
 * Adds n × [Conv3×3 stride 2 padding 1 with bias, LeakyReLU] in the current scope, with parameters
 * `convs.{0,2,4,…}.weight` / `.bias` (the `nn.Sequential` indices: odd ones are the activations).
 *
 * @param g graph builder
 * @param x input [B, C, H, W]
 * @param options number of convolutions, channels, slope
 * @returns [B, channels, H/2ⁿ, W/2ⁿ]
 * @throws {RangeError} when `convs` is not a positive integer
 * @example
 * ```ts
 * import { GraphBuilder } from "../graph/builder.ts";
 * import { styleBlock } from "./style_block.ts";
 * const g = new GraphBuilder("style");
 * const y = g.scope("styles.7", () => styleBlock(g, g.input("p1", [1, 32, 64, 64]), { convs: 3, channels: 32 }));
 * console.log(y.shape, g.parameters.at(-1)!.name); // [1, 32, 8, 8] "styles.7.convs.4.bias"
 * ```
 */
export function styleBlock(g: GraphBuilder, x: Tensor, options: StyleBlockOptions): Tensor {
  const { convs, channels } = options;
  if (!Number.isInteger(convs) || convs < 1) {
    throw new RangeError(`StyleBlock needs a positive integer number of convolutions, got ${convs}`);
  }
  const from = options.from ?? 0;
  let y = x;
  for (let i = from; i < convs; i++) {
    const input = y;
    y = g.scope(
      `convs.${2 * i}`,
      () => conv2d(g, input, { outChannels: channels, kernelSize: 3, stride: 2, padding: 1 }),
    ); // [B, C, H/2^(i+1), W/2^(i+1)]
    y = g.leakyRelu(y, options.negativeSlope ?? 0.01);
  }
  return y;
}
