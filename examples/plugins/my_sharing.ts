/**
 * A custom sharing strategy (examples/plugins/README.md): the targets that read the same E2 feature slot
 * share one trunk (fusion + feature extractor → code v); each target keeps its own linear mapper. Named in a
 * suite as `"./my_sharing.ts#perSlot"`; it builds from the project's public hypernet modules.
 *
 * @module
 */

import type { Tensor } from "../../graph/tensor.ts";
import {
  applyLinearMapper,
  declareLinearMapper,
  REGRESSOR_INIT,
  regressorTrunk,
  reportIntermediates,
  type SharingStrategy,
  type TrunkOutput,
} from "../../hypernet/mod.ts";

/**
 * `perSlot`: one trunk per feature slot in `slot_trunks.<slot>`, a mapper per target in `mappers.<key>`; every
 * parameter starts as the built-in regressors' (`REGRESSOR_INIT`, biases zero).
 *
 * @example
 * ```ts
 * import { resolveGeneratorConfig } from "../../generator/config.ts";
 * import { layerRegistry } from "../../generator/registry.ts";
 * import { hypernetGraph, resolveHypernetPlugins } from "../../hypernet/mod.ts";
 * const { config } = await resolveHypernetPlugins(
 *   { sharing: "./my_sharing.ts#perSlot", hiddenDim: 8, featureChannels: 64, featureSize: 4 },
 *   { base: import.meta.url },
 * );
 * const registry = layerRegistry(resolveGeneratorConfig({ resolution: 64, channelBase: 1024, channelMax: 64 }));
 * const g = hypernetGraph(config, registry);
 * console.log(g.outputs.length, g.parameters[0].name); // 14 "slot_trunks.0.fusion.0.weight"
 * ```
 */
export const perSlot: SharingStrategy = {
  name: "perSlot",
  description: "one trunk per feature slot (shared by the targets reading it) + a mapper per target",
  build(g, targets, context) {
    const { features, settings } = context;
    const trunks = new Map<number, TrunkOutput>();
    const deltas = new Map<string, Tensor>();
    g.initScope(REGRESSOR_INIT, () => {
      for (const target of targets) {
        const slot = target.featureSlot;
        let trunk = trunks.get(slot);
        if (!trunk) {
          trunk = g.scope(
            `slot_trunks.${slot}`,
            () => regressorTrunk(g, features.fw(slot), features.fx(slot), settings),
          );
          trunks.set(slot, trunk);
        }
        const mapper = g.scope(
          `mappers.${target.regressorKey}`,
          () => declareLinearMapper(g, target.shape, settings.hiddenDim),
        );
        reportIntermediates(context, target, trunk.fused, trunk.code);
        deltas.set(target.name, applyLinearMapper(g, mapper, trunk.code)); // [B, ...target.shape]
      }
    });
    return deltas;
  },
};
