/**
 * The fusion operator contract: how a regressor combines the E2 features of the phase-I image x̂_w (Fw) and of
 * the input x (Fx) at one feature slot into the map its feature extractor reads (spec §3.3).
 *
 * @module
 */

import type { GraphBuilder } from "../../graph/builder.ts";
import type { Tensor } from "../../graph/tensor.ts";

/** Options of {@linkcode FusionOperator.build}. */
export interface FusionOptions {
  /**
   * Channels C' of the fused map. Default: the channels C of Fw and Fx (the official fusion maps the 2C = 1024
   * concatenated channels back to C = 512).
   */
  outChannels?: number;
}

/**
 * A way to fuse Fw and Fx. `build` adds its parameters in the current scope (a regressor calls it inside
 * `g.scope("fusion", …)`, which gives the official names `fusion.0.weight` and `fusion.0.bias`).
 *
 * To add an operator: write one file exporting a `FusionOperator` and add one line to `FUSION_OPERATORS` in
 * `registry.ts`.
 *
 * @example
 * ```ts
 * import { GraphBuilder } from "../../graph/builder.ts";
 * import type { FusionOperator } from "./operator.ts";
 * // A parameter-free operator (for illustration; it is not registered).
 * const mean: FusionOperator = {
 *   name: "mean",
 *   description: "(Fw + Fx) / 2, no head",
 *   build: (g, fw, fx) => g.scale(g.add(fw, fx), 0.5),
 * };
 * const g = new GraphBuilder("fusion");
 * const fused = mean.build(g, g.input("fw", [1, 4, 2, 2]), g.input("fx", [1, 4, 2, 2]), {});
 * console.log(fused.shape); // [1, 4, 2, 2]
 * ```
 */
export interface FusionOperator {
  /** Registry name, e.g. "concatConv". */
  readonly name: string;
  /** One line for docs and error messages. */
  readonly description: string;
  /**
   * Adds the fusion to a graph.
   *
   * @param g graph builder
   * @param fw features of x̂_w [B, C, S, S]
   * @param fx features of x [B, C, S, S]
   * @param options output channels
   * @returns the fused map [B, C', S, S]
   */
  build(g: GraphBuilder, fw: Tensor, fx: Tensor, options: FusionOptions): Tensor;
}
