/**
 * pSp's IR-SE residual unit (helpers.py `bottleneck_IR_SE`, spec §3.1).
 *
 * @module
 */

import type { GraphBuilder } from "../graph/builder.ts";
import type { Tensor } from "../graph/tensor.ts";
import { assertShape } from "./_check.ts";
import { batchNorm2d } from "./batch_norm.ts";
import { conv2d } from "./conv2d.ts";
import { prelu } from "./prelu.ts";
import { seModule } from "./se_module.ts";

/** Options of {@linkcode bottleneckIrSe}. */
export interface BottleneckIrSeOptions {
  /** Output channels (`depth`). */
  depth: number;
  /** Stride of the unit: of the second 3×3 convolution and of the shortcut. Default 1. */
  stride?: number;
  /** SE reduction. Default 16. */
  seReduction?: number;
}

/**
 * Adds one `bottleneck_IR_SE` unit in the current scope:
 * - `res_layer`: `.0` BN(in) → `.1` Conv3×3 s1 p1 → `.2` PReLU → `.3` Conv3×3 stride p1 → `.4` BN → `.5` SE
 *   (convolutions without bias);
 * - `shortcut_layer`: `MaxPool2d(1, stride)` when in == depth, which is a strided slice (the identity at
 *   stride 1); else `.0` Conv1×1 stride (no bias) → `.1` BN.
 *
 * @param g graph builder
 * @param x input [B, in, H, W]
 * @param options depth, stride, SE reduction
 * @returns res + shortcut, [B, depth, ⌈H/stride⌉, ⌈W/stride⌉]
 * @throws {TypeError} when x is not 4-D
 * @example
 * ```ts
 * import { GraphBuilder } from "../graph/builder.ts";
 * import { bottleneckIrSe } from "./bottleneck_ir_se.ts";
 * const g = new GraphBuilder("unit");
 * const y = g.scope("body.0", () => bottleneckIrSe(g, g.input("x", [1, 64, 32, 32]), { depth: 128, stride: 2 }));
 * console.log(y.shape, g.parameters.length); // [1, 128, 16, 16] 18
 * ```
 */
export function bottleneckIrSe(g: GraphBuilder, x: Tensor, options: BottleneckIrSeOptions): Tensor {
  assertShape(x, [undefined, undefined, undefined, undefined], "bottleneck_IR_SE input");
  const { depth } = options;
  const stride = options.stride ?? 1;
  const shortcut = x.shape[1] === depth
    ? (stride === 1 ? x : g.slice(x, [2, 3], [0, 0], [x.shape[2], x.shape[3]], [stride, stride])) // [B, depth, H/s, W/s]
    : g.scope("shortcut_layer", () => {
      const projected = g.scope(
        "0",
        () => conv2d(g, x, { outChannels: depth, kernelSize: 1, stride, bias: false }),
      ); // [B, depth, H/s, W/s]
      return g.scope("1", () => batchNorm2d(g, projected)); // [B, depth, H/s, W/s]
    });
  const residual = g.scope("res_layer", () => {
    let y = g.scope("0", () => batchNorm2d(g, x)); // [B, in, H, W]
    y = g.scope("1", () => conv2d(g, y, { outChannels: depth, kernelSize: 3, padding: 1, bias: false })); // [B, depth, H, W]
    y = g.scope("2", () => prelu(g, y)); // [B, depth, H, W]
    y = g.scope(
      "3",
      () => conv2d(g, y, { outChannels: depth, kernelSize: 3, stride, padding: 1, bias: false }),
    ); // [B, depth, H/s, W/s]
    y = g.scope("4", () => batchNorm2d(g, y)); // [B, depth, H/s, W/s]
    return g.scope("5", () => seModule(g, y, { reduction: options.seReduction })); // [B, depth, H/s, W/s]
  });
  return g.add(residual, shortcut); // [B, depth, H/s, W/s]
}
