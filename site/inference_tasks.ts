/**
 * The site's model work, as plain messages: invert images, render an edit (w moved along a principal direction
 * of W, the predicted ΔW reused) and render an interpolation between two inversions. {@linkcode InferenceRunner}
 * runs them with cached models, inversions and directions; an interpolation goes through the regressors' codes v
 * (model/compact_inversion.ts: exactly interpolating ΔW, the mapper being affine) when the model has them. The
 * worker (`inference_worker.ts`) wraps it, because
 * ONNX Runtime's `run` blocks the thread that calls it.
 *
 * @module
 */

import { numWs } from "../generator/config.ts";
import { loadHyperInverter } from "../model/load.ts";
import type { HyperInverter } from "../model/hyperinverter.ts";
import { invertWithCodes, modelIdentity, residualsFromCodes } from "../model/compact_inversion.ts";
import { FaceDetector } from "../faces/detect.ts";
import { alignUpload, invertToFile, pasteUpload, renderInversionFile } from "./photo_inversion.ts";
import {
  interfaceGanEdit,
  interpolateAt,
  interpolateCodesAt,
  type InversionCodes,
  principalComponents,
  sampleW,
} from "../editing/mod.ts";
import { readLearnedDirections } from "./directions.ts";

/** A unit of model work. Images are NCHW float32 in [−1, 1] at the model's resolution. */
export type InferenceTask =
  | { kind: "info"; modelPath: string }
  | { kind: "invert"; modelPath: string; images: Float32Array; batch: number }
  | {
    kind: "edit";
    modelPath: string;
    /** [1, 3, R, R] */
    image: Float32Array;
    /** Principal direction of W (0 = the first); ignored with `learned`. */
    component: number;
    /** A learned InterFaceGAN direction (unit normal) instead of a principal one. */
    learned?: { file: string; name: string };
    /** Step along the direction: standard deviations of W along a principal direction, or units of the normal. */
    gamma: number;
    /** Render with zero residuals (phase I only) instead of the predicted ΔW. */
    phaseOneOnly?: boolean;
  }
  | {
    kind: "interpolate";
    modelPath: string;
    a: Float32Array;
    b: Float32Array;
    /** 0 gives a, 1 gives b. */
    t: number;
    /** Interpolate w only, with ΔW = 0 (the paper's baseline). */
    latentOnly?: boolean;
  }
  | { kind: "identity"; modelPath: string }
  | {
    kind: "invertCoded";
    modelPath: string;
    /** The model as the inversion file names it (not a server path: the file is downloaded). */
    modelName: string;
    /** The inverted image's name, as the file records it. */
    source: string;
    /** [1, 3, R, R]; ignored with `alignFrom`. */
    image?: Float32Array;
    /** A photo file: its largest face is FFHQ-aligned, inverted and pasted back. */
    alignFrom?: string;
    /** Paste phase I's image back instead of the final one (a phase-I-only variant). */
    pastePhaseOne?: boolean;
  }
  | { kind: "render"; modelPath: string; inversionPath: string };

/** What `info` answers. */
export interface ModelInfo {
  resolution: number;
  /** Principal directions offered for edits. */
  components: number;
  /** Standard deviation of W along each direction. */
  std: number[];
}

/** What `invert` answers (batch B). */
export interface InvertAnswer {
  resolution: number;
  /** [B, 3, R, R] */
  phaseOne: Float32Array;
  /** [B, 3, R, R] */
  final: Float32Array;
  /** Mean |ΔW| per target layer, over the batch. */
  deltaW: { layer: string; meanAbs: number }[];
  provider: string;
  milliseconds: number;
}

/** What `invertCoded` answers: one image inverted, its compact inversion file, and the paste-back with `alignFrom`. */
export interface CodedInvertAnswer {
  resolution: number;
  /** The model's input [1, 3, R, R] (the aligned face with `alignFrom`). */
  input: Float32Array;
  phaseOne: Float32Array;
  final: Float32Array;
  /** The inversion file's bytes. */
  inversion: Uint8Array;
  /** With `alignFrom`: the quad in the photo's pixels and the photo with the final image pasted back. */
  aligned?: { quad: [number, number][]; pasted: { data: Uint8Array; width: number; height: number } };
  provider: string;
  milliseconds: number;
}

/** What `render` answers: an inversion file's phase-I and final images [1, 3, R, R]. */
export interface RenderAnswer {
  resolution: number;
  phaseOne: Float32Array;
  final: Float32Array;
  milliseconds: number;
}

/** What `edit` and `interpolate` answer: one image [1, 3, R, R]. */
export interface ImageAnswer {
  resolution: number;
  image: Float32Array;
  milliseconds: number;
}

/** Progress of a task: fraction in [0, 1] and a message. */
export type TaskProgress = (fraction: number, message: string) => void;

/** Principal directions offered for edits. */
export const EDIT_COMPONENTS = 5;
const PCA_SAMPLES = 2048;

/** Keeps at most `limit` entries, dropping the least recently used. */
class Lru<V> {
  private readonly map = new Map<string, V>();
  constructor(private readonly limit: number) {}
  get(key: string): V | undefined {
    const value = this.map.get(key);
    if (value !== undefined) {
      this.map.delete(key);
      this.map.set(key, value);
    }
    return value;
  }
  delete(key: string) {
    this.map.delete(key);
  }
  set(key: string, value: V) {
    this.map.delete(key);
    this.map.set(key, value);
    while (this.map.size > this.limit) this.map.delete(this.map.keys().next().value!);
  }
}

/** FNV-1a over the bytes of an image: the key of the inversion cache. */
function fingerprint(data: Float32Array): string {
  const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  let hash = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) hash = Math.imul(hash ^ bytes[i], 0x01000193);
  return `${(hash >>> 0).toString(16)}:${data.length}`;
}

/**
 * Runs {@linkcode InferenceTask}s with cached models (by manifest path), inversions (by image) and W directions.
 *
 * @example
 * ```ts
 * import { InferenceRunner } from "./inference_tasks.ts";
 * const runner = new InferenceRunner();
 * const info = await runner.run({ kind: "info", modelPath: "data/models/default/model.json" }) as { resolution: number };
 * console.log(info.resolution); // 32
 * ```
 */
export class InferenceRunner {
  private readonly models = new Lru<Promise<HyperInverter>>(4);
  private readonly inversions = new Lru<InversionCodes>(32);
  private faceDetector: Promise<FaceDetector> | null = null;
  private readonly directions = new Map<string, Promise<{ comp: Float32Array; std: Float32Array }>>();

  /**
   * @param options `device` of the models (default `cpu`); `allowPlugins` to import the plug-in code a model
   *   names (hash-checked; refused without it, naming the plug-in)
   */
  constructor(private readonly options: { device?: string; allowPlugins?: boolean } = {}) {}

  /**
   * Runs one task.
   *
   * @param task the task
   * @param progress called as the work advances
   * @returns {@linkcode ModelInfo}, {@linkcode InvertAnswer} or {@linkcode ImageAnswer}
   * @throws {TypeError} for images of the wrong size; {@linkcode RangeError} for a component or t out of range
   */
  async run(task: InferenceTask, progress: TaskProgress = () => {}): Promise<unknown> {
    progress(0, "loading the model");
    const model = await this.model(task.modelPath);
    const size = 3 * model.resolution * model.resolution;
    const start = performance.now();
    switch (task.kind) {
      case "info": {
        const { std } = await this.principalDirections(task.modelPath, model);
        return { resolution: model.resolution, components: std.length, std: [...std] } satisfies ModelInfo;
      }
      case "invert": {
        progress(0.2, "inverting");
        const result = await model.invert(task.images, task.batch);
        const deltaW = [...result.residuals].map(([layer, r]) => {
          let sum = 0;
          for (const v of r.data) sum += Math.abs(v);
          return { layer, meanAbs: sum / r.data.length };
        });
        progress(1, "inverted");
        return {
          resolution: model.resolution,
          phaseOne: result.phaseOneImages.data,
          final: result.finalImages.data,
          deltaW,
          provider: result.provider,
          milliseconds: result.milliseconds,
        } satisfies InvertAnswer;
      }
      case "edit": {
        this.checkImage(task.image, size, "image");
        if (!Number.isFinite(task.gamma)) throw new RangeError(`gamma must be finite, got ${task.gamma}`);
        progress(0.1, "inverting");
        const inversion = await this.invertOne(task.modelPath, model, task.image);
        progress(0.5, "finding the direction");
        const dim = model.architecture.generator.wDim;
        let direction: Float32Array;
        if (task.learned) {
          const found = (await readLearnedDirections(task.learned.file)).get(task.learned.name);
          if (!found) throw new RangeError(`No direction "${task.learned.name}" in ${task.learned.file}`);
          if (found.length !== dim) {
            throw new TypeError(
              `Direction "${task.learned.name}" has ${found.length} values, the model's w ${dim}`,
            );
          }
          direction = found;
        } else {
          const { comp, std } = await this.principalDirections(task.modelPath, model);
          const k = task.component;
          if (!Number.isInteger(k) || k < 0 || k >= std.length) {
            throw new RangeError(`Edit component ${k} is not in [0, ${std.length})`);
          }
          direction = comp.slice(k * dim, (k + 1) * dim).map((v) => v * std[k]);
        }
        const ws = interfaceGanEdit(inversion.ws, numWs(model.architecture.generator), direction, task.gamma);
        progress(0.7, "rendering");
        const image = await model.synthesize(ws, this.residualFeeds(inversion, task.phaseOneOnly), 1);
        return { resolution: model.resolution, image: image.data, milliseconds: performance.now() - start };
      }
      case "interpolate": {
        this.checkImage(task.a, size, "a");
        this.checkImage(task.b, size, "b");
        if (!(task.t >= 0 && task.t <= 1)) throw new RangeError(`t must be in [0, 1], got ${task.t}`);
        progress(0.1, "inverting the first image");
        const a = await this.invertOne(task.modelPath, model, task.a);
        progress(0.4, "inverting the second image");
        const b = await this.invertOne(task.modelPath, model, task.b);
        const frame = a.codes && b.codes
          ? await this.frameThroughCodes(model, a, b, task.t)
          : interpolateAt(a, b, task.t);
        progress(0.7, "rendering");
        const image = await model.synthesize(frame.ws, this.residualFeeds(frame, task.latentOnly), 1);
        return { resolution: model.resolution, image: image.data, milliseconds: performance.now() - start };
      }
      case "identity":
        return { identity: await modelIdentity(model, task.modelPath) };
      case "invertCoded":
        return await this.invertCoded(task, model, progress);
      case "render": {
        progress(0.3, "rendering the inversion file");
        const rendered = await renderInversionFile(model, task.inversionPath, task.modelPath);
        return {
          resolution: model.resolution,
          ...rendered,
          milliseconds: performance.now() - start,
        } satisfies RenderAnswer;
      }
      default:
        throw new TypeError(`Unknown task kind ${JSON.stringify((task as { kind: unknown }).kind)}`);
    }
  }

  private async invertCoded(
    task: Extract<InferenceTask, { kind: "invertCoded" }>,
    model: HyperInverter,
    progress: TaskProgress,
  ): Promise<CodedInvertAnswer> {
    const resolution = model.resolution;
    let input: Float32Array;
    let quad: [number, number][] | undefined;
    if (task.alignFrom) {
      progress(0.1, "aligning the face");
      if (!this.faceDetector) {
        this.faceDetector = FaceDetector.load();
        this.faceDetector.catch(() => this.faceDetector = null);
      }
      ({ image: input, quad } = await alignUpload(task.alignFrom, await this.faceDetector, resolution));
    } else {
      this.checkImage(task.image, 3 * resolution * resolution, "image");
      input = task.image!;
    }
    progress(0.3, "inverting");
    const { result, file } = await invertToFile(model, input, task);
    let aligned: CodedInvertAnswer["aligned"];
    if (task.alignFrom && quad) {
      progress(0.8, "pasting back");
      aligned = {
        quad,
        pasted: await pasteUpload(
          task.alignFrom,
          quad,
          (task.pastePhaseOne ? result.phaseOneImages : result.finalImages).data,
          resolution,
        ),
      };
    }
    progress(1, "inverted");
    return {
      resolution,
      input,
      phaseOne: result.phaseOneImages.data,
      final: result.finalImages.data,
      inversion: file,
      aligned,
      provider: result.provider,
      milliseconds: result.milliseconds,
    };
  }

  private checkImage(data: unknown, size: number, name: string) {
    if (!(data instanceof Float32Array) || data.length !== size) {
      throw new TypeError(
        `${name} must be a Float32Array of ${size} values, got ${
          data instanceof Float32Array ? data.length : typeof data
        }`,
      );
    }
  }

  private model(path: string): Promise<HyperInverter> {
    let model = this.models.get(path);
    if (!model) {
      model = loadHyperInverter(path, {
        device: this.options.device ?? "cpu",
        allowPlugins: this.options.allowPlugins,
      });
      model.catch(() => this.models.delete(path)); // a failed load is retried next time
      this.models.set(path, model);
    }
    return model;
  }

  private async invertOne(path: string, model: HyperInverter, image: Float32Array): Promise<InversionCodes> {
    const key = `${path}|${fingerprint(image)}`;
    const cached = this.inversions.get(key);
    if (cached) return cached;
    const result = await invertWithCodes(model, image, 1);
    const inversion = {
      ws: result.wCodes.data,
      residuals: new Map([...result.residuals].map(([name, r]) => [name, r.data])),
      codes: result.codes,
    };
    this.inversions.set(key, inversion);
    return inversion;
  }

  /** w and the codes v interpolated, ΔW mapped from the codes (equal to interpolating ΔW; spec §4). */
  private async frameThroughCodes(
    model: HyperInverter,
    a: InversionCodes,
    b: InversionCodes,
    t: number,
  ): Promise<InversionCodes> {
    const frame = interpolateCodesAt({ ws: a.ws, codes: a.codes! }, { ws: b.ws, codes: b.codes! }, t);
    return { ws: frame.ws, codes: frame.codes, residuals: await residualsFromCodes(model, frame.codes) };
  }

  /** The residuals as `synthesize` takes them, or null (phase I: the generator's own weights) when `zero`. */
  private residualFeeds(inversion: InversionCodes, zero = false): Map<string, { data: Float32Array }> | null {
    return zero ? null : new Map([...inversion.residuals].map(([name, r]) => [name, { data: r }]));
  }

  /** GANSpace-style PCA of w sampled through the model's mapping network (seeded), computed once per model. */
  private principalDirections(path: string, model: HyperInverter) {
    let directions = this.directions.get(path);
    if (!directions) {
      directions = (async () => {
        const dim = model.architecture.generator.wDim;
        const firstRows = await sampleW(model, PCA_SAMPLES, { seed: 0x5e17, batch: PCA_SAMPLES }); // [N, wDim]
        const { comp, std } = principalComponents(firstRows, dim, Math.min(EDIT_COMPONENTS, dim));
        return { comp, std };
      })();
      directions.catch(() => this.directions.delete(path));
      this.directions.set(path, directions);
    }
    return directions;
  }
}
