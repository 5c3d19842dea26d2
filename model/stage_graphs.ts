/**
 * The inversion split into stage graphs, run one after another by {@linkcode HyperInverter}: each stage's
 * temporary memory is freed before the next starts, so the peak is the largest stage, not the whole forward.
 *
 * ```
 * encode(x)              → ws [B,numWs,512], Fx [B,L,C,S,S]     (resize, E1 + w_avg, E2)
 * synthesis(ws)          → x̂_w                                   (phase I)
 * features(x̂_w)          → Fw                                    (resize, E2)
 * hypernet(Fw, Fx)       → ΔW per target
 * synthesis(ws, θ + ΔW)  → x̂                                     (phase II)
 * ```
 * Parameter names are the pipeline's (`w_encoder.*`, `w_bar_encoder.*`, `hypernet.*`, `synthesis.*`,
 * `mapping.w_avg`), so one weight map feeds every stage.
 *
 * @module
 */

import { GraphBuilder } from "../graph/builder.ts";
import type { Tensor } from "../graph/tensor.ts";
import { layerRegistry } from "../generator/registry.ts";
import { buildSynthesis } from "../generator/synthesis.ts";
import { buildLayerWiseEncoder } from "../encoders/mod.ts";
import { buildHypernet } from "../hypernet/mod.ts";
import { addW, type HyperInverterArchitecture, repeatW } from "./pipeline_graph.ts";

function toEncoderSize(g: GraphBuilder, image: Tensor, size: number): Tensor {
  // torch F.interpolate(bilinear, align_corners=False), no antialias (spec §6.3); identity when sizes agree.
  return image.shape[2] === size ? image : g.resize(image, [size, size], { coordinates: "half_pixel" });
}

/**
 * Stage 1: input `x` [B, 3, R, R] → outputs `ws` [B, numWs, wDim] (E1 + w_avg, repeated) and `Fx` (E2 of x).
 *
 * @param architecture resolved architecture
 * @param batch batch size
 * @returns the graph
 */
export function encodeStageGraph(architecture: HyperInverterArchitecture, batch: number): GraphBuilder {
  const g = new GraphBuilder("encode");
  const small = addWCodes(g, architecture, batch);
  g.output(
    g.scope("w_bar_encoder", () => buildLayerWiseEncoder(g, architecture.layerWiseEncoder, small)),
    "Fx",
  );
  return g;
}

/**
 * Phase I alone, frozen in phase II: input `x` [B, 3, R, R] → outputs `w` [B, 512] (E1 + w_avg) and `w_images`
 * [B, 3, R, R] (x̂_w = G(w)). Its outputs are what {@linkcode hyperInverterGraph} takes with `phaseOne: "given"`
 * (the phase-II trainer computes them once per training image and keeps them, train/phase_one_cache.ts).
 *
 * @example
 * ```ts
 * import { resolveArchitecture } from "./architecture.ts";
 * import { CHURCH_256_D64 } from "./presets.ts";
 * import { phaseOneStageGraph } from "./stage_graphs.ts";
 * const g = phaseOneStageGraph(resolveArchitecture(CHURCH_256_D64), 2);
 * console.log(g.outputs.map((t) => `${t.name} [${t.shape}]`).join(", ")); // w [2,512], w_images [2,3,256,256]
 * ```
 *
 * @param architecture resolved architecture
 * @param batch batch size
 * @returns the graph
 */
export function phaseOneStageGraph(architecture: HyperInverterArchitecture, batch: number): GraphBuilder {
  const { generator, wEncoder } = architecture;
  const g = new GraphBuilder("phase_one");
  const x = g.input("x", [batch, 3, generator.resolution, generator.resolution]); // [B, 3, R, R]
  const w = addW(g, architecture, toEncoderSize(g, x, wEncoder.inputSize)); // [B, 512]
  g.output(w, "w");
  g.output(buildSynthesis(g, generator, repeatW(g, generator, w)), "w_images"); // [B, 3, R, R]
  return g;
}

/**
 * Adds input `x` and output `ws` (E1 + w_avg, repeated on every row) to a stage graph.
 *
 * @returns x resized for the encoders [B, 3, 256, 256]
 */
function addWCodes(g: GraphBuilder, architecture: HyperInverterArchitecture, batch: number): Tensor {
  const { generator, wEncoder } = architecture;
  const x = g.input("x", [batch, 3, generator.resolution, generator.resolution]); // [B, 3, R, R]
  const small = toEncoderSize(g, x, wEncoder.inputSize); // [B, 3, 256, 256]
  const w = addW(g, architecture, small); // [B, 512]
  g.output(repeatW(g, generator, w), "ws"); // [B, numWs, 512]
  return small;
}

/**
 * Stage 1 without E2: input `x` [B, 3, R, R] → output `ws` [B, numWs, wDim] (E1 + w_avg, repeated). The
 * staged inversion runs this and E2 of x together with E2 of x̂_w, as one batch of 2B in the feature stage
 * (E2's weights are then read once for both, and held once).
 *
 * @param architecture resolved architecture
 * @param batch batch size
 * @returns the graph
 * @example
 * ```ts
 * import { resolveArchitecture } from "./architecture.ts";
 * import { wEncodeStageGraph } from "./stage_graphs.ts";
 * const g = wEncodeStageGraph(resolveArchitecture({
 *   generator: { resolution: 64, channelBase: 1024, channelMax: 64, mappingLayers: 2 },
 *   wEncoder: { preset: "tiny64" },
 *   layerWiseEncoder: { preset: "tiny64" },
 *   hypernet: { hiddenDim: 8, featureChannels: 64, featureSize: 4 },
 * }), 2);
 * console.log(g.outputs.map((t) => t.name), g.outputs[0].shape); // ["ws"] [2, 10, 512]
 * ```
 */
export function wEncodeStageGraph(architecture: HyperInverterArchitecture, batch: number): GraphBuilder {
  const g = new GraphBuilder("w_encode");
  addWCodes(g, architecture, batch);
  return g;
}

/**
 * Stage 3: input `image` [B, 3, R, R] → output `F` [B, L, C, S, S] (E2 of a reconstruction).
 *
 * @param architecture resolved architecture
 * @param batch batch size
 * @returns the graph
 */
export function featureStageGraph(architecture: HyperInverterArchitecture, batch: number): GraphBuilder {
  const { generator, layerWiseEncoder } = architecture;
  const g = new GraphBuilder("features");
  const image = g.input("image", [batch, 3, generator.resolution, generator.resolution]);
  const small = toEncoderSize(g, image, layerWiseEncoder.inputSize);
  g.output(g.scope("w_bar_encoder", () => buildLayerWiseEncoder(g, layerWiseEncoder, small)), "F");
  return g;
}

/**
 * Stage 4: inputs `Fw`, `Fx` [B, L, C, S, S] → outputs `dW.<target>` (the hypernet).
 *
 * @param architecture resolved architecture
 * @param batch batch size
 * @returns the graph
 */
export function hypernetStageGraph(architecture: HyperInverterArchitecture, batch: number): GraphBuilder {
  const { generator, hypernet } = architecture;
  const g = new GraphBuilder("hypernet");
  const shape = featureMapsShape(architecture, batch);
  const fw = g.input("Fw", shape);
  const fx = g.input("Fx", shape);
  const residuals = g.scope("hypernet", () => buildHypernet(g, hypernet, layerRegistry(generator), fw, fx));
  for (const [name, delta] of residuals) g.output(delta, `dW.${name}`);
  return g;
}

/**
 * The shape of the layer-wise encoder's feature maps, the hypernet's inputs `Fw` and `Fx`.
 *
 * @param architecture resolved architecture
 * @param batch batch size
 * @returns [B, L, C, S, S]
 * @example
 * ```ts
 * import { resolveArchitecture } from "./architecture.ts";
 * import { CHURCH_256_D64 } from "./presets.ts";
 * import { featureMapsShape } from "./stage_graphs.ts";
 * console.log(featureMapsShape(resolveArchitecture(CHURCH_256_D64), 2)); // [2, 14, 512, 8, 8]
 * ```
 */
export function featureMapsShape(architecture: HyperInverterArchitecture, batch: number): number[] {
  const { nStyles, featureChannels, featureSize } = architecture.layerWiseEncoder;
  return [batch, nStyles, featureChannels, featureSize, featureSize];
}
