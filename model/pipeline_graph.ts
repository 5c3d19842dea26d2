/**
 * The whole HyperInverter forward pass as one graph (spec §0, §6):
 *
 * ```
 * x [B,3,R,R] ─resize 256─► E1 ─► w = E1(x256) + w_avg ─► ws [B,numWs,512] ─► G ─► x̂_w
 * [x256; resize(x̂_w)] ─► E2 (one batch of 2B) ─► Fx, Fw [B,L,C,S,S]
 * (Fw, Fx) ─► hypernet ─► ΔW per target ─► G(ws, θ + ΔW) ─► x̂
 * ```
 * With `refinementPasses` n > 1, each further pass feeds the current reconstruction to E2 and adds the new
 * residuals to the accumulated ΔW (the paper names iterative refinement as future work; 1 is the official model).
 *
 * Parameter names are the official checkpoint's: `synthesis.*` and `mapping.w_avg` (the generator pkl),
 * `w_encoder.*`, `w_bar_encoder.*`, `hypernet.*`.
 *
 * @module
 */

import { GraphBuilder } from "../graph/builder.ts";
import type { Tensor } from "../graph/tensor.ts";
import { type GeneratorConfig, numWs } from "../generator/config.ts";
import { layerRegistry } from "../generator/registry.ts";
import { buildSynthesis } from "../generator/synthesis.ts";
import { buildLayerWiseEncoder, buildWEncoder, type EncoderConfig } from "../encoders/mod.ts";
import { buildHypernet, type HypernetConfig } from "../hypernet/mod.ts";

/** A resolved architecture: every module's configuration. */
export interface HyperInverterArchitecture {
  /** The generator's configuration. */
  generator: GeneratorConfig;
  /** The W encoder's configuration. */
  wEncoder: EncoderConfig;
  /** The layer-wise encoder's configuration. */
  layerWiseEncoder: EncoderConfig;
  /** The hypernetwork's configuration. */
  hypernet: HypernetConfig;
  /** Phase-II passes (1 = the official model). */
  refinementPasses: number;
}

/** Options of {@linkcode hyperInverterGraph}. */
export interface PipelineGraphOptions {
  /** Batch size (static). Default 1. */
  batch?: number;
  /** Also output the encoder features `Fx`, `Fw` (first pass) for inspection and parity tests. */
  exposeFeatures?: boolean;
  /**
   * `"computed"` (default): E1 and the phase-I synthesis are part of the graph. `"given"`: they are not; the graph
   * takes their outputs as inputs `w` [B, 512] (E1(x) + w_avg) and `w_images` [B, 3, R, R] (x̂_w), e.g. from
   * {@linkcode phaseOneStageGraph} or a training run's cache of them (both are frozen in phase II), and outputs
   * no `w_images`.
   */
  phaseOne?: "computed" | "given";
  /** E2's styles on one map share their first convolution (see LayerWiseEncoderOptions; the training graphs). */
  mergeSharedInputConvs?: boolean;
  /** The hypernet's regressors as one stack (BuildHypernetOptions.stackRegressors: same values, fewer nodes). */
  stackRegressors?: boolean;
}

/**
 * Builds the inversion graph: input `x` [B, 3, R, R] in [−1, 1]; outputs `w_codes` [B, numWs, 512],
 * `w_images` [B, 3, R, R] (phase I), `final_images` [B, 3, R, R] and `dW.<target>` (the accumulated residual of
 * each target, e.g. `dW.b8.conv0.weight` [B, O, I, k, k]).
 *
 * @param architecture module configurations
 * @param options batch size, extra outputs
 * @returns the graph
 */
export function hyperInverterGraph(
  architecture: HyperInverterArchitecture,
  options: PipelineGraphOptions = {},
): GraphBuilder {
  const batch = options.batch ?? 1;
  if (!Number.isInteger(batch) || batch < 1) {
    throw new RangeError(`Batch must be a positive integer, got ${batch}`);
  }
  const passes = architecture.refinementPasses;
  if (!Number.isInteger(passes) || passes < 1) {
    throw new RangeError(`refinementPasses must be ≥ 1, got ${passes}`);
  }
  const generator = architecture.generator;
  const resolution = generator.resolution;
  const encoderSize = architecture.wEncoder.inputSize;
  if (architecture.layerWiseEncoder.inputSize !== encoderSize) {
    throw new RangeError(
      `The W encoder reads ${encoderSize}² but the layer-wise encoder reads ${architecture.layerWiseEncoder.inputSize}²`,
    );
  }
  const registry = layerRegistry(generator);
  const g = new GraphBuilder(`hyperinverter${resolution}`);
  const x = g.input("x", [batch, 3, resolution, resolution]); // [B, 3, R, R]

  // torch F.interpolate(bilinear, align_corners=False), no antialias (spec §6.3); identity when sizes agree.
  const toEncoderSize = (image: Tensor) =>
    resolution === encoderSize
      ? image
      : g.resize(image, [encoderSize, encoderSize], { coordinates: "half_pixel" });
  const xSmall = toEncoderSize(x); // [B, 3, S, S]

  const given = options.phaseOne === "given";
  const w = given ? g.input("w", [batch, generator.wDim]) : addW(g, architecture, xSmall); // [B, 512]
  const ws = repeatW(g, generator, w); // [B, numWs, 512]
  const phaseOne = given
    ? g.input("w_images", [batch, 3, resolution, resolution])
    : buildSynthesis(g, generator, ws); // [B, 3, R, R]

  const encoderOptions = { mergeSharedInputConvs: options.mergeSharedInputConvs };
  const encodeTwo = (a: Tensor, b: Tensor): [Tensor, Tensor] => {
    const both = g.concat([a, b], 0); // [2B, 3, S, S]
    const features = g.scope(
      "w_bar_encoder",
      () => buildLayerWiseEncoder(g, architecture.layerWiseEncoder, both, encoderOptions),
    );
    const first = g.slice(features, [0], [0], [batch]); // [B, L, C, s, s]
    const second = g.slice(features, [0], [batch], [2 * batch]); // [B, L, C, s, s]
    return [first, second];
  };
  const encodeOne = (a: Tensor): Tensor =>
    g.scope(
      "w_bar_encoder",
      () => buildLayerWiseEncoder(g, architecture.layerWiseEncoder, a, encoderOptions),
    );

  const [fx, fw] = encodeTwo(xSmall, toEncoderSize(phaseOne)); // [B, L, C, s, s] each
  if (options.exposeFeatures) {
    g.output(fx, "Fx");
    g.output(fw, "Fw");
  }
  const hypernetOptions = { stackRegressors: options.stackRegressors };
  let residuals = g.scope(
    "hypernet",
    () => buildHypernet(g, architecture.hypernet, registry, fw, fx, hypernetOptions),
  );
  let current = buildSynthesis(g, generator, ws, { residuals }); // [B, 3, R, R]
  for (let pass = 2; pass <= passes; pass++) {
    const fwPass = encodeOne(toEncoderSize(current));
    const update = g.scope(
      "hypernet",
      () => buildHypernet(g, architecture.hypernet, registry, fwPass, fx, hypernetOptions),
    );
    const accumulated = new Map<string, Tensor>();
    for (const [name, delta] of residuals) accumulated.set(name, g.add(delta, update.get(name)!));
    residuals = accumulated;
    current = buildSynthesis(g, generator, ws, { residuals });
  }
  g.output(ws, "w_codes");
  if (!given) g.output(phaseOne, "w_images");
  g.output(current, "final_images");
  for (const [name, delta] of residuals) g.output(delta, `dW.${name}`);
  return g;
}

/** w = E1(x at the encoder's size) + w_avg, [B, 512] (the phase-I code, one row for every layer). */
export function addW(g: GraphBuilder, architecture: HyperInverterArchitecture, xSmall: Tensor): Tensor {
  const wOffset = g.scope("w_encoder", () => buildWEncoder(g, architecture.wEncoder, xSmall)); // [B, 512]
  const wAvg = g.scope("mapping", () => g.parameter("w_avg", [architecture.generator.wDim])); // [512]
  return g.add(wOffset, wAvg); // [B, 512]
}

/** The one W code on every layer's row: [B, wDim] → [B, numWs, wDim] (E1 gives one w for all layers). */
export function repeatW(g: GraphBuilder, generator: GeneratorConfig, w: Tensor): Tensor {
  const batch = w.shape[0];
  return g.expand(g.reshape(w, [batch, 1, generator.wDim]), [batch, numWs(generator), generator.wDim]);
}
