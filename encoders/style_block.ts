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
  let y = x;
  for (let i = 0; i < convs; i++) {
    const input = y;
    y = g.scope(
      `convs.${2 * i}`,
      () => conv2d(g, input, { outChannels: channels, kernelSize: 3, stride: 2, padding: 1 }),
    ); // [B, C, H/2^(i+1), W/2^(i+1)]
    y = g.leakyRelu(y, options.negativeSlope ?? 0.01);
  }
  return y;
}
