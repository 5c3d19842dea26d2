/**
 * One regressor per generator block resolution (b4, b8, …): the block's layers share a trunk (fusion +
 * feature extractor) in `resolution_regressors.b<R>`, and each distinct residual shape of the block has its
 * own mapper head `resolution_regressors.b<R>.heads.<O>x<I>x<k>x<k>.{w1,b1,w2,b2}`.
 *
 * Design: the trunk runs on each layer's own feature slot (once per distinct slot: at 1024, conv0 reads slot
 * 2k−4 and conv1/torgb read 2k−3), so conv0 and conv1 of a block with equal shapes share a mapper but still get
 * different residuals. Targets with the same shape **and** slot get the same residual (with `all_without_bias`,
 * a block's conv1 and torgb affine weights, both [O, 512] at slot 2k−3).
 *
 * @module
 */

import type { Tensor } from "../../graph/tensor.ts";
import type { TargetLayer } from "../../generator/registry.ts";
import { shapeKey } from "../_layers.ts";
import { applyLinearMapper, declareLinearMapper, type LinearMapper } from "../linear_mapper.ts";
import { regressorTrunk, type TrunkOutput } from "../trunk.ts";
import { reportIntermediates, type SharingStrategy } from "./strategy.ts";

/**
 * `perResolution`: a trunk per block resolution, a mapper per residual shape within the block.
 *
 * @example
 * ```ts
 * import { GraphBuilder } from "../../graph/builder.ts";
 * import { FFHQ_1024 } from "../../generator/config.ts";
 * import { layerRegistry, targetLayers } from "../../generator/registry.ts";
 * import { slotSlicer } from "../_layers.ts";
 * import { concatConv } from "../fusion/concat_conv.ts";
 * import { perResolution } from "./per_resolution.ts";
 * const g = new GraphBuilder("h");
 * const fwStack = g.input("Fw", [1, 18, 512, 8, 8]);
 * const fxStack = g.input("Fx", [1, 18, 512, 8, 8]);
 * const targets = targetLayers(layerRegistry(FFHQ_1024), "conv_without_bias");
 * const deltas = perResolution.build(g, targets, {
 *   settings: { fusion: concatConv, hiddenDim: 64, extractorWidth: 64 },
 *   features: { fwStack, fxStack, fw: slotSlicer(g, fwStack), fx: slotSlicer(g, fxStack) },
 * });
 * const trunks = new Set(g.parameters.map((p) => p.name.split(".")[1]));
 * console.log(deltas.size, trunks.size); // 26 9
 * ```
 */
export const perResolution: SharingStrategy = Object.freeze<SharingStrategy>({
  name: "perResolution",
  description:
    "one trunk per block resolution (run on each layer's slot) + a mapper per residual shape in the block",
  build(g, targets, context) {
    const { features, settings } = context;
    const blocks = new Map<number, TargetLayer[]>();
    for (const target of targets) {
      const block = target.layer.block;
      blocks.set(block, [...(blocks.get(block) ?? []), target]);
    }
    const deltas = new Map<string, Tensor>();
    for (const [block, members] of blocks) {
      const scope = `resolution_regressors.b${block}`;
      const mappers = new Map<string, LinearMapper>();
      const trunks = new Map<number, TrunkOutput>();
      for (const target of members) {
        const key = shapeKey(target.shape);
        let mapper = mappers.get(key);
        if (!mapper) {
          mapper = g.scope(
            `${scope}.heads.${key}`,
            () => declareLinearMapper(g, target.shape, settings.hiddenDim),
          );
          mappers.set(key, mapper);
        }
        const slot = target.featureSlot;
        let trunk = trunks.get(slot);
        if (!trunk) {
          trunk = g.scope(scope, () => regressorTrunk(g, features.fw(slot), features.fx(slot), settings));
          trunks.set(slot, trunk);
        }
        reportIntermediates(context, target, trunk.fused, trunk.code);
        deltas.set(target.name, applyLinearMapper(g, mapper, trunk.code)); // [B, ...target.shape]
      }
    }
    return new Map(targets.map((t) => [t.name, deltas.get(t.name)!]));
  },
});
