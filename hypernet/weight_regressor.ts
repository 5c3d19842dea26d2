/**
 * The official `WeightRegressor` (spec §4, hypernetwork.py L11-66): trunk (fusion + feature extractor) and
 * linear mapper for one target tensor, with the official parameter names and `state_dict()` order
 * (`w1, b1, w2, b2, fusion.0.*, feature_extractor.{0,2,4,6}.*`) in the current scope.
 *
 * @module
 */

import type { GraphBuilder } from "../graph/builder.ts";
import type { Tensor } from "../graph/tensor.ts";
import { applyLinearMapper, declareLinearMapper } from "./linear_mapper.ts";
import { type RegressorSettings, regressorTrunk, type TrunkOutput } from "./trunk.ts";

/** What {@linkcode weightRegressor} computes. */
export interface RegressorOutput extends TrunkOutput {
  /** The predicted residual [B, ...targetShape]. */
  readonly delta: Tensor;
}

/**
 * Adds one weight regressor in the current scope (the factory scopes it as `weight_regressors.<key>`).
 *
 * @param g graph builder
 * @param fw features of x̂_w at the target's slot [B, C, S, S]
 * @param fx features of x at that slot [B, C, S, S]
 * @param targetShape [O, I, k, k] (conv/toRGB weight) or [O, I] (affine weight)
 * @param settings fusion operator, D, extractor width
 * @returns the residual [B, ...targetShape], the fused map and the code v
 *
 * @example
 * ```ts
 * import { GraphBuilder } from "../graph/builder.ts";
 * import { concatConv } from "./fusion/concat_conv.ts";
 * import { weightRegressor } from "./weight_regressor.ts";
 * const g = new GraphBuilder("regressor");
 * const fw = g.input("fw", [2, 512, 8, 8]);
 * const fx = g.input("fx", [2, 512, 8, 8]);
 * const { delta } = g.scope("b8_conv0_weight", () =>
 *   weightRegressor(g, fw, fx, [512, 512, 3, 3], { fusion: concatConv, hiddenDim: 128, extractorWidth: 64 }));
 * console.log(delta.shape, g.parameters[0].name); // [2, 512, 512, 3, 3] "b8_conv0_weight.w1"
 * ```
 */
export function weightRegressor(
  g: GraphBuilder,
  fw: Tensor,
  fx: Tensor,
  targetShape: readonly number[],
  settings: RegressorSettings,
): RegressorOutput {
  const mapper = declareLinearMapper(g, targetShape, settings.hiddenDim); // w1, b1, w2, b2 first
  const { fused, code } = regressorTrunk(g, fw, fx, settings); // fusion.*, feature_extractor.*
  return { fused, code, delta: applyLinearMapper(g, mapper, code) };
}
