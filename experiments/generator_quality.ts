/**
 * How good a generator is, measured the way the default model's card reports it (issue 19):
 * - **Fréchet feature distance** between N generated images and N held-out real images, on the hidden
 *   features of the project's Fashion-MNIST classifier (`<model>/attributes/conv.safetensors`): the FID
 *   formula (`losses/frechet_distance.ts`) with our classifier standing in for Inception-v3, which cannot be
 *   downloaded here — so values are comparable only between models measured with the same classifier, and
 *   are not FIDs.
 * - **Channel spread**: the mean over pixels of `max(R, G, B) − min(R, G, B)` on [0, 1] images. The data is
 *   grey (spread 0), so a generator that learnt it gives near-grey images; colour blobs show up here.
 *
 * Images are generated and featurised a batch at a time, so memory stays at one batch plus N × F features.
 *
 * @module
 */

import { featureStatistics, frechetDistance } from "../losses/frechet_distance.ts";
import type { AttributeModel } from "../editing/attribute_model.ts";
import { broadcastRows, sampleW } from "../editing/sample_latents.ts";
import { HyperInverter } from "../model/hyperinverter.ts";
import { loadLatestCheckpoint } from "../train/checkpoint.ts";
import type { WeightValue } from "../runtime/weights.ts";
import { numWs } from "../generator/config.ts";
import type { DataSplit } from "../train/data/source.ts";

/** Renders `count` images (`[count, 3, R, R]` in [−1, 1]) starting at sample `first` of a fixed sequence. */
export type ImageGenerator = (first: number, count: number) => Promise<Float32Array>;

/** Options of {@linkcode measureGeneratorQuality}. */
export interface GeneratorQualityOptions {
  /** Generated images, and held-out images taken from the start of the reference split (default 10 000). */
  count?: number;
  /** Images per generator and classifier run (default 250). */
  batch?: number;
  /** Called after each batch with the images done (generated + real) and the total. */
  onProgress?: (done: number, total: number) => void;
}

/** What {@linkcode measureGeneratorQuality} reports. */
export interface GeneratorQuality {
  /** Fréchet distance of the classifier's hidden features, generated vs held-out (squared, as FID). */
  frechetFeatureDistance: number;
  /** Mean per-pixel channel spread on [0, 1] of the generated images. */
  channelSpreadGenerated: number;
  /** The same for the held-out images (0 for a grey dataset). */
  channelSpreadReference: number;
  /** Images on each side. */
  count: number;
  /** Width of the features. */
  featureSize: number;
}

/**
 * The mean per-pixel channel spread (`max − min` over the channels, on [0, 1]) of a batch of images.
 *
 * @param images [B, C, R, R] in [−1, 1]
 * @param batch B
 * @returns the spread's sum over the batch's pixels and the pixel count (to average over many batches)
 * @example
 * ```ts
 * import { channelSpread } from "./generator_quality.ts";
 * // One 1×2 RGB image (planes R, G, B): a grey pixel and a pure red one.
 * const image = new Float32Array([0, 1, 0, -1, 0, -1]);
 * console.log(channelSpread(image, 1)); // { sum: 1, pixels: 2 }
 * ```
 */
export function channelSpread(images: Float32Array, batch: number): { sum: number; pixels: number } {
  const perImage = images.length / batch;
  const channels = 3, pixels = perImage / channels;
  if (!Number.isInteger(pixels) || pixels < 1) {
    throw new TypeError(`Expected [${batch}, 3, R, R] images, got ${images.length} values`);
  }
  let sum = 0;
  for (let b = 0; b < batch; b++) {
    const base = b * perImage;
    for (let p = 0; p < pixels; p++) {
      const r = images[base + p], g = images[base + pixels + p], bl = images[base + 2 * pixels + p];
      sum += (Math.max(r, g, bl) - Math.min(r, g, bl)) / 2; // [−1, 1] → [0, 1] units
    }
  }
  return { sum, pixels: batch * pixels };
}

/**
 * Samples G(w) of a HyperInverter's generator: w = mapping(z) with z from a seeded normal sequence (no
 * truncation), rendered with the generator's own weights.
 *
 * @param model the model (its mapping network and generator)
 * @param seed the z sequence's seed
 * @returns an {@linkcode ImageGenerator}
 * @example
 * ```ts
 * import { loadHyperInverter } from "../model/load.ts";
 * import { hyperInverterSamples } from "./generator_quality.ts";
 * const model = await loadHyperInverter("data/models/default/model.json");
 * console.log((await hyperInverterSamples(model, 1)(0, 2)).length); // 6144 (2 × 3 × 32 × 32)
 * ```
 */
export function hyperInverterSamples(model: HyperInverter, seed: number): ImageGenerator {
  const config = model.architecture.generator;
  let cache: { first: number; ws: Float32Array } | null = null;
  return async (first, count) => {
    // sampleW draws the whole sequence up to first + count; keep the last draw to reuse its prefix.
    if (!cache || cache.first + cache.ws.length / config.wDim < first + count || first < cache.first) {
      const upTo = Math.max(first + count, 1);
      cache = { first: 0, ws: await sampleW(model, upTo, { seed, batch: Math.min(upTo, 256) }) };
    }
    const ws = cache.ws.subarray(first * config.wDim, (first + count) * config.wDim);
    const images = await model.synthesize(broadcastRows(ws, numWs(config), config.wDim), null, count);
    return images.data;
  };
}

/**
 * Measures a generator against held-out images: Fréchet feature distance and channel spread.
 *
 * @param generate the generator's images (e.g. {@linkcode hyperInverterSamples})
 * @param reference held-out real images (the first `count` are used)
 * @param classifier the feature network (its hidden layer)
 * @param options count, batch, progress
 * @returns the measures
 * @throws {RangeError} when the reference has fewer than `count` images or count < 2
 * @example
 * ```ts
 * import { loadHyperInverter } from "../model/load.ts";
 * import { AttributeModel } from "../editing/attribute_model.ts";
 * import { hyperInverterSamples, measureGeneratorQuality } from "./generator_quality.ts";
 * const model = await loadHyperInverter("data/models/default/model.json");
 * const classifier = await AttributeModel.load("data/models/default/attributes/conv.safetensors");
 * const real = { count: 8, batch: (ix: Int32Array) => new Float32Array(ix.length * 3 * 32 * 32).fill(-0.5) };
 * const quality = await measureGeneratorQuality(hyperInverterSamples(model, 1), real, classifier, {
 *   count: 8,
 * });
 * console.log(quality.channelSpreadReference, quality.frechetFeatureDistance > 0); // 0 true
 * ```
 */
export async function measureGeneratorQuality(
  generate: ImageGenerator,
  reference: DataSplit,
  classifier: AttributeModel,
  options: GeneratorQualityOptions = {},
): Promise<GeneratorQuality> {
  const count = options.count ?? 10_000;
  const batch = Math.min(options.batch ?? 250, count);
  if (!Number.isInteger(count) || count < 2) {
    throw new RangeError(`count must be an integer ≥ 2, got ${count}`);
  }
  if (reference.count < count) {
    throw new RangeError(`The reference split has ${reference.count} images, fewer than the ${count} asked`);
  }
  const total = 2 * count;
  let done = 0;
  const side = async (next: (first: number, size: number) => Promise<Float32Array>) => {
    let features: Float32Array | null = null;
    let featureSize = 0, spreadSum = 0, pixels = 0;
    for (let first = 0; first < count; first += batch) {
      const size = Math.min(batch, count - first);
      const images = await next(first, size);
      const spread = channelSpread(images, size);
      spreadSum += spread.sum;
      pixels += spread.pixels;
      const prediction = await classifier.predict(images, size);
      featureSize = prediction.featureSize;
      features ??= new Float32Array(count * featureSize);
      features.set(prediction.features, first * featureSize);
      done += size;
      options.onProgress?.(done, total);
    }
    return { stats: featureStatistics(features!, featureSize), spread: spreadSum / pixels, featureSize };
  };
  const generated = await side(generate);
  const real = await side((first, size) =>
    Promise.resolve(reference.batch(Int32Array.from({ length: size }, (_, i) => first + i)))
  );
  return {
    frechetFeatureDistance: frechetDistance(generated.stats, real.stats),
    channelSpreadGenerated: generated.spread,
    channelSpreadReference: real.spread,
    count,
    featureSize: generated.featureSize,
  };
}

/**
 * A model whose generator (mapping and synthesis) is replaced by the EMA weights of a generator training run's
 * newest checkpoint, e.g. to measure a run's generator before phases I and II are retrained on it. The run must
 * train the model's generator architecture.
 *
 * @param model the model giving the architecture and the other weights
 * @param run a `train-generator` run folder
 * @returns the model with the run's generator, and the checkpoint's step
 * @throws {Deno.errors.NotFound} when the run has no checkpoint
 * @throws {TypeError} when the run's generator weights do not fit the model's generator (naming them)
 * @example
 * ```ts ignore
 * import { loadHyperInverter } from "../model/load.ts";
 * import { withGeneratorRun } from "./generator_quality.ts";
 * const model = await loadHyperInverter("data/models/default/model.json");
 * const { step } = await withGeneratorRun(model, "data/checkpoints/generator-fmnist32-light");
 * console.log(step); // e.g. 7500
 * ```
 */
export async function withGeneratorRun(
  model: HyperInverter,
  run: string,
): Promise<{ model: HyperInverter; step: number }> {
  const checkpoint = await loadLatestCheckpoint(run);
  if (!checkpoint) throw new Deno.errors.NotFound(`The generator run "${run}" has no checkpoint`);
  const weights = new Map<string, WeightValue>(model.weights);
  const misfits: string[] = [];
  let replaced = 0;
  for (const [name, value] of checkpoint.extra) {
    if (!name.startsWith("ema/")) continue;
    const target = name.slice(4);
    const current = model.weights.get(target);
    if (!current) continue; // the discriminator's or training-only tensors
    const bare = ArrayBuffer.isView(current);
    const length = (bare ? current : (current as { data: ArrayLike<number> }).data).length;
    if (value.length !== length) {
      misfits.push(`${target} (model ${length} values, run ${value.length})`);
      continue;
    }
    weights.set(
      target,
      bare ? value : { shape: (current as { shape: readonly number[] }).shape, data: value },
    );
    replaced++;
  }
  if (misfits.length) {
    throw new TypeError(
      `The generator run "${run}" does not fit the model: ${misfits.slice(0, 5).join(", ")}`,
    );
  }
  if (!replaced) throw new TypeError(`The generator run "${run}" holds no EMA generator weights (ema/*)`);
  return { model: new HyperInverter(model.architecture, weights, model.options), step: checkpoint.step };
}
