/**
 * Ready-made standalone graphs of the encoders (spec §12 suggests separate E1 and E2 sessions). Parameters
 * stay graph inputs named as in the module's own state dict (`input_layer.0.weight`, `styles.7.convs.4.bias`),
 * i.e. the official checkpoint's names without the `w_encoder.` / `w_bar_encoder.` prefix unless `scope` says.
 *
 * @module
 */

import { GraphBuilder } from "../graph/builder.ts";
import type { Tensor } from "../graph/tensor.ts";
import type { EncoderConfig } from "./config.ts";
import { buildLayerWiseEncoder } from "./layer_wise_encoder.ts";
import { buildWEncoder } from "./w_encoder.ts";

/** Options of {@linkcode wEncoderGraph} and {@linkcode layerWiseEncoderGraph}. */
export interface EncoderGraphOptions {
  /** Batch size B (static). Default 1. */
  batch?: number;
  /** A prefix scope for every parameter (e.g. `w_encoder`). Default none. */
  scope?: string;
}

function build(
  name: string,
  config: EncoderConfig,
  options: EncoderGraphOptions,
  body: (g: GraphBuilder, x: Tensor) => Tensor,
  output: string,
): GraphBuilder {
  const batch = options.batch ?? 1;
  if (!Number.isInteger(batch) || batch < 1) {
    throw new RangeError(`Batch must be a positive integer, got ${batch}`);
  }
  const g = new GraphBuilder(name);
  const x = g.input("x", [batch, config.inputChannels, config.inputSize, config.inputSize]); // [B, 3, S, S]
  const y = options.scope ? g.scope(options.scope, () => body(g, x)) : body(g, x);
  g.output(y, output);
  return g;
}

/**
 * The W encoder as a graph: input `x` [B, 3, S, S] in [−1, 1], output `w` [B, wDim] (the offset; add `w_avg`).
 *
 * @param config encoder configuration
 * @param options batch, parameter scope
 * @returns the graph
 * @throws {RangeError} for a batch that is not a positive integer
 * @example
 * ```ts
 * import { TINY_ENCODER } from "./config.ts";
 * import { wEncoderGraph } from "./encoder_graphs.ts";
 * const g = wEncoderGraph(TINY_ENCODER, { batch: 2, scope: "w_encoder" });
 * console.log(g.outputs[0].name, g.outputs[0].shape, g.parameters.at(-1)!.name); // "w" [2, 512] "w_encoder.linear.bias"
 * ```
 */
export function wEncoderGraph(config: EncoderConfig, options: EncoderGraphOptions = {}): GraphBuilder {
  return build(`w_encoder_${config.backbone}`, config, options, (g, x) => buildWEncoder(g, config, x), "w");
}

/**
 * The layer-wise encoder as a graph: input `x` [B, 3, S, S] in [−1, 1], output `features`
 * [B, nStyles, featureChannels, featureSize, featureSize].
 *
 * @param config encoder configuration
 * @param options batch, parameter scope
 * @returns the graph
 * @throws {RangeError} for a batch that is not a positive integer
 * @example
 * ```ts
 * import { TINY_ENCODER } from "./config.ts";
 * import { layerWiseEncoderGraph } from "./encoder_graphs.ts";
 * const g = layerWiseEncoderGraph(TINY_ENCODER);
 * console.log(g.outputs[0].name, g.outputs[0].shape); // "features" [1, 10, 64, 4, 4]
 * ```
 */
export function layerWiseEncoderGraph(
  config: EncoderConfig,
  options: EncoderGraphOptions = {},
): GraphBuilder {
  return build(
    `layer_wise_encoder_${config.backbone}`,
    config,
    options,
    (g, x) => buildLayerWiseEncoder(g, config, x),
    "features",
  );
}
