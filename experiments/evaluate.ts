/**
 * Evaluating one model on held-out images: L2, PSNR and MS-SSIM (as `deno task demo` computes them, on [0, 1]
 * images), an optional feature identity (cosine similarity of a classifier's features of input and
 * reconstruction), ms/image, the per-layer mean |ΔW| (the paper's Fig. 8) and sample images.
 *
 * @module
 */

import type { HyperInverter } from "../model/hyperinverter.ts";
import { imageMetrics } from "../losses/image_metrics.ts";
import { writePng } from "../io/image.ts";
import type { ImageSet } from "../train/phase_two_trainer.ts";
import type { DeltaWRow } from "./store.ts";

/** Features of a batch of images: `(images [B, 3, R, R] in [−1, 1], B) → [B, F]`. */
export type FeatureFunction = (images: Float32Array, batch: number) => Promise<Float32Array>;

/** Options of {@linkcode evaluateModel}. */
export interface EvaluateOptions {
  /** Evaluate the phase-I images (no phase II) instead of the final ones. */
  phaseOneOnly?: boolean;
  /** The first `images` of the set are evaluated (rounded down to whole batches). */
  images: number;
  /** Images per inversion call. */
  batch: number;
  /** Set indices written as samples (`NN_input.png`, `NN_phase1.png`, `NN_final.png`). */
  sampleIndices?: readonly number[];
  /** Folder for the samples (required with `sampleIndices`). */
  samplesDirectory?: string;
  /** Features for the feature-identity metric; without it `featureIdentity` is null. */
  features?: FeatureFunction;
  /**
   * Called after each measured batch (not the warm-up) with the images measured so far and the images that
   * will be measured in all (the whole batches of `images`), e.g. to drive a progress bar.
   */
  onBatch?: (done: number, total: number) => void;
}

/** What {@linkcode evaluateModel} measures. */
export interface Evaluation {
  l2: number;
  psnr: number;
  msSsim: number;
  msSsimLabel: string;
  featureIdentity: number | null;
  /** Mean wall time per image of the stages that ran for the evaluated output, after a warm-up batch. */
  msPerImage: number;
  provider: string;
  images: number;
  /** Mean |ΔW| per target layer over the evaluated images; empty for phase I only. */
  deltaW: DeltaWRow[];
}

function cosineMean(a: Float32Array, b: Float32Array, batch: number): number {
  const dim = a.length / batch;
  let total = 0;
  for (let i = 0; i < batch; i++) {
    let dot = 0, na = 0, nb = 0;
    for (let j = i * dim; j < (i + 1) * dim; j++) dot += a[j] * b[j], na += a[j] * a[j], nb += b[j] * b[j];
    total += dot / Math.max(Math.sqrt(na * nb), 1e-12);
  }
  return total / batch;
}

/**
 * Evaluates a model on the first `images` of a set.
 *
 * @param model the model
 * @param set held-out images (`count`, `batch(indices)` → [B, 3, R, R] in [−1, 1])
 * @param options images, batch, phase-I only, samples, features, progress (`onBatch`)
 * @returns the metrics and the per-layer mean |ΔW|
 * @throws {RangeError} when the set has fewer images than one batch
 * @example
 * ```ts
 * import { evaluateModel } from "./evaluate.ts";
 * import { loadHyperInverter } from "../model/load.ts";
 * import { writeTinyModel } from "../tests/_tiny_model.ts";
 * const model = await loadHyperInverter(await writeTinyModel(await Deno.makeTempDir()));
 * const set = { count: 2, batch: (i: Int32Array) => new Float32Array(i.length * 3 * 64 * 64).fill(0.1) };
 * const done: number[] = [];
 * const e = await evaluateModel(model, set, { images: 2, batch: 1, onBatch: (n) => done.push(n) });
 * console.log(e.images, e.deltaW.length > 0, done); // 2 true [ 1, 2 ]
 * ```
 */
export async function evaluateModel(
  model: HyperInverter,
  set: ImageSet,
  options: EvaluateOptions,
): Promise<Evaluation> {
  const phase = options.phaseOneOnly ? "phaseOne" : "final";
  const measured = await measurePhases(model, set, options, [phase]);
  if (options.sampleIndices?.length) {
    if (!options.samplesDirectory) throw new TypeError("sampleIndices need a samplesDirectory");
    await writeSamples(model, set, options.sampleIndices, options.samplesDirectory, options.phaseOneOnly);
  }
  return measured[phase]!;
}

/**
 * Evaluates phase I and the final images of a model in one pass over the set (each inversion gives both): half
 * the time of two {@linkcode evaluateModel} calls, the same numbers. Phase I's ms/image counts the encoder and
 * phase-I stages only; its `deltaW` is empty.
 *
 * @param model the model
 * @param set held-out images
 * @param options images, batch, features, progress (samples and `phaseOneOnly` are not used here)
 * @returns both evaluations
 * @throws {RangeError} when the set has fewer images than one batch
 * @example
 * ```ts
 * import { evaluatePhases } from "./evaluate.ts";
 * import { loadHyperInverter } from "../model/load.ts";
 * import { writeTinyModel } from "../tests/_tiny_model.ts";
 * const model = await loadHyperInverter(await writeTinyModel(await Deno.makeTempDir()));
 * const set = { count: 2, batch: (i: Int32Array) => new Float32Array(i.length * 3 * 64 * 64).fill(0.1) };
 * const { phaseOne, phaseTwo } = await evaluatePhases(model, set, { images: 2, batch: 2 });
 * console.log(phaseOne.deltaW.length, phaseTwo.deltaW.length > 0); // 0 true
 * ```
 */
export async function evaluatePhases(
  model: HyperInverter,
  set: ImageSet,
  options: Omit<EvaluateOptions, "phaseOneOnly" | "sampleIndices" | "samplesDirectory">,
): Promise<{ phaseOne: Evaluation; phaseTwo: Evaluation }> {
  const measured = await measurePhases(model, set, options, ["phaseOne", "final"]);
  return { phaseOne: measured.phaseOne!, phaseTwo: measured.final! };
}

type Phase = "phaseOne" | "final";

/** One pass over the first whole batches of the set, measuring the requested outputs of each inversion. */
async function measurePhases(
  model: HyperInverter,
  set: ImageSet,
  options: Pick<EvaluateOptions, "images" | "batch" | "features" | "onBatch">,
  phases: readonly Phase[],
): Promise<Partial<Record<Phase, Evaluation>>> {
  const { batch } = options;
  const batches = Math.floor(Math.min(options.images, set.count) / batch);
  if (batches < 1) {
    throw new RangeError(`Need at least one batch of ${batch} images, the set has ${set.count}`);
  }
  const size = model.resolution;
  const shape = [batch, 3, size, size];
  const indicesOf = (b: number) => Int32Array.from({ length: batch }, (_, i) => b * batch + i);
  await model.invert(set.batch(indicesOf(0)), batch); // warm-up: sessions built, arenas grown
  const sums = new Map(phases.map((p) => [p, { l2: 0, psnr: 0, msSsim: 0, identity: 0, ms: 0 }]));
  let label = "";
  let provider = "";
  const deltaSums = new Map<string, { sum: number; count: number }>();
  for (let b = 0; b < batches; b++) {
    const x = set.batch(indicesOf(b));
    const result = await model.invert(x, batch);
    provider = result.provider;
    const t = result.stageMilliseconds;
    const inputFeatures = options.features ? await options.features(x, batch) : null;
    for (const phase of phases) {
      const sum = sums.get(phase)!;
      sum.ms += phase === "phaseOne" ? (t.encode ?? 0) + (t.phaseOne ?? 0) : result.milliseconds;
      const y = phase === "phaseOne" ? result.phaseOneImages.data : result.finalImages.data;
      const m = await imageMetrics(y, x, shape);
      label = m.msSsimLabel;
      sum.l2 += m.l2, sum.psnr += m.psnr, sum.msSsim += m.msSsim;
      if (options.features) {
        sum.identity += cosineMean(inputFeatures!, await options.features(y, batch), batch);
      }
    }
    if (phases.includes("final")) {
      for (const [layer, residual] of result.residuals) {
        const data = residual.data;
        let sum = 0;
        for (let i = 0; i < data.length; i++) sum += Math.abs(data[i]);
        const entry = deltaSums.get(layer) ?? { sum: 0, count: 0 };
        entry.sum += sum, entry.count += data.length;
        deltaSums.set(layer, entry);
      }
    }
    options.onBatch?.((b + 1) * batch, batches * batch);
  }
  const out: Partial<Record<Phase, Evaluation>> = {};
  for (const phase of phases) {
    const sum = sums.get(phase)!;
    out[phase] = {
      l2: sum.l2 / batches,
      psnr: sum.psnr / batches,
      msSsim: sum.msSsim / batches,
      msSsimLabel: label,
      featureIdentity: options.features ? sum.identity / batches : null,
      msPerImage: sum.ms / (batches * batch),
      provider,
      images: batches * batch,
      deltaW: phase === "final"
        ? [...deltaSums].map(([layer, { sum, count }]) => ({ layer, meanAbs: sum / count }))
        : [],
    };
  }
  return out;
}

/** Writes `NN_input.png`, `NN_phase1.png` and `NN_final.png` (the phase-I image again for phase I only). */
async function writeSamples(
  model: HyperInverter,
  set: ImageSet,
  indices: readonly number[],
  directory: string,
  phaseOneOnly = false,
): Promise<void> {
  await Deno.mkdir(directory, { recursive: true });
  const n = indices.length;
  const x = set.batch(Int32Array.from(indices));
  const result = await model.invert(x, n);
  const shape = [n, 3, model.resolution, model.resolution];
  const final = phaseOneOnly ? result.phaseOneImages.data : result.finalImages.data;
  for (let i = 0; i < n; i++) {
    const stem = `${directory}/${String(i).padStart(2, "0")}`;
    await writePng(`${stem}_input.png`, x, shape, i);
    await writePng(`${stem}_phase1.png`, result.phaseOneImages.data, shape, i);
    await writePng(`${stem}_final.png`, final, shape, i);
  }
}
