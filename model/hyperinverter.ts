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
import { sessionFor } from "../runtime/session.ts";
import { toNdarray } from "../runtime/host_tensor.ts";
import type { ProviderName } from "../runtime/devices.ts";
import { parameterFeeds, type WeightValue } from "../runtime/weights.ts";
import { type HyperInverterArchitecture, hyperInverterGraph } from "./pipeline_graph.ts";

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
  /** Wall time of the run in milliseconds. */
  milliseconds: number;
}

/** Options of the model at run time. */
export interface HyperInverterOptions {
  /** Device name (`cpu`, `cuda`, `webgpu`, `auto`); default `cpu`. */
  device?: string;
}

/**
 * A HyperInverter model: call {@linkcode HyperInverter.invert} with a batch of images.
 */
export class HyperInverter {
  private readonly graphs = new Map<number, GraphBuilder>();

  /**
   * @param architecture resolved module configurations
   * @param weights every parameter by its pipeline name (`synthesis.*`, `mapping.w_avg`, `w_encoder.*`,
   *   `w_bar_encoder.*`, `hypernet.*`)
   * @param options device
   */
  constructor(
    readonly architecture: HyperInverterArchitecture,
    readonly weights: ReadonlyMap<string, WeightValue>,
    readonly options: HyperInverterOptions = {},
  ) {}

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
   * @returns w codes, phase-I and final images, ΔW per target, the provider and the time
   * @throws {TypeError} when the image data does not have B·3·R·R values, or contains NaN or infinity
   */
  async invert(images: Float32Array, batch: number): Promise<InversionResult> {
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
    const graph = this.graph(batch);
    const session = await sessionFor(graph, { device: this.options.device ?? "cpu" });
    const result = await session.run({ x: images, ...parameterFeeds(graph, this.weights) });
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
    };
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
