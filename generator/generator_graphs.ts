/**
 * Ready-made graphs of the generator: synthesis (optionally with per-sample residual inputs) and mapping.
 * Parameters stay graph inputs named as in the ADA state dict, so the same graph serves every checkpoint.
 *
 * @module
 */

import { GraphBuilder } from "../graph/builder.ts";
import { type GeneratorConfig, numWs } from "./config.ts";
import { buildMapping, type TruncationOptions } from "./mapping.ts";
import { layerRegistry, targetLayers, type TargetSetName } from "./registry.ts";
import { buildSynthesis } from "./synthesis.ts";
import type { Tensor } from "../graph/tensor.ts";

/** Options of {@linkcode synthesisGraph}. */
export interface SynthesisGraphOptions {
  /** Batch size B (static). Default 1. */
  batch?: number;
  /**
   * Tensors that take a per-sample residual input `residual.<target>` (e.g. `residual.b8.conv0.weight`
   * [B, O, I, k, k]): a target-set name (`"conv_without_bias"`: every conv and toRGB weight, as the official
   * models), a list of target names, or none (default).
   */
  residuals?: TargetSetName | readonly string[];
  /** Also output each layer's activation as `layer.<name>` (for parity tests and inspection). */
  exposeLayers?: boolean;
}

/**
 * The synthesis graph: input `ws` [B, numWs, wDim] (and residuals), output `img` [B, 3, R, R].
 *
 * @param config generator configuration
 * @param options batch, residual layers, intermediates
 * @returns the graph
 * @example
 * ```ts
 * import { resolveGeneratorConfig } from "./config.ts";
 * import { synthesisGraph } from "./generator_graphs.ts";
 * const config = resolveGeneratorConfig({ resolution: 64, channelBase: 1024, channelMax: 64 });
 * const g = synthesisGraph(config, { batch: 2, residuals: "conv_without_bias" });
 * console.log(g.inputs.map((t) => t.name).slice(0, 2)); // ["ws", "residual.b4.conv1.weight"]
 * ```
 */
export function synthesisGraph(config: GeneratorConfig, options: SynthesisGraphOptions = {}): GraphBuilder {
  const batch = options.batch ?? 1;
  if (!Number.isInteger(batch) || batch < 1) {
    throw new RangeError(`Batch must be a positive integer, got ${batch}`);
  }
  const g = new GraphBuilder(`synthesis${config.resolution}`);
  const ws = g.input("ws", [batch, numWs(config), config.wDim]);
  const registry = layerRegistry(config);
  const all = targetLayers(registry, "all_without_bias");
  const targets = typeof options.residuals === "string"
    ? targetLayers(registry, options.residuals)
    : (options.residuals ?? []).map((name) => {
      const target = all.find((t) => t.name === name);
      if (!target) {
        throw new RangeError(
          `Unknown residual target "${name}"; targets are: ${all.map((t) => t.name).join(", ")}`,
        );
      }
      return target;
    });
  const residuals = new Map<string, Tensor>();
  for (const target of targets) {
    residuals.set(target.name, g.input(`residual.${target.name}`, [batch, ...target.shape]));
  }
  const exposed: [string, Tensor][] = [];
  const img = buildSynthesis(g, config, ws, {
    residuals,
    onLayer: options.exposeLayers ? (name, t) => exposed.push([name, t]) : undefined,
  });
  g.output(img, "img");
  for (const [name, t] of exposed) g.output(t, `layer.${name}`);
  return g;
}

/**
 * The mapping graph: input `z` [B, zDim], output `ws` [B, numWs, wDim].
 *
 * @param config generator configuration
 * @param options batch and truncation
 * @returns the graph
 * @example
 * ```ts
 * import { FFHQ_1024 } from "./config.ts";
 * import { mappingGraph } from "./generator_graphs.ts";
 * const g = mappingGraph(FFHQ_1024, { batch: 4, truncationPsi: 0.7 });
 * console.log(g.outputs[0].shape); // [4, 18, 512]
 * ```
 */
export function mappingGraph(
  config: GeneratorConfig,
  options: TruncationOptions & { batch?: number } = {},
): GraphBuilder {
  const batch = options.batch ?? 1;
  const g = new GraphBuilder(`mapping${config.resolution}`);
  const ws = buildMapping(g, config, g.input("z", [batch, config.zDim]), options);
  g.output(ws, "ws");
  return g;
}
