/**
 * InterFaceGAN directions learned in TypeScript (Shen et al., CVPR 2020, §3 and their `train_boundary`): sample
 * z → w → image, score each image with an attribute model, keep the most and least attribute-like samples, fit a
 * linear boundary on w and take its unit normal. As InterFaceGAN, 70 % of the kept samples fit the boundary and
 * 30 % measure its accuracy.
 *
 * @module
 */

import { numWs } from "../generator/config.ts";
import type { HyperInverter } from "../model/hyperinverter.ts";
import type { AttributeModel } from "./attribute_model.ts";
import { fitLinearBoundary } from "./linear_boundary.ts";
import { broadcastRows, sampleW } from "./sample_latents.ts";

/** Sampled codes with the attribute model's logits for their images. */
export interface LabelledLatents {
  /** [N, wDim] */
  ws: Float32Array;
  /** [N, classes] */
  logits: Float32Array;
  /** wDim */
  dim: number;
}

/**
 * Samples w, renders G(w) and classifies the images.
 *
 * @param model the generator's owner (its mapping and synthesis weights)
 * @param classifier the attribute model that labels the images
 * @param options `count` (default 4000), `seed` (default 1), `batch` (default 100), `onProgress(done, total)`
 * @returns codes and logits
 */
export async function labelSampledLatents(
  model: HyperInverter,
  classifier: AttributeModel,
  options: {
    count?: number;
    seed?: number;
    batch?: number;
    onProgress?: (done: number, total: number) => void;
  } = {},
): Promise<LabelledLatents> {
  const count = options.count ?? 4000;
  const batch = options.batch ?? 100;
  const config = model.architecture.generator;
  const ws = await sampleW(model, count, { seed: options.seed ?? 1 });
  const logits = new Float32Array(count * classifier.input.classes);
  for (let first = 0; first < count; first += batch) {
    const n = Math.min(batch, count - first);
    const rows = new Float32Array(batch * config.wDim); // [batch, wDim], the tail zero-padded
    rows.set(ws.subarray(first * config.wDim, (first + n) * config.wDim));
    const images = await model.synthesize(broadcastRows(rows, numWs(config), config.wDim), null, batch);
    const predicted = await classifier.predict(images.data, batch); // [batch, classes]
    logits.set(predicted.logits.subarray(0, n * classifier.input.classes), first * classifier.input.classes);
    options.onProgress?.(first + n, count);
  }
  return { ws, logits, dim: config.wDim };
}

/** A learned direction and how well its boundary separates the samples. */
export interface LearnedDirection {
  /** Unit normal in W [wDim], pointing to more of the attribute. */
  direction: Float32Array;
  /** Samples kept on each side (the top and bottom `fraction` by score). */
  keptPerSide: number;
  /** Accuracy of the boundary on the 70 % that fitted it and on the 30 % held out. */
  trainAccuracy: number;
  /** Accuracy on the held-out samples. */
  validationAccuracy: number;
  /** Standard deviation of ⟨w, n⟩ over all samples: the scale of the attribute along n in W. */
  projectionStd: number;
}

/**
 * Fits the boundary between the highest- and lowest-scoring samples.
 *
 * @param ws [N, dim]
 * @param scores [N] attribute scores (e.g. {@linkcode attributeScores})
 * @param options `dim`; `fraction` of samples kept on each side (default 0.1); `l2` (default 1e-3)
 * @returns the direction and its accuracies
 * @example
 * ```ts
 * import { directionFromScores } from "./learn_direction.ts";
 * // Scores grow along the second axis: the direction is close to (0, 1). (The coordinates are hashed so
 * // that a sample's two coordinates are uncorrelated.)
 * const ws = new Float32Array(200).map((_, i) => ((Math.sin(i * 12.9898) * 43758.5453) % 1) * 3);
 * const scores = Float64Array.from({ length: 100 }, (_, n) => ws[2 * n + 1] + 0.1 * ws[2 * n]);
 * const { direction } = directionFromScores(ws, scores, { dim: 2 });
 * console.log(Math.abs(direction[0]) < 0.35, direction[1] > 0.9); // true true
 * ```
 */
export function directionFromScores(
  ws: Float32Array,
  scores: ArrayLike<number>,
  options: { dim: number; fraction?: number; l2?: number },
): LearnedDirection {
  const { dim } = options;
  const count = scores.length;
  if (ws.length !== count * dim) {
    throw new TypeError(`ws has ${ws.length} values; expected ${count} scores × dim ${dim}`);
  }
  const fraction = options.fraction ?? 0.1;
  if (!(fraction > 0 && fraction <= 0.5)) {
    throw new RangeError(`fraction must be in (0, 0.5], got ${fraction}`);
  }
  const order = Array.from({ length: count }, (_, i) => i).sort((a, b) => scores[a] - scores[b]);
  const kept = Math.floor(count * fraction);
  if (kept < 2) {
    throw new RangeError(`Too few samples: ${count} × fraction ${fraction} keeps ${kept} per side`);
  }
  const chosen = [
    ...order.slice(0, kept).map((i) => [i, 0]),
    ...order.slice(count - kept).map((i) => [i, 1]),
  ];
  // Deterministic 70/30 split: every tenth sample's last three go to validation.
  const fit = chosen.filter((_, k) => k % 10 < 7), held = chosen.filter((_, k) => k % 10 >= 7);
  const gather = (set: number[][]) => {
    const out = new Float32Array(set.length * dim);
    set.forEach(([i], k) => out.set(ws.subarray(i * dim, (i + 1) * dim), k * dim));
    return out;
  };
  const boundary = fitLinearBoundary(gather(fit), fit.map(([, label]) => label), { dim, l2: options.l2 });
  const heldSamples = gather(held);
  let correct = 0;
  held.forEach(([, label], k) => {
    let z = boundary.bias;
    for (let i = 0; i < dim; i++) z += boundary.weights[i] * heldSamples[k * dim + i];
    if ((z > 0 ? 1 : 0) === label) correct++;
  });
  let mean = 0, square = 0;
  for (let n = 0; n < count; n++) {
    let p = 0;
    for (let i = 0; i < dim; i++) p += ws[n * dim + i] * boundary.normal[i];
    mean += p / count;
    square += (p * p) / count;
  }
  return {
    direction: boundary.normal,
    keptPerSide: kept,
    trainAccuracy: boundary.trainAccuracy,
    validationAccuracy: held.length ? correct / held.length : NaN,
    projectionStd: Math.sqrt(Math.max(square - mean * mean, 0)),
  };
}
