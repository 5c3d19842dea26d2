/**
 * Choosing how far to move an edit: the smallest strength γ on a ladder at which a held-out scorer measures at
 * least a given change of the attribute (e.g. 1 logit), so a demo's edit column visibly edits and says by how
 * much. The edit is InterFaceGAN's `w + γ·n` rendered with the inversion's ΔW (phase II, as the paper edits).
 *
 * @module
 */

import { numWs } from "../generator/config.ts";
import type { HyperInverter, InversionResult } from "../model/hyperinverter.ts";
import { interfaceGanEdit } from "./directions.ts";

/** The strengths tried, in order (magnitudes; the sign of the ladder is the direction's). */
export const EDIT_STRENGTH_LADDER: readonly number[] = [1, 2, 3, 4, 5, 6, 8, 10];

/** Options of {@linkcode chooseEditStrength}. */
export interface EditStrengthOptions {
  /** The mean score change to reach (default 1: one logit of the attribute's log-odds). */
  target?: number;
  /** The strengths to try, smallest first (default {@linkcode EDIT_STRENGTH_LADDER}). */
  ladder?: readonly number[];
}

/** What {@linkcode chooseEditStrength} found. */
export interface EditStrength {
  /** The chosen γ: the first of the ladder reaching the target, else the last. */
  gamma: number;
  /** Mean score change from the unedited phase-II images at that γ. */
  change: number;
  /** Whether the target was reached. */
  reached: boolean;
  /** The edited images at that γ [B, 3, R, R] (so the caller need not render them again). */
  images: Float32Array;
  /** Every γ tried with its mean change, in order. */
  tried: { gamma: number; change: number }[];
}

/**
 * Finds the smallest γ at which the edit changes the measured attribute by at least `target` on average.
 *
 * @param model the model that inverted the images
 * @param inversion its inversion of B images (w codes and ΔW)
 * @param batch B
 * @param direction unit normal n [wDim]
 * @param score one score per image (e.g. an attribute's log-odds by a classifier that did not learn n)
 * @param options target and ladder
 * @returns the chosen strength, its measured change and images
 * @throws {TypeError} when the direction's length is not wDim or the scorer returns the wrong count
 * @throws {RangeError} for an empty ladder or a non-finite score
 * @example
 * ```ts
 * import { loadHyperInverter } from "../model/load.ts";
 * import { chooseEditStrength } from "./edit_strength.ts";
 * const model = await loadHyperInverter("data/models/default/model.json");
 * const inversion = await model.invert(new Float32Array(2 * 3 * 32 * 32), 2);
 * const direction = new Float32Array(128).fill(1 / Math.sqrt(128));
 * // A scorer that is the mean brightness, ×10.
 * const brightness = (images: Float32Array, b: number) =>
 *   Promise.resolve(Array.from({ length: b }, (_, i) =>
 *     10 * images.subarray(i * 3072, (i + 1) * 3072).reduce((s, v) => s + v, 0) / 3072));
 * const found = await chooseEditStrength(model, inversion, 2, direction, brightness, { target: 0.01 });
 * console.log(found.tried.length >= 1, found.images.length); // true 6144
 * ```
 */
export async function chooseEditStrength(
  model: HyperInverter,
  inversion: Pick<InversionResult, "wCodes" | "residuals">,
  batch: number,
  direction: Float32Array,
  score: (images: Float32Array, batch: number) => Promise<ArrayLike<number>>,
  options: EditStrengthOptions = {},
): Promise<EditStrength> {
  const config = model.architecture.generator;
  if (direction.length !== config.wDim) {
    throw new TypeError(`The direction has ${direction.length} values, expected wDim ${config.wDim}`);
  }
  const ladder = options.ladder ?? EDIT_STRENGTH_LADDER;
  if (!ladder.length) throw new RangeError("The edit-strength ladder is empty");
  const target = options.target ?? 1;
  const meanScore = async (images: Float32Array) => {
    const scores = await score(images, batch);
    if (scores.length !== batch) {
      throw new TypeError(`The scorer returned ${scores.length} scores for ${batch} images`);
    }
    let sum = 0;
    for (let i = 0; i < batch; i++) {
      if (!Number.isFinite(scores[i])) throw new RangeError(`Score ${i} is ${scores[i]}`);
      sum += scores[i];
    }
    return sum / batch;
  };
  const rows = numWs(config);
  const base = await meanScore(
    (await model.synthesize(inversion.wCodes.data, inversion.residuals, batch)).data,
  );
  const tried: { gamma: number; change: number }[] = [];
  let images: Float32Array = new Float32Array(0);
  for (const gamma of ladder) {
    const ws = interfaceGanEdit(inversion.wCodes.data, rows, direction, gamma);
    images = (await model.synthesize(ws, inversion.residuals, batch)).data;
    const change = await meanScore(images) - base;
    tried.push({ gamma, change });
    if (change >= target) return { gamma, change, reached: true, images, tried };
  }
  const last = tried[tried.length - 1];
  return { gamma: last.gamma, change: last.change, reached: false, images, tried };
}
