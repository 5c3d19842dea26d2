/**
 * The phase-I W encoders (spec §2): pSp's `BackboneEncoderUsingLastLayerIntoW` (IR-SE50, faces) and
 * HyperInverter's `ResNetEncoderUsingLastLayerIntoW` (ResNet-34, churches): backbone → global average pool →
 * `linear` EqualLinear. The output is the offset from the average latent: the pipeline adds `w_avg`
 * (hyper_inverter.py L180-183).
 *
 * @module
 */

import type { GraphBuilder } from "../graph/builder.ts";
import type { Tensor } from "../graph/tensor.ts";
import { equalizedLinear } from "../generator/linear.ts";
import { buildBackbone } from "./backbone.ts";
import type { EncoderConfig } from "./config.ts";

/**
 * Adds a W encoder in the current scope (wrap it in `g.scope("w_encoder", …)` to get the checkpoint's
 * prefix). Parameters: the backbone's (`input_layer.*` or `conv1`/`bn1`/`relu`, then `body.*`) and
 * `linear.weight` [wDim, C_last], `linear.bias` [wDim], applied as `y = x·(W/√C_last)ᵀ + b` (rosinality
 * `EqualLinear`, lr_mul 1).
 *
 * @param g graph builder
 * @param config encoder configuration (backbone fields and `wDim`)
 * @param x images [B, inputChannels, inputSize, inputSize] in [−1, 1]
 * @returns the w offset [B, wDim]
 * @throws {TypeError} when x does not have the configured shape
 * @example
 * ```ts
 * import { GraphBuilder } from "../graph/builder.ts";
 * import { FFHQ_ENCODER } from "./config.ts";
 * import { buildWEncoder } from "./w_encoder.ts";
 * const g = new GraphBuilder("e1");
 * const w = g.scope("w_encoder", () => buildWEncoder(g, FFHQ_ENCODER, g.input("x", [2, 3, 256, 256])));
 * console.log(w.shape, g.parameters[0].name); // [2, 512] "w_encoder.input_layer.0.weight"
 * ```
 */
export function buildWEncoder(g: GraphBuilder, config: EncoderConfig, x: Tensor): Tensor {
  const { output } = buildBackbone(g, config, x); // [B, C_last, s, s]
  const batch = output.shape[0];
  const pooled = g.reshape(g.reduceMean(output, [2, 3]), [batch, output.shape[1]]); // [B, C_last]
  return g.scope("linear", () => equalizedLinear(g, pooled, { outFeatures: config.wDim })); // [B, wDim]
}
