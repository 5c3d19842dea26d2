/**
 * Phase-I outputs per training image, computed once and kept for phase II, where E1 and G are frozen: the same
 * image always gives the same w = E1(x) + w_avg and x̂_w = G(w). The official training recomputes both (under
 * `torch.no_grad`) in every step: on church-256 that is ≈ 0.75 s of a ≈ 7 s step (bench row
 * `train-phase2-church256-*`, `phase_one_s`).
 *
 * Keys name the image a step sees: training-set indices, so a cache belongs to one image set; with random
 * flips the phase-II trainer uses 2·index + flipped. Memory is bounded by a budget: images are kept in the order they are first
 * met until the next would pass it, and the others are recomputed whenever they come (with a shuffled sampler,
 * each epoch then computes the same fraction of its batches). A batch with any image not kept runs phase I on
 * the whole batch (the cost of one step of the official code); a batch of kept images runs nothing.
 *
 * @module
 */

import type { GraphBuilder } from "../graph/builder.ts";
import type { HyperInverterArchitecture } from "../model/pipeline_graph.ts";
import { checkFiniteOutput, NonFiniteOutputError } from "../model/output_checks.ts";
import { phaseOneStageGraph } from "../model/stage_graphs.ts";
import { sessionFor } from "../runtime/session.ts";

/** Phase-I outputs of one batch. */
export interface PhaseOneOutputs {
  /** E1(x) + w_avg, [B, wDim]. */
  w: Float32Array;
  /** x̂_w = G(w), [B, 3, R, R]. */
  wImages: Float32Array;
}

/** Options of {@linkcode PhaseOneCache}. */
export interface PhaseOneCacheOptions {
  /** The most memory the kept outputs may take, MiB (0 keeps nothing: every batch runs phase I). Default 2048. */
  budgetMiB?: number;
  /** `cpu` (default), `cuda`, `webgpu` or `auto`. */
  device?: string;
  /** How an error names the image of a key (default `training image <key>`). */
  describeKey?: (key: number) => string;
}

/** What a cache did so far. */
export interface PhaseOneCacheStats {
  /** Batches served from kept outputs alone. */
  hits: number;
  /** Batches that ran phase I. */
  misses: number;
  /** Images kept. */
  images: number;
  /** Memory they take, bytes. */
  bytes: number;
}

/**
 * Phase-I outputs by training-image index, bounded by a memory budget.
 *
 * @example
 * ```ts
 * import { prngFill } from "../io/prng.ts";
 * import { resolveArchitecture } from "../model/architecture.ts";
 * import { phaseOneStageGraph } from "../model/stage_graphs.ts";
 * import { PhaseOneCache } from "./phase_one_cache.ts";
 * const architecture = resolveArchitecture({
 *   generator: { resolution: 32, channelBase: 512, channelMax: 32, mappingLayers: 2, zDim: 32, wDim: 32 },
 *   wEncoder: { preset: "tiny64", inputSize: 32, wDim: 32, featureSize: 2 },
 *   layerWiseEncoder: { preset: "tiny64", inputSize: 32, nStyles: 8, featureSize: 2 },
 *   hypernet: { hiddenDim: 8, featureChannels: 64, featureSize: 2 },
 * });
 * const weights = new Map(phaseOneStageGraph(architecture, 1).parameters.map((p, k) => [p.name, {
 *   data: p.name.endsWith("running_var") ? new Float32Array(p.size).fill(1) : prngFill(1, k, p.size, 0, 0.1),
 * }]));
 * const cache = new PhaseOneCache(architecture, weights, { budgetMiB: 1 });
 * const x = prngFill(2, 0, 2 * 3 * 32 * 32, 0, 0.5); // images 7 and 3, [2, 3, 32, 32]
 * const first = await cache.outputs([7, 3], x);
 * const again = await cache.outputs([3, 7], new Float32Array(x.length)); // both kept: x is not read
 * console.log(cache.stats.hits, cache.stats.misses, again.w[0] === first.w[32]); // 1 1 true
 * ```
 */
export class PhaseOneCache {
  private readonly kept = new Map<number, PhaseOneOutputs>();
  private readonly graphs = new Map<number, GraphBuilder>();
  private readonly budgetBytes: number;
  private readonly wSize: number;
  private readonly imageSize: number;
  /** What the cache did so far. */
  readonly stats: PhaseOneCacheStats = { hits: 0, misses: 0, images: 0, bytes: 0 };
  private readonly describe: (key: number) => string;

  /**
   * @param architecture resolved architecture
   * @param weights E1, `mapping.w_avg` and `synthesis.*` (frozen; read at every phase-I run)
   * @param options memory budget, device
   * @throws {RangeError} for a budget that is not a finite number ≥ 0
   */
  constructor(
    readonly architecture: HyperInverterArchitecture,
    private readonly weights: ReadonlyMap<string, { readonly data: Float32Array }>,
    private readonly options: PhaseOneCacheOptions = {},
  ) {
    const budgetMiB = options.budgetMiB ?? 2048;
    if (!(Number.isFinite(budgetMiB) && budgetMiB >= 0)) {
      throw new RangeError(`The phase-I cache budget must be a finite number of MiB ≥ 0, got ${budgetMiB}`);
    }
    this.budgetBytes = budgetMiB * 2 ** 20;
    this.describe = options.describeKey ?? ((key) => `training image ${key}`);
    const resolution = architecture.generator.resolution;
    this.wSize = architecture.generator.wDim;
    this.imageSize = 3 * resolution * resolution;
  }

  /**
   * The phase-I outputs of a batch: kept ones copied out, or phase I run on the whole batch when one is missing.
   *
   * @param indices the batch's keys (training-set indices)
   * @param x the batch's images [B, 3, R, R] (read only when phase I runs)
   * @returns w [B, wDim] and x̂_w [B, 3, R, R]
   * @throws {RangeError} when x does not hold B images, or phase I gives a non-finite value (nothing is kept)
   */
  async outputs(indices: ArrayLike<number>, x: Float32Array): Promise<PhaseOneOutputs> {
    const batch = indices.length;
    if (x.length !== batch * this.imageSize) {
      throw new RangeError(
        `Phase I: ${batch} indices but ${
          x.length / this.imageSize
        } images of 3×${this.architecture.generator.resolution}² in x (${x.length} values)`,
      );
    }
    const entries = Array.from(indices, (i) => this.kept.get(i));
    if (entries.every((e) => e !== undefined)) {
      this.stats.hits++;
      const w = new Float32Array(batch * this.wSize);
      const wImages = new Float32Array(batch * this.imageSize);
      entries.forEach((e, b) => {
        w.set(e!.w, b * this.wSize);
        wImages.set(e!.wImages, b * this.imageSize);
      });
      return { w, wImages };
    }
    this.stats.misses++;
    const computed = await this.run(batch, x);
    try {
      checkFiniteOutput(computed.w, batch, "W codes");
      checkFiniteOutput(computed.wImages, batch, "phase-I images");
    } catch (error) {
      if (!(error instanceof NonFiniteOutputError)) throw error;
      const name = error.stage === "W codes" ? "w" : "x̂_w";
      throw new RangeError(
        `Phase I gave a non-finite ${name} (${error.value}) for ${this.describe(indices[error.index])}: ` +
          `check the frozen E1 and G weights and that image`,
        { cause: error },
      );
    }
    const entryBytes = 4 * (this.wSize + this.imageSize);
    Array.from(indices).forEach((index, b) => {
      if (this.kept.has(index) || this.stats.bytes + entryBytes > this.budgetBytes) return;
      this.kept.set(index, {
        w: computed.w.slice(b * this.wSize, (b + 1) * this.wSize),
        wImages: computed.wImages.slice(b * this.imageSize, (b + 1) * this.imageSize),
      });
      this.stats.images++;
      this.stats.bytes += entryBytes;
    });
    return computed;
  }

  private async run(batch: number, x: Float32Array): Promise<PhaseOneOutputs> {
    let graph = this.graphs.get(batch);
    if (!graph) this.graphs.set(batch, graph = phaseOneStageGraph(this.architecture, batch));
    // No arena: once the images are kept this session runs rarely, and its peak should not stay next to the step's.
    const session = await sessionFor(graph, {
      device: this.options.device ?? "cpu",
      memoryPattern: false,
      memoryArena: false,
    });
    const feeds: Record<string, Float32Array> = { x };
    for (const p of graph.parameters) {
      const weight = this.weights.get(p.name);
      if (!weight) throw new TypeError(`Phase I needs the frozen weight "${p.name}"`);
      feeds[p.name] = weight.data;
    }
    const { outputs } = await session.run(feeds);
    return { w: outputs.w.data as Float32Array, wImages: outputs.w_images.data as Float32Array };
  }
}
