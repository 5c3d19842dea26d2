/**
 * A ready-made hypernet graph: inputs `Fw`, `Fx` [B, L, C, S, S], outputs `dW.<target>`; parameters named as
 * the official `Hypernetwork` state dict (no `hypernet.` prefix unless a scope is given).
 *
 * @module
 */

import { GraphBuilder } from "../graph/builder.ts";
import type { Tensor } from "../graph/tensor.ts";
import type { LayerSpec } from "../generator/registry.ts";
import { type HypernetConfig, resolveHypernetConfig } from "./config.ts";
import { buildHypernet } from "./hypernet.ts";

/** Options of {@linkcode hypernetGraph}. */
export interface HypernetGraphOptions {
  /** Batch size B (static). Default 1. */
  batch?: number;
  /** Number L of feature maps per input. Default: the highest `featureSlot` of the registry + 1 (= num_ws). */
  featureMaps?: number;
  /** Also output `fusion.<regressorKey>` [B, C, S, S] and `v.<regressorKey>` [B, D] for every target. */
  exposeIntermediates?: boolean;
  /** Scope of the parameters, e.g. "hypernet" for the checkpoint's names. Default none. */
  scope?: string;
  /** Build the regressors as one stack where the strategy can (`BuildHypernetOptions.stackRegressors`). */
  stackRegressors?: boolean;
}

/**
 * Builds the standalone hypernet graph.
 *
 * @param config the configuration (defaults filled, validated)
 * @param registry the generator's layer table
 * @param options batch, number of maps, intermediates, scope
 * @returns the graph
 * @throws {RangeError} for a batch or map count that is not a positive integer, or an invalid configuration
 *
 * @example
 * ```ts
 * import { resolveGeneratorConfig } from "../generator/config.ts";
 * import { layerRegistry } from "../generator/registry.ts";
 * import { hypernetGraph } from "./hypernet_graph.ts";
 * const registry = layerRegistry(resolveGeneratorConfig({ resolution: 64, channelBase: 1024, channelMax: 64 }));
 * const g = hypernetGraph({ hiddenDim: 16 }, registry, { batch: 2 });
 * console.log(g.inputs[0].shape, g.outputs[0].name, g.outputs[0].shape); // [2, 10, 512, 8, 8] "dW.b4.conv1.weight" [2, 64, 64, 3, 3]
 * ```
 */
export function hypernetGraph(
  config: Partial<HypernetConfig>,
  registry: readonly LayerSpec[],
  options: HypernetGraphOptions = {},
): GraphBuilder {
  const resolved = resolveHypernetConfig(config);
  const batch = options.batch ?? 1;
  if (!Number.isInteger(batch) || batch < 1) {
    throw new RangeError(`Batch must be a positive integer, got ${batch}`);
  }
  const maps = options.featureMaps ?? Math.max(...registry.map((l) => l.featureSlot)) + 1;
  if (!Number.isInteger(maps) || maps < 1) {
    throw new RangeError(`featureMaps must be a positive integer, got ${maps}`);
  }
  const g = new GraphBuilder(`hypernet-${resolved.sharing}-${resolved.fusion}`);
  const shape = [batch, maps, resolved.featureChannels, resolved.featureSize, resolved.featureSize];
  const fw = g.input("Fw", shape); // [B, L, C, S, S]
  const fx = g.input("Fx", shape); // [B, L, C, S, S]
  const intermediates: [string, Tensor][] = [];
  const build = () =>
    buildHypernet(g, resolved, registry, fw, fx, {
      onIntermediate: options.exposeIntermediates ? (name, t) => intermediates.push([name, t]) : undefined,
      stackRegressors: options.stackRegressors,
    });
  const residuals = options.scope ? g.scope(options.scope, build) : build();
  for (const [name, delta] of residuals) g.output(delta, `dW.${name}`);
  for (const [name, t] of intermediates) g.output(t, name);
  return g;
}
