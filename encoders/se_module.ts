/**
 * pSp's squeeze-and-excitation module (helpers.py `SEModule`): channel gates from the spatial mean.
 *
 * @module
 */

import type { GraphBuilder } from "../graph/builder.ts";
import type { Tensor } from "../graph/tensor.ts";
import { assertShape } from "./_check.ts";
import { conv2d } from "./conv2d.ts";

/** Options of {@linkcode seModule}. */
export interface SeModuleOptions {
  /** The hidden width is ⌊C / reduction⌋. Default 16 (`SEModule(depth, 16)`). */
  reduction?: number;
}

/**
 * Adds `x · sigmoid(fc2(relu(fc1(mean_hw(x)))))`, with `fc1.weight` [C/r, C, 1, 1] and `fc2.weight`
 * [C, C/r, 1, 1] (1×1 convolutions without bias) in the current scope.
 *
 * @param g graph builder
 * @param x input [B, C, H, W]
 * @param options reduction
 * @returns [B, C, H, W]
 * @throws {TypeError} when x is not 4-D
 * @throws {RangeError} when the reduction leaves no hidden channel
 * @example
 * ```ts
 * import { GraphBuilder } from "../graph/builder.ts";
 * import { seModule } from "./se_module.ts";
 * const g = new GraphBuilder("se");
 * const y = g.scope("se", () => seModule(g, g.input("x", [1, 64, 8, 8])));
 * console.log(y.shape, g.parameters.map((p) => p.shape)); // [1, 64, 8, 8] [[4, 64, 1, 1], [64, 4, 1, 1]]
 * ```
 */
export function seModule(g: GraphBuilder, x: Tensor, options: SeModuleOptions = {}): Tensor {
  assertShape(x, [undefined, undefined, undefined, undefined], "SE module input");
  const channels = x.shape[1];
  const reduction = options.reduction ?? 16;
  const hidden = Math.floor(channels / reduction);
  if (hidden < 1) {
    throw new RangeError(`SE reduction ${reduction} leaves no hidden channel for ${channels} channels`);
  }
  const pooled = g.reduceMean(x, [2, 3]); // [B, C, 1, 1]
  const squeezed = g.relu(
    g.scope("fc1", () => conv2d(g, pooled, { outChannels: hidden, kernelSize: 1, bias: false })),
  ); // [B, C/r, 1, 1]
  const gates = g.sigmoid(
    g.scope("fc2", () => conv2d(g, squeezed, { outChannels: channels, kernelSize: 1, bias: false })),
  ); // [B, C, 1, 1]
  return g.mul(x, gates); // [B, C, H, W]
}
