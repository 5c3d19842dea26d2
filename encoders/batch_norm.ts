/**
 * torch `nn.BatchNorm2d` in eval mode: the running statistics, folded into one scale and one shift.
 *
 * @module
 */

import type { GraphBuilder } from "../graph/builder.ts";
import type { Tensor } from "../graph/tensor.ts";
import { assertShape } from "./_check.ts";

/** Options of {@linkcode batchNorm2d}. */
export interface BatchNormOptions {
  /** Added to the running variance. Default 1e-5 (torch's default). */
  eps?: number;
}

/**
 * Adds an eval-mode batch norm with parameters `weight`, `bias`, `running_mean`, `running_var` [C] in the
 * current scope: `y = x·s + t` with `s = weight/√(running_var + eps)` and `t = bias − running_mean·s`. The
 * scale and shift are computed on the [C] vectors, so the activation sees one Mul and one Add (as torch's
 * CPU inference kernel does).
 *
 * @param g graph builder
 * @param x input [B, C, H, W]
 * @param options eps
 * @returns [B, C, H, W]
 * @throws {TypeError} when x is not 4-D
 * @example
 * ```ts
 * import { GraphBuilder } from "../graph/builder.ts";
 * import { batchNorm2d } from "./batch_norm.ts";
 * const g = new GraphBuilder("bn");
 * const y = g.scope("bn1", () => batchNorm2d(g, g.input("x", [2, 4, 8, 8])));
 * console.log(y.shape, g.parameters.map((p) => p.name).join(" ")); // [2, 4, 8, 8] "bn1.weight bn1.bias bn1.running_mean bn1.running_var"
 * ```
 */
export function batchNorm2d(g: GraphBuilder, x: Tensor, options: BatchNormOptions = {}): Tensor {
  assertShape(x, [undefined, undefined, undefined, undefined], "BatchNorm2d input");
  const channels = x.shape[1];
  const weight = g.parameter("weight", [channels]); // [C]
  const bias = g.parameter("bias", [channels]); // [C]
  const mean = g.parameter("running_mean", [channels]); // [C]
  const variance = g.parameter("running_var", [channels]); // [C]
  const scale = g.div(weight, g.sqrt(g.add(variance, g.scalar(options.eps ?? 1e-5)))); // [C]
  const shift = g.sub(bias, g.mul(mean, scale)); // [C]
  const y = g.mul(x, g.reshape(scale, [1, channels, 1, 1])); // [B, C, H, W]
  return g.add(y, g.reshape(shift, [1, channels, 1, 1])); // [B, C, H, W]
}
