/**
 * HyperStyle-like weight sharing (spec §11: HyperStyle's `SharedWeightsHypernet`, one Ha-style w1/w2 mapper
 * shared by every layer of shape 512×512×3×3, with per-layer `HyperRefinementBlock` heads).
 *
 * Design: targets are grouped by residual shape. Each group has **one regressor** (trunk = fusion + feature
 * extractor, and the w1/b1/w2/b2 mapper) in `shared_weights.<O>x<I>x<k>x<k>`; it still reads each target's
 * own feature slot, so the trunk runs once per distinct slot of the group. Between the shared code and the
 * shared mapper, each target has a small linear head `weight_regressors.<key>.head.{weight [D, D], bias [D]}`:
 * `v_ℓ = v·W_ℓ + c_ℓ`, a per-layer change of basis of the code space (D² + D parameters, against the
 * I·D² + … of a mapper). With W_ℓ = I and c_ℓ = 0 (the suggested initialisation) it reduces to plain sharing.
 *
 * @module
 */

import type { GraphBuilder } from "../../graph/builder.ts";
import type { Tensor } from "../../graph/tensor.ts";
import type { TargetLayer } from "../../generator/registry.ts";
import { shapeKey } from "../_layers.ts";
import { REGRESSOR_INIT, ZERO_INIT } from "../init.ts";
import { applyLinearMapper, declareLinearMapper } from "../linear_mapper.ts";
import { regressorTrunk, type TrunkOutput } from "../trunk.ts";
import { reportIntermediates, type SharingStrategy } from "./strategy.ts";

/**
 * `sharedWeights`: one regressor per residual shape, a D×D head per target.
 *
 * @example
 * ```ts
 * import { GraphBuilder } from "../../graph/builder.ts";
 * import { CHURCH_256 } from "../../generator/config.ts";
 * import { layerRegistry, targetLayers } from "../../generator/registry.ts";
 * import { slotSlicer } from "../_layers.ts";
 * import { concatConv } from "../fusion/concat_conv.ts";
 * import { sharedWeights } from "./shared_weights.ts";
 * const g = new GraphBuilder("h");
 * const fwStack = g.input("Fw", [1, 14, 512, 8, 8]);
 * const fxStack = g.input("Fx", [1, 14, 512, 8, 8]);
 * const targets = targetLayers(layerRegistry(CHURCH_256), "conv_without_bias");
 * sharedWeights.build(g, targets, {
 *   settings: { fusion: concatConv, hiddenDim: 64, extractorWidth: 64 },
 *   features: { fwStack, fxStack, fw: slotSlicer(g, fwStack), fx: slotSlicer(g, fxStack) },
 * });
 * const groups = new Set(g.parameters.filter((p) => p.name.startsWith("shared_weights.")).map((p) => p.name.split(".")[1]));
 * console.log(groups.size, [...groups][0]); // 8 "512x512x3x3"
 * ```
 */
export const sharedWeights: SharingStrategy = Object.freeze<SharingStrategy>({
  name: "sharedWeights",
  description:
    "HyperStyle-like: one regressor per residual shape (run on each layer's slot) + a D×D head per layer",
  build(g, targets, context) {
    const { features, settings } = context;
    const groups = new Map<string, TargetLayer[]>();
    for (const target of targets) {
      const key = shapeKey(target.shape);
      groups.set(key, [...(groups.get(key) ?? []), target]);
    }
    const deltas = new Map<string, Tensor>();
    for (const [key, members] of groups) {
      const scope = `shared_weights.${key}`;
      const mapper = g.scope(scope, () => declareLinearMapper(g, members[0].shape, settings.hiddenDim));
      const trunks = new Map<number, TrunkOutput>();
      for (const target of members) {
        const slot = target.featureSlot;
        let trunk = trunks.get(slot);
        if (!trunk) {
          trunk = g.scope(scope, () => regressorTrunk(g, features.fw(slot), features.fx(slot), settings));
          trunks.set(slot, trunk);
        }
        const code = g.scope(
          `weight_regressors.${target.regressorKey}.head`,
          () => g.initScope(REGRESSOR_INIT, () => codeHead(g, trunk.code)),
        );
        reportIntermediates(context, target, trunk.fused, code);
        deltas.set(target.name, applyLinearMapper(g, mapper, code)); // [B, ...target.shape]
      }
    }
    return new Map(targets.map((t) => [t.name, deltas.get(t.name)!]));
  },
});

/** The per-layer head `v·W + c`: parameters `weight` [D, D] and `bias` [D] in the current scope. */
function codeHead(g: GraphBuilder, code: Tensor): Tensor {
  const d = code.shape[1];
  const weight = g.parameter("weight", [d, d]); // [D, D]
  const bias = g.parameter("bias", [d], "float32", { init: ZERO_INIT }); // [D]
  return g.add(g.matMul(code, weight), bias); // [B, D]
}
