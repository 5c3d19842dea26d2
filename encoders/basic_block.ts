/**
 * torchvision's ResNet `BasicBlock` (the units of ResNet-18/34), as HyperInverter's ResNet encoders use it.
 *
 * @module
 */

import type { GraphBuilder } from "../graph/builder.ts";
import type { Tensor } from "../graph/tensor.ts";
import { assertShape } from "./_check.ts";
import { batchNorm2d } from "./batch_norm.ts";
import { conv2d } from "./conv2d.ts";

/** Options of {@linkcode basicBlock}. */
export interface BasicBlockOptions {
  /** Output channels (`planes`). */
  planes: number;
  /** Stride of `conv1` and of the downsample shortcut. Default 1. */
  stride?: number;
}

/**
 * Adds one `BasicBlock` in the current scope: `relu(bn2(conv2(relu(bn1(conv1(x))))) + shortcut)`, where
 * `conv1` is 3×3 with the stride, `conv2` 3×3 stride 1 (both padding 1, no bias), and the shortcut is the
 * identity, or `downsample.0` Conv1×1 stride (no bias) → `downsample.1` BN when the stride or the width
 * changes.
 *
 * @param g graph builder
 * @param x input [B, in, H, W]
 * @param options planes, stride
 * @returns [B, planes, ⌈H/stride⌉, ⌈W/stride⌉]
 * @throws {TypeError} when x is not 4-D
 * @example
 * ```ts
 * import { GraphBuilder } from "../graph/builder.ts";
 * import { basicBlock } from "./basic_block.ts";
 * const g = new GraphBuilder("block");
 * const y = g.scope("body.3", () => basicBlock(g, g.input("x", [1, 64, 32, 32]), { planes: 128, stride: 2 }));
 * console.log(y.shape, g.parameters.length); // [1, 128, 16, 16] 15
 * ```
 */
export function basicBlock(g: GraphBuilder, x: Tensor, options: BasicBlockOptions): Tensor {
  assertShape(x, [undefined, undefined, undefined, undefined], "BasicBlock input");
  const { planes } = options;
  const stride = options.stride ?? 1;
  let y = g.scope(
    "conv1",
    () => conv2d(g, x, { outChannels: planes, kernelSize: 3, stride, padding: 1, bias: false }),
  ); // [B, planes, H/s, W/s]
  y = g.relu(g.scope("bn1", () => batchNorm2d(g, y))); // [B, planes, H/s, W/s]
  y = g.scope("conv2", () => conv2d(g, y, { outChannels: planes, kernelSize: 3, padding: 1, bias: false })); // [B, planes, H/s, W/s]
  y = g.scope("bn2", () => batchNorm2d(g, y)); // [B, planes, H/s, W/s]
  const shortcut = stride === 1 && x.shape[1] === planes ? x : g.scope("downsample", () => {
    const projected = g.scope(
      "0",
      () => conv2d(g, x, { outChannels: planes, kernelSize: 1, stride, bias: false }),
    ); // [B, planes, H/s, W/s]
    return g.scope("1", () => batchNorm2d(g, projected)); // [B, planes, H/s, W/s]
  });
  return g.relu(g.add(y, shortcut)); // [B, planes, H/s, W/s]
}
