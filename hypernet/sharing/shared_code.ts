/**
 * Ablation "w/o layer-wise" (paper Table 3 row 4, "code-sharing version", h ∈ R^{1024×8×8} instead of
 * R^{L×1024×8×8}): **one** appearance code for all layers.
 *
 * Design: Fw and Fx are each averaged over their L feature maps (`mean_j F[:, j]`, so every map the encoder
 * produces contributes and the result does not depend on L), fused once and reduced once by a single feature
 * extractor (scope `shared`) to one code v [B, D]; every target keeps its own linear mapper under the
 * official name `weight_regressors.<key>.{w1,b1,w2,b2}`. So the targets differ only through their mappers.
 *
 * @module
 */

import { REGRESSOR_INIT } from "../init.ts";
import type { Tensor } from "../../graph/tensor.ts";
import { applyLinearMapper, declareLinearMapper } from "../linear_mapper.ts";
import { regressorTrunk } from "../trunk.ts";
import { reportIntermediates, type SharingStrategy } from "./strategy.ts";

/**
 * `sharedCode`: one trunk on the slot-averaged features, one mapper per target.
 *
 * @example
 * ```ts
 * import { GraphBuilder } from "../../graph/builder.ts";
 * import { CHURCH_256 } from "../../generator/config.ts";
 * import { layerRegistry, targetLayers } from "../../generator/registry.ts";
 * import { slotSlicer } from "../_layers.ts";
 * import { concatConv } from "../fusion/concat_conv.ts";
 * import { sharedCode } from "./shared_code.ts";
 * const g = new GraphBuilder("h");
 * const fwStack = g.input("Fw", [1, 14, 512, 8, 8]);
 * const fxStack = g.input("Fx", [1, 14, 512, 8, 8]);
 * const targets = targetLayers(layerRegistry(CHURCH_256), "conv_without_bias");
 * const deltas = sharedCode.build(g, targets, {
 *   settings: { fusion: concatConv, hiddenDim: 64, extractorWidth: 64 },
 *   features: { fwStack, fxStack, fw: slotSlicer(g, fwStack), fx: slotSlicer(g, fxStack) },
 * });
 * console.log(deltas.size, g.parameters.filter((p) => p.name.startsWith("shared.")).length); // 20 10
 * ```
 */
export const sharedCode: SharingStrategy = Object.freeze<SharingStrategy>({
  name: "sharedCode",
  description: "ablation w/o layer-wise: one trunk on the mean over slots → one code v; a mapper per target",
  build(g, targets, context) {
    const { features, settings } = context;
    const fw = g.reduceMean(features.fwStack, [1], false); // [B, C, S, S], mean over the L maps
    const fx = g.reduceMean(features.fxStack, [1], false); // [B, C, S, S]
    const { fused, code } = g.scope("shared", () => regressorTrunk(g, fw, fx, settings)); // code [B, D]
    const deltas = new Map<string, Tensor>();
    for (const target of targets) {
      const mapper = g.scope(
        `weight_regressors.${target.regressorKey}`,
        () => g.initScope(REGRESSOR_INIT, () => declareLinearMapper(g, target.shape, settings.hiddenDim)),
      );
      reportIntermediates(context, target, fused, code);
      deltas.set(target.name, applyLinearMapper(g, mapper, code)); // [B, ...target.shape]
    }
    return deltas;
  },
});
