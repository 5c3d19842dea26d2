/**
 * Editability as the paper's Table 2 measures it (§4.3): apply `w' = w + γ·n` to inverted images, render the
 * edit from phase I alone (G(w')) and from the full model (G(w', θ + ΔW), ΔW reused unchanged, spec §7), and
 * report the mean change of an attribute, measured by a model that did NOT label the samples the direction was
 * learned from.
 *
 * @module
 */

import { numWs } from "../generator/config.ts";
import type { HyperInverter } from "../model/hyperinverter.ts";
import type { AttributeModel } from "./attribute_model.ts";
import { interfaceGanEdit } from "./directions.ts";
import { attributeScores, type ClassGroupAttribute } from "./fashion_attributes.ts";

/** The mean attribute change at one γ. */
export interface EditabilityRow {
  /** The edit strength. */
  gamma: number;
  /** Mean change of the score from γ = 0, editing the phase-I inversion (W encoder alone). */
  phaseOne: number;
  /** The same for the full model (ΔW reused). */
  full: number;
}

/** One attribute's rows and its un-edited means. */
export interface EditabilityResult {
  /** The attribute edited. */
  attribute: string;
  /** One row per edit strength. */
  rows: EditabilityRow[];
  /** Mean score at γ = 0 for each. */
  baseline: { phaseOne: number; full: number };
}

/** The γ of the paper's Table 2. */
export const TABLE_2_GAMMAS: readonly number[] = [-3, -2, -1, 1, 2, 3];

/**
 * Measures editability on a set of images for several directions.
 *
 * @param model the HyperInverter whose inversions are edited
 * @param images [N, 3, R, R] in [−1, 1] (held-out images)
 * @param options `measure` (the held-out attribute model), `directions` (attribute → unit normal [wDim]),
 *   `gammas` (default {@linkcode TABLE_2_GAMMAS}), `batch` (default 50, must divide N), `onProgress`
 * @returns one result per direction, in the order given
 * @example
 * ```ts
 * import { loadHyperInverter } from "../model/load.ts";
 * import { AttributeModel } from "./attribute_model.ts";
 * import { FASHION_MNIST_ATTRIBUTES } from "./fashion_attributes.ts";
 * import { measureEditability } from "./editability.ts";
 * const model = await loadHyperInverter("data/models/default/model.json");
 * const measure = await AttributeModel.load("data/models/default/attributes/mlp.safetensors");
 * const images = new Float32Array(2 * 3 * 32 * 32).fill(-1);
 * const direction = new Float32Array(128).fill(1 / Math.sqrt(128));
 * const [result] = await measureEditability(model, images, {
 *   measure,
 *   directions: [{ attribute: FASHION_MNIST_ATTRIBUTES[0], direction }],
 *   gammas: [1],
 *   batch: 2,
 * });
 * console.log(result.rows.length); // 1
 * ```
 */
export async function measureEditability(
  model: HyperInverter,
  images: Float32Array,
  options: {
    measure: AttributeModel;
    directions: readonly { attribute: ClassGroupAttribute; direction: Float32Array }[];
    gammas?: readonly number[];
    batch?: number;
    onProgress?: (done: number, total: number) => void;
  },
): Promise<EditabilityResult[]> {
  const classes = options.measure.input.classes;
  return await measureEditabilityWith(model, images, {
    ...options,
    directions: options.directions.map(({ attribute, direction }) => ({
      name: attribute.name,
      direction,
      score: async (edited: Float32Array, batch: number) =>
        attributeScores((await options.measure.predict(edited, batch)).logits, classes, attribute),
    })),
  });
}

/** A direction and the scorer that measures its attribute (e.g. age in years, yaw in degrees). */
export interface MeasuredDirection {
  /** Attribute name for the table. */
  name: string;
  /** Unit normal [wDim]. */
  direction: Float32Array;
  /** One score per image of a batch [B, 3, R, R] in [−1, 1]; must not be the model that learned the direction. */
  score: (images: Float32Array, batch: number) => Promise<ArrayLike<number>>;
}

/**
 * {@linkcode measureEditability} with any scorer per direction, e.g. a face age regressor and a head-yaw estimate
 * for the paper's own Table 2 on FFHQ.
 *
 * @param model the HyperInverter whose inversions are edited
 * @param images [N, 3, R, R] in [−1, 1]
 * @param options `directions` with their scorers; `gammas`, `batch` (must divide N), `onProgress`
 * @returns one result per direction
 * @example
 * ```ts
 * import { loadHyperInverter } from "../model/load.ts";
 * import { measureEditabilityWith } from "./editability.ts";
 * const model = await loadHyperInverter("data/models/default/model.json");
 * const brightness = async (images: Float32Array, batch: number) =>
 *   Array.from({ length: batch }, (_, b) => images.subarray(b * 3072, (b + 1) * 3072).reduce((s, v) => s + v, 0) / 3072);
 * const direction = new Float32Array(128).fill(1 / Math.sqrt(128));
 * const [result] = await measureEditabilityWith(model, new Float32Array(3072), {
 *   directions: [{ name: "brightness", direction, score: brightness }],
 *   gammas: [-1, 1],
 *   batch: 1,
 * });
 * console.log(result.rows.map((r) => r.gamma)); // [-1, 1]
 * ```
 */
export async function measureEditabilityWith(
  model: HyperInverter,
  images: Float32Array,
  options: {
    directions: readonly MeasuredDirection[];
    gammas?: readonly number[];
    batch?: number;
    onProgress?: (done: number, total: number) => void;
  },
): Promise<EditabilityResult[]> {
  const config = model.architecture.generator;
  const perImage = 3 * config.resolution * config.resolution;
  const batch = options.batch ?? 50;
  const count = images.length / perImage;
  if (!Number.isInteger(count) || count < 1 || count % batch !== 0) {
    throw new TypeError(`Expected N images of 3×${config.resolution}² with N a multiple of batch ${batch}`);
  }
  for (const { name, direction } of options.directions) {
    if (direction.length !== config.wDim) {
      throw new TypeError(
        `Direction "${name}" has ${direction.length} values, expected wDim ${config.wDim}`,
      );
    }
  }
  const gammas = [0, ...(options.gammas ?? TABLE_2_GAMMAS).filter((g) => g !== 0)];
  const rows = numWs(config);
  // sums[d][k] = [Σ phase-I score, Σ full score] at gammas[k]
  const sums = options.directions.map(() => gammas.map(() => [0, 0]));
  for (let first = 0; first < count; first += batch) {
    const x = images.subarray(first * perImage, (first + batch) * perImage);
    const inversion = await model.invert(x, batch);
    const columns = [null, inversion.residuals]; // phase I (ΔW = 0), full (ΔW reused)
    // γ = 0 leaves w as it is: its two renders serve every direction.
    const unedited = [];
    for (const residuals of columns) {
      unedited.push(await model.synthesize(inversion.wCodes.data, residuals, batch));
    }
    for (const [d, { direction, score }] of options.directions.entries()) {
      for (const [k, gamma] of gammas.entries()) {
        const ws = k === 0 ? null : interfaceGanEdit(inversion.wCodes.data, rows, direction, gamma);
        for (const [column, residuals] of columns.entries()) {
          const edited = ws ? await model.synthesize(ws, residuals, batch) : unedited[column];
          const scores = await score(edited.data, batch);
          if (scores.length !== batch) {
            throw new TypeError(`A scorer returned ${scores.length} scores for ${batch} images`);
          }
          for (let b = 0; b < batch; b++) {
            if (!Number.isFinite(scores[b])) {
              throw new RangeError(`Score ${b} of "${options.directions[d].name}" is ${scores[b]}`);
            }
            sums[d][k][column] += scores[b];
          }
        }
      }
    }
    options.onProgress?.(first + batch, count);
  }
  return options.directions.map(({ name }, d) => {
    const mean = sums[d].map(([one, full]) => [one / count, full / count]);
    return {
      attribute: name,
      baseline: { phaseOne: mean[0][0], full: mean[0][1] },
      rows: gammas.slice(1).map((gamma, k) => ({
        gamma,
        phaseOne: mean[k + 1][0] - mean[0][0],
        full: mean[k + 1][1] - mean[0][1],
      })).sort((a, b) => a.gamma - b.gamma),
    };
  });
}

/**
 * A markdown table in the layout of the paper's Table 2 (one row per attribute and γ).
 *
 * @param results from {@linkcode measureEditability}
 * @returns markdown
 * @example
 * ```ts
 * import { editabilityMarkdown } from "./editability.ts";
 * const md = editabilityMarkdown([{ attribute: "bag", baseline: { phaseOne: 0, full: 0 },
 *   rows: [{ gamma: 1, phaseOne: 0.5, full: 0.25 }] }]);
 * console.log(md.split("\n")[2]); // | bag | 1 | 0.500 | 0.250 | 50 % |
 * ```
 */
export function editabilityMarkdown(results: readonly EditabilityResult[]): string {
  const lines = [
    "| attribute | γ | phase I (W encoder) | full (ΔW reused) | full ÷ phase I |",
    "|---|---|---|---|---|",
  ];
  for (const { attribute, rows } of results) {
    for (const { gamma, phaseOne, full } of rows) {
      const ratio = Math.abs(phaseOne) > 1e-9 ? `${Math.round((full / phaseOne) * 100)} %` : "–";
      lines.push(`| ${attribute} | ${gamma} | ${phaseOne.toFixed(3)} | ${full.toFixed(3)} | ${ratio} |`);
    }
  }
  return lines.join("\n");
}
