/**
 * The trunk of a weight regressor: fusion (scope `fusion`) followed by the feature extractor (scope
 * `feature_extractor`), from one slot's (Fw, Fx) to the code v that the linear mapper reads.
 *
 * @module
 */

import type { GraphBuilder } from "../graph/builder.ts";
import type { Tensor } from "../graph/tensor.ts";
import { featureExtractor } from "./feature_extractor.ts";
import type { FusionOperator } from "./fusion/operator.ts";

/** Settings shared by every regressor of a hypernet. */
export interface RegressorSettings {
  /** The fusion operator. */
  readonly fusion: FusionOperator;
  /** Size D of the code. */
  readonly hiddenDim: number;
  /** Channels E of the feature extractor's intermediate convs (official 64). */
  readonly extractorWidth: number;
}

/** What a trunk computes. */
export interface TrunkOutput {
  /** The fusion output [B, C, S, S]. */
  readonly fused: Tensor;
  /** The code v [B, D] (after the final ReLU). */
  readonly code: Tensor;
}

/**
 * Adds a trunk in the current scope: `fusion.*` then `feature_extractor.*`.
 *
 * @param g graph builder
 * @param fw features of x̂_w at one slot [B, C, S, S]
 * @param fx features of x at the same slot [B, C, S, S]
 * @param settings fusion operator, D, extractor width
 * @returns the fused map and the code
 *
 * @example
 * ```ts
 * import { GraphBuilder } from "../graph/builder.ts";
 * import { concatConv } from "./fusion/concat_conv.ts";
 * import { regressorTrunk } from "./trunk.ts";
 * const g = new GraphBuilder("trunk");
 * const fw = g.input("fw", [1, 32, 4, 4]);
 * const fx = g.input("fx", [1, 32, 4, 4]);
 * const { fused, code } = regressorTrunk(g, fw, fx, { fusion: concatConv, hiddenDim: 8, extractorWidth: 16 });
 * console.log(fused.shape, code.shape); // [1, 32, 4, 4] [1, 8]
 * ```
 */
export function regressorTrunk(
  g: GraphBuilder,
  fw: Tensor,
  fx: Tensor,
  settings: RegressorSettings,
): TrunkOutput {
  const fused = g.scope("fusion", () => settings.fusion.build(g, fw, fx, {})); // [B, C, S, S]
  const code = g.scope(
    "feature_extractor",
    () => featureExtractor(g, fused, { width: settings.extractorWidth, hiddenDim: settings.hiddenDim }),
  ); // [B, D]
  return { fused, code };
}
