/**
 * The HyperInverter model at run time: an architecture, its weights, and one ONNX Runtime session per batch
 * size. `invert()` takes images in [−1, 1] and returns the w codes, the phase-I and final images and every
 * predicted ΔW, as ndarray views.
 *
 * @module
 */

import type { NdArray } from "../deps.ts";
import type { GraphBuilder } from "../graph/builder.ts";
import { numel } from "../graph/tensor.ts";
import { type RunResult, sessionFor } from "../runtime/session.ts";
import { toNdarray } from "../runtime/host_tensor.ts";
import type { ProviderName } from "../runtime/devices.ts";
import { parameterFeeds, weightData, type WeightValue } from "../runtime/weights.ts";
import { type HyperInverterArchitecture, hyperInverterGraph } from "./pipeline_graph.ts";
import {
  encodeStageGraph,
  featureStageGraph,
  hypernetStageGraph,
  wEncodeStageGraph,
} from "./stage_graphs.ts";
import { synthesisGraph } from "../generator/generator_graphs.ts";
import type { HostData, HostTensor } from "../runtime/host_tensor.ts";
import { checkFiniteOutput } from "./output_checks.ts";
import { withWinogradConvs } from "../graph/winograd_rewrite.ts";
import { quantizedParameters, withInt8Convs } from "../graph/int8_rewrite.ts";
import { outputReshapesOnHost, withHostShapes } from "../graph/host_reshape.ts";
import { winogradWeight } from "../graph/winograd.ts";

/** The stages of a staged inversion. */
export type StageName = "encode" | "phaseOne" | "features" | "hypernet" | "phaseTwo";

/** What one call of {@linkcode HyperInverter.invert} returns. */
export interface InversionResult {
  /** [B, numWs, 512]: every row is the same w (W space). */
  wCodes: NdArray<Float32Array>;
  /** [B, 3, R, R]: G(w), the phase-I reconstruction x̂_w. */
  phaseOneImages: NdArray<Float32Array>;
  /** [B, 3, R, R]: G(w, θ + ΔW), the final reconstruction x̂. */
  finalImages: NdArray<Float32Array>;
  /** ΔW per target tensor (`"b8.conv0.weight"` → [B, O, I, k, k]). */
  residuals: Map<string, NdArray<Float32Array>>;
  /** The execution provider that ran. */
  provider: ProviderName;
  /** Wall time of the whole inversion in milliseconds. */
  milliseconds: number;
  /** Time of each stage's run in milliseconds (staged mode), e.g. `{ encode, phaseOne, features, hypernet, phaseTwo }`. */
  stageMilliseconds: Record<string, number>;
  /**
   * With {@linkcode InvertOptions.hypernetGraph}: per refinement pass, that graph's outputs other than `dW.*`
   * (e.g. the codes `v.<key>` [B, D]).
   */
  hypernetExtras?: Record<string, HostTensor>[];
}

/** Options of one inversion. */
export interface InvertOptions {
  /**
   * A graph run in place of the hypernet stage (staged mode): the same inputs `Fw`, `Fx` and `dW.<target>`
   * outputs, plus any others, returned per pass in `hypernetExtras` (model/compact_inversion.ts reads the
   * codes v this way).
   */
  hypernetGraph?: GraphBuilder;
}

/** Options of the model at run time. */
export interface HyperInverterOptions {
  /** Device name (`cpu`, `cuda`, `webgpu`, `auto`); default `cpu`. */
  device?: string;
  /**
   * `staged` (default): one session per stage, run in sequence, so that the peak memory is the largest stage's;
   * `fused`: the whole forward as one graph ({@linkcode hyperInverterGraph}).
   */
  mode?: "staged" | "fused";
  /**
   * Give up ONNX Runtime's memory arena for the synthesis too (default false): the peak memory drops by the
   * arena (≈ 0.3 GB at 1024²) and each run re-allocates its activations (≈ 20 % slower at 1024²).
   */
  lowMemory?: boolean;
  /**
   * Run the large 3×3 stride-1 convolutions by Winograd F(4×4, 3×3) (graph/winograd.ts; staged mode; default
   * true, false with `lowMemory`): 4× fewer multiplies, results equal to the direct convolution up to float
   * rounding (≈ 1e-6 relative); the encoders' weights are then baked into their sessions on the CPU too (one
   * more copy of them, in ONNX Runtime). `false` runs every convolution directly, as the official code does.
   */
  winograd?: boolean;
  /**
   * `float32` (default): every operation in float32, as the official code. `int8` (opt-in, CPU only: device
   * `auto` then means the CPU, `cuda` and `webgpu` are refused): the encoders'
   * convolutions (E1 and E2, fixed weights) run in 8 bits (graph/int8_conv.ts: per-image uint8 inputs,
   * per-channel int8 weights quantized once on the host, ONNX MatMulInteger), ≈ 3× faster products on a CPU
   * with VNNI. Images differ from float32 by the quantization error (measured in `deno task bench`, row
   * `invert-church256-batch1-int8`). The synthesis (modulated weights) and the hypernetwork stay float32.
   */
  precision?: "float32" | "int8";
}

/**
 * A HyperInverter model: call {@linkcode HyperInverter.invert} with a batch of images.
 */
export class HyperInverter {
  private readonly graphs = new Map<number, GraphBuilder>();
  private readonly stages = new Map<string, GraphBuilder>();

  /**
   * @param architecture resolved module configurations
   * @param weights every parameter by its pipeline name (`synthesis.*`, `mapping.w_avg`, `w_encoder.*`,
   *   `w_bar_encoder.*`, `hypernet.*`)
   * @param options device
   */
  /** Wraps a loaded model; use the loaders rather than this constructor. */
  constructor(
    readonly architecture: HyperInverterArchitecture,
    readonly weights: ReadonlyMap<string, WeightValue>,
    readonly options: HyperInverterOptions = {},
  ) {
    const precision = options.precision ?? "float32";
    if (precision !== "float32" && precision !== "int8") {
      throw new TypeError(`Unknown precision "${precision}"; use "float32" or "int8"`);
    }
    if (precision === "int8") {
      const device = options.device ?? "cpu";
      if (device !== "cpu" && device !== "auto") {
        throw new TypeError(
          `precision "int8" runs on the CPU provider only (its MatMulInteger products are a CPU kernel); ` +
            `device "${device}" was asked for: use device "cpu", or precision "float32" on the GPU`,
        );
      }
      this.options = { ...options, device: "cpu" }; // "auto" means the CPU in int8 mode
    }
  }

  /** Output side R of the generator. */
  get resolution(): number {
    return this.architecture.generator.resolution;
  }

  /** The inversion graph for a batch size (built once per size), after checking that every weight is present. */
  graph(batch: number): GraphBuilder {
    const graph = this.graphWithoutChecks(batch);
    parameterFeeds(graph, this.weights); // fail early, listing every missing or mis-shaped weight
    return graph;
  }

  /** The inversion graph for a batch size, without looking at the weights (e.g. to list its parameters). */
  graphWithoutChecks(batch: number): GraphBuilder {
    let graph = this.graphs.get(batch);
    if (!graph) {
      graph = hyperInverterGraph(this.architecture, { batch });
      this.graphs.set(batch, graph);
    }
    return graph;
  }

  /**
   * Inverts a batch of images.
   *
   * @param images [B, 3, R, R] values in [−1, 1], row-major
   * @param batch B
   * @param options `hypernetGraph`: a hypernet graph with extra outputs to run instead (staged mode)
   * @returns w codes, phase-I and final images, ΔW per target, the provider and the time
   * @throws {TypeError} when the image data does not have B·3·R·R values, or contains NaN or infinity
   * @throws {NonFiniteOutputError} (model/output_checks.ts) naming the stage (W codes, phase-I images,
   *   residuals, final images) and the input's batch row, when an output holds NaN or infinity
   */
  async invert(images: Float32Array, batch: number, options: InvertOptions = {}): Promise<InversionResult> {
    const expected = batch * 3 * this.resolution * this.resolution;
    if (images.length !== expected) {
      throw new TypeError(
        `Expected ${batch} image(s) of 3×${this.resolution}×${this.resolution} (${expected} values), got ${images.length}`,
      );
    }
    for (let i = 0; i < images.length; i++) {
      if (!Number.isFinite(images[i])) {
        throw new TypeError(`Image values must be finite; value ${i} is ${images[i]}`);
      }
    }
    const result = (this.options.mode ?? "staged") === "fused" && !options.hypernetGraph
      ? await this.invertFused(images, batch)
      : await this.invertStaged(images, batch, options.hypernetGraph);
    // In pipeline order, so the message names the first stage that went wrong.
    checkFiniteOutput(result.wCodes.data, batch, "W codes");
    checkFiniteOutput(result.phaseOneImages.data, batch, "phase-I images");
    for (const [target, residual] of result.residuals) {
      checkFiniteOutput(residual.data, batch, "residuals", `ΔW "${target}"`);
    }
    checkFiniteOutput(result.finalImages.data, batch, "final images");
    return result;
  }

  /** The graph of one stage for a batch size (built once). */
  stageGraph(stage: StageName, batch: number): GraphBuilder {
    const key = `${stage}:${batch}`;
    let graph = this.stages.get(key);
    if (!graph) {
      const architecture = this.architecture;
      graph = stage === "encode"
        ? encodeStageGraph(architecture, batch)
        : stage === "features"
        ? featureStageGraph(architecture, batch)
        : stage === "hypernet"
        ? hypernetStageGraph(architecture, batch)
        : synthesisGraph(architecture.generator, {
          batch,
          residuals: stage === "phaseTwo" ? architecture.hypernet.targetSet : undefined,
        });
      parameterFeeds(graph, this.weights);
      this.stages.set(key, graph);
    }
    return graph;
  }

  private readonly runGraphs = new Map<string, GraphBuilder>();

  /**
   * The graph a stage runs: {@linkcode HyperInverter.stageGraph} with its large 3×3 convolutions by Winograd,
   * unless the `winograd` option is off (exports keep the plain stage graphs).
   *
   * @param stage the stage
   * @param batch batch size
   * @returns the graph (built once)
   */
  executionGraph(stage: StageName, batch: number): GraphBuilder {
    const key = `${stage}:${batch}`;
    let graph = this.runGraphs.get(key);
    if (!graph) {
      // The encode stage runs E1 only: E2 of x joins E2 of x̂_w in the feature stage (invertStaged).
      graph = stage === "encode"
        ? wEncodeStageGraph(this.architecture, batch)
        : this.stageGraph(stage, batch);
      const encoder = stage === "encode" || stage === "features";
      if (encoder && this.options.precision === "int8") {
        const rewrite = withInt8Convs(graph);
        graph = rewrite.graph;
        quantizedParameters(rewrite.quantizedWeights, (name) => this.floatWeight(name), this.runWeights);
      }
      if (this.options.winograd ?? !(this.options.lowMemory ?? false)) {
        // Measured on 2 cores (CPU time, Winograd ÷ direct): the encoders' fixed weights are transformed once,
        // on the host (parameters `<name>.winograd`, 4× the weight's size: ≈ 0.6 GB more at church-256, none
        // in ONNX Runtime), so from 16² on with ≥ 128 channels (128@64² 0.76,
        // 256@32² 0.55, 512@16² 0.55; 512@8² 1.7, 64@128² 1.03); the synthesis' modulated weights are
        // transformed on every run, which pays from 32² (512@64² 0.50, 256@128² 0.46, 128@256² 0.74,
        // 512@32² 0.82; 512@16² 2.1), up to 256²: FFHQ-1024's synthesis (both passes), CPU and wall time,
        // direct → Winograd: up to 256² 2624 → 2205 and 2679 → 2298 ms; also at 512² 2216 and 3696 ms, where
        // the transforms' tensors (2.25× a 128 MB activation) make it slower than direct.
        graph = withWinogradConvs(graph, {
          minOutputSize: 32,
          minOutputSizeFixedWeight: encoder ? 16 : Infinity,
          minChannels: 128,
          maxOutputSize: 256,
          parameterWeights: "parameter",
        }).graph;
        for (const p of graph.parameters) {
          if (!p.name.endsWith(".winograd") || this.runWeights.has(p.name)) continue;
          const name = p.name.slice(0, -".winograd".length);
          const data = this.floatWeight(name);
          if (!data) continue; // parameterFeeds names it
          const shape = [p.shape[1], p.shape[2], 3, 3];
          this.runWeights.set(p.name, winogradWeight(data, shape));
        }
      }
      this.runGraphs.set(key, graph);
    }
    return graph;
  }

  /** Runs one stage's graph. */
  private async runStage(
    stage: StageName,
    batch: number,
    feeds: Record<string, HostData | HostTensor>,
    times: Record<string, number>,
    override?: GraphBuilder,
  ): Promise<RunResult> {
    // Phase I and phase II share one synthesis session (phase I with zero residuals), and only that session
    // keeps a memory arena: its activations are the largest, and re-allocating them costs ≈ 20 % at 1024².
    // Its memory pattern is off, so the arena holds what is alive at once rather than one planned block.
    const low = this.options.lowMemory ?? false;
    const planned = override ?? this.executionGraph(stage === "phaseOne" && !low ? "phaseTwo" : stage, batch);
    const hostReshape = outputReshapesOnHost(planned);
    const graph = hostReshape.graph;
    const synthesis = (stage === "phaseOne" || stage === "phaseTwo") && !low;
    const device = this.options.device ?? "cpu";
    const bake = device === "cuda" || device === "webgpu";
    const { initializers, parameters } = this.weightsFor(graph, bake);
    const session = await sessionFor(graph, {
      device: this.options.device ?? "cpu",
      memoryArena: synthesis,
      memoryPattern: !synthesis,
      initializers,
    });
    const result = await session.run({ ...feeds, ...parameters });
    times[stage] = (times[stage] ?? 0) + result.milliseconds;
    withHostShapes(result.outputs, hostReshape.hostShapes);
    return result;
  }

  private readonly baked = new WeakMap<GraphBuilder, ReadonlyMap<string, HostData>>();
  /**
   * The weights the run graphs take: the model's, plus the Winograd-domain weights (`<name>.winograd`,
   * {@linkcode winogradWeight}) of the encoders' rewritten convolutions and, in the int8 mode, their quantized
   * weights (`<name>.int8`, `<name>.int8_scale`), computed once on the host.
   */
  private readonly runWeights = new Map<string, WeightValue>();

  /** A model weight's float32 values, or undefined when it is absent or not float32. */
  private floatWeight(name: string): Float32Array | undefined {
    const weight = this.weights.get(name);
    const data = weight === undefined ? undefined : weightData(weight);
    return data instanceof Float32Array ? data : undefined;
  }

  /**
   * How a graph gets its weights. On an explicit GPU device (`cuda`, `webgpu`) they are baked into the session
   * as initializers, so they are uploaded once per session instead of on every run (church-256: 1265 of the
   * 1449 MiB sent to the device per image); on the CPU they are fed each run (no copy, and no second copy in
   * ONNX Runtime's memory).
   */
  private weightsFor(graph: GraphBuilder, bake: boolean): {
    initializers?: ReadonlyMap<string, HostData>;
    parameters: Record<string, HostData>;
  } {
    const weights = this.runWeights.size ? this.allRunWeights() : this.weights;
    if (!bake) return { parameters: parameterFeeds(graph, weights) };
    let initializers = this.baked.get(graph);
    if (!initializers) {
      initializers = new Map(Object.entries(parameterFeeds(graph, weights)));
      this.baked.set(graph, initializers);
    }
    return { initializers, parameters: {} };
  }

  private allRunWeightsCache?: { size: number; map: ReadonlyMap<string, WeightValue> };

  /** The model's weights and the run graphs' extra ones, as one map (rebuilt when one was added). */
  private allRunWeights(): ReadonlyMap<string, WeightValue> {
    if (this.allRunWeightsCache?.size !== this.runWeights.size) {
      this.allRunWeightsCache = {
        size: this.runWeights.size,
        map: new Map([...this.weights, ...this.runWeights]),
      };
    }
    return this.allRunWeightsCache.map;
  }

  private readonly zeros = new Map<number, Record<string, HostData>>();

  /**
   * Zero residual feeds for phase I: views of one shared zero buffer as long as the largest residual (inputs are
   * read-only), so phase I costs no extra ΔW-sized memory.
   */
  private zeroResiduals(batch: number): Record<string, HostData> {
    let feeds = this.zeros.get(batch);
    if (!feeds) {
      const inputs = this.stageGraph("phaseTwo", batch).inputs.filter((t) => t.name.startsWith("residual."));
      const zero = new Float32Array(Math.max(...inputs.map((t) => t.size)));
      feeds = Object.fromEntries(inputs.map((t) => [t.name, zero.subarray(0, t.size)]));
      this.zeros.set(batch, feeds);
    }
    return feeds;
  }

  /** Inverts with one session per stage. */
  private async invertStaged(
    images: Float32Array,
    batch: number,
    hypernetGraph?: GraphBuilder,
  ): Promise<InversionResult> {
    const start = performance.now();
    const times: Record<string, number> = {};
    const encoded = await this.runStage("encode", batch, { x: images }, times);
    const ws = encoded.outputs.ws;
    let fx: HostData | undefined;
    const phaseOneFeeds = this.options.lowMemory ? { ws } : { ws, ...this.zeroResiduals(batch) };
    const phaseOne = await this.runStage("phaseOne", batch, phaseOneFeeds, times);
    let reconstruction = phaseOne.outputs.img;
    const residuals = new Map<string, HostTensor>();
    let provider = phaseOne.provider;
    const extras: Record<string, HostTensor>[] = [];
    for (let pass = 1; pass <= this.architecture.refinementPasses; pass++) {
      // E2 of x and of the reconstruction as one batch of 2B: [x; x̂] → [Fx; Fw]. Later passes feed x again
      // rather than keep a second, batch-B session (and copy of E2's weights).
      const pair = new Float32Array(2 * images.length);
      pair.set(images);
      pair.set(reconstruction.data as Float32Array, images.length);
      const features = (await this.runStage("features", 2 * batch, { image: pair }, times)).outputs.F;
      const half = features.data.length / 2;
      fx ??= (features.data as Float32Array).subarray(0, half);
      const fw = (features.data as Float32Array).subarray(half);
      const predicted = await this.runStage("hypernet", batch, { Fw: fw, Fx: fx }, times, hypernetGraph);
      const extra: Record<string, HostTensor> = {};
      extras.push(extra);
      for (const [name, tensor] of Object.entries(predicted.outputs)) {
        if (!name.startsWith("dW.")) {
          extra[name] = tensor;
          continue;
        }
        const target = name.slice(3); // "dW.<target>"
        const accumulated = residuals.get(target);
        if (!accumulated) residuals.set(target, tensor);
        else {
          const sum = accumulated.data as Float32Array;
          const delta = tensor.data as Float32Array;
          for (let i = 0; i < sum.length; i++) sum[i] += delta[i];
        }
      }
      const feeds: Record<string, HostTensor> = { ws };
      for (const [target, tensor] of residuals) feeds[`residual.${target}`] = tensor;
      const phaseTwo = await this.runStage("phaseTwo", batch, feeds, times);
      reconstruction = phaseTwo.outputs.img;
      provider = phaseTwo.provider;
    }
    const views = new Map<string, NdArray<Float32Array>>();
    for (const [target, tensor] of residuals) views.set(target, toNdarray(tensor));
    return {
      wCodes: toNdarray(ws),
      phaseOneImages: toNdarray(phaseOne.outputs.img),
      finalImages: toNdarray(reconstruction),
      residuals: views,
      provider,
      milliseconds: performance.now() - start,
      stageMilliseconds: times,
      ...(hypernetGraph ? { hypernetExtras: extras } : {}),
    };
  }

  /** Inverts with the fused pipeline graph. */
  private async invertFused(images: Float32Array, batch: number): Promise<InversionResult> {
    const graph = this.graph(batch);
    const device = this.options.device ?? "cpu";
    const { initializers, parameters } = this.weightsFor(graph, device === "cuda" || device === "webgpu");
    const session = await sessionFor(graph, { device: this.options.device ?? "cpu", initializers });
    const result = await session.run({ x: images, ...parameters });
    const residuals = new Map<string, NdArray<Float32Array>>();
    for (const [name, tensor] of Object.entries(result.outputs)) {
      if (name.startsWith("dW.")) residuals.set(name.slice(3), toNdarray(tensor));
    }
    return {
      wCodes: toNdarray(result.outputs.w_codes),
      phaseOneImages: toNdarray(result.outputs.w_images),
      finalImages: toNdarray(result.outputs.final_images),
      residuals,
      provider: result.provider,
      milliseconds: result.milliseconds,
      stageMilliseconds: { fused: result.milliseconds },
    };
  }

  /**
   * Renders ws with the generator and per-sample residuals (phase II's synthesis), e.g. to show an edit that
   * moves w and reuses the predicted ΔW (spec §7).
   *
   * @param ws [B, numWs, wDim]
   * @param residuals ΔW per target, each [B, …target shape] (as {@linkcode InversionResult.residuals}), or null
   *   for the generator's own weights (phase I: G(w))
   * @param batch B
   * @returns images [B, 3, R, R]
   * @throws {NonFiniteOutputError} naming the batch row when an image holds NaN or infinity
   */
  async synthesize(
    ws: Float32Array,
    residuals: ReadonlyMap<string, { data: Float32Array }> | null,
    batch: number,
  ): Promise<NdArray<Float32Array>> {
    if (residuals === null) {
      const feeds = this.options.lowMemory ? { ws } : { ws, ...this.zeroResiduals(batch) };
      const images = toNdarray((await this.runStage("phaseOne", batch, feeds, {})).outputs.img);
      checkFiniteOutput(images.data, batch, "synthesis");
      return images;
    }
    const feeds: Record<string, HostData> = { ws };
    for (const t of this.stageGraph("phaseTwo", batch).inputs) {
      if (!t.name.startsWith("residual.")) continue;
      const residual = residuals.get(t.name.slice("residual.".length));
      if (!residual) throw new TypeError(`No residual for "${t.name.slice(9)}"`);
      feeds[t.name] = residual.data;
    }
    const result = await this.runStage("phaseTwo", batch, feeds, {});
    const images = toNdarray(result.outputs.img);
    checkFiniteOutput(images.data, batch, "synthesis");
    return images;
  }

  /** Number of parameters of each module. */
  parameterCounts(): Record<string, number> {
    const counts: Record<string, number> = { generator: 0, wEncoder: 0, layerWiseEncoder: 0, hypernet: 0 };
    for (const p of this.graph(1).parameters) {
      const module = p.name.startsWith("w_encoder.")
        ? "wEncoder"
        : p.name.startsWith("w_bar_encoder.")
        ? "layerWiseEncoder"
        : p.name.startsWith("hypernet.")
        ? "hypernet"
        : "generator";
      counts[module] += numel(p.shape);
    }
    return counts;
  }
}
