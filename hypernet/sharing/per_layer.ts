/**
 * The official strategy (spec §4): one independent `WeightRegressor` per target, in
 * `weight_regressors.<regressorKey>` (e.g. `weight_regressors.b8_conv0_weight.w1`), each reading the
 * features of its own slot. No parameter is shared. With `stackRegressors`, the regressors of a built-in
 * fusion run as one stack (hypernet/regressor_stack.ts): the same parameters and values.
 *
 * @module
 */

import type { Tensor } from "../../graph/tensor.ts";
import { REGRESSOR_INIT } from "../init.ts";
import { stackableFusion, stackedRegressors } from "../regressor_stack.ts";
import { weightRegressor } from "../weight_regressor.ts";
import { reportIntermediates, type SharingStrategy } from "./strategy.ts";

/**
 * `perLayer`: the official layer-wise hypernet.
 *
 * @example
 * ```ts
 * import { GraphBuilder } from "../../graph/builder.ts";
 * import { FFHQ_1024 } from "../../generator/config.ts";
 * import { layerRegistry, targetLayers } from "../../generator/registry.ts";
 * import { slotSlicer } from "../_layers.ts";
 * import { concatConv } from "../fusion/concat_conv.ts";
 * import { perLayer } from "./per_layer.ts";
 * const g = new GraphBuilder("h");
 * const fwStack = g.input("Fw", [1, 18, 512, 8, 8]);
 * const fxStack = g.input("Fx", [1, 18, 512, 8, 8]);
 * const targets = targetLayers(layerRegistry(FFHQ_1024), "conv_without_bias").slice(0, 2);
 * const deltas = perLayer.build(g, targets, {
 *   settings: { fusion: concatConv, hiddenDim: 64, extractorWidth: 64 },
 *   features: { fwStack, fxStack, fw: slotSlicer(g, fwStack), fx: slotSlicer(g, fxStack) },
 * });
 * console.log(deltas.get("b4.torgb.weight")!.shape, g.parameters[0].name); // [1, 3, 512, 1, 1] "weight_regressors.b4_conv1_weight.w1"
 * ```
 */
export const perLayer: SharingStrategy = Object.freeze<SharingStrategy>({
  name: "perLayer",
  description: "official: one independent regressor (fusion + extractor + mapper) per target",
  build(g, targets, context) {
    const deltas = new Map<string, Tensor>();
    const { features, settings } = context;
    if (context.stackRegressors && targets.length > 1 && stackableFusion(settings.fusion)) {
      const regressors = targets.map((target) => ({
        scope: `weight_regressors.${target.regressorKey}`,
        target,
        fw: features.fw(target.featureSlot),
        fx: features.fx(target.featureSlot),
      }));
      stackedRegressors(g, regressors, settings).forEach(({ delta, code, fused }, k) => {
        if (context.onIntermediate) reportIntermediates(context, targets[k], fused(), code);
        deltas.set(targets[k].name, delta); // [B, ...target.shape]
      });
      return deltas;
    }
    for (const target of targets) {
      const slot = target.featureSlot;
      const { fused, code, delta } = g.scope(
        `weight_regressors.${target.regressorKey}`,
        () =>
          g.initScope(
            REGRESSOR_INIT,
            () => weightRegressor(g, features.fw(slot), features.fx(slot), target.shape, settings),
          ),
      );
      reportIntermediates(context, target, fused, code);
      deltas.set(target.name, delta); // [B, ...target.shape]
    }
    return deltas;
  },
});
