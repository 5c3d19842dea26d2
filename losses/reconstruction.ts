/**
 * The reconstruction loss the phase-I and phase-II trainers share, a weighted sum of terms on images in
 * [−1, 1]:
 *
 *   λ_l2 · MSE(ŷ, y) + λ_msSsim · (1 − MS-SSIM) + λ_id · (1 − cos(f(ŷ), f(y))) + λ_lpips · LPIPS(ŷ, y)
 *
 * - MS-SSIM is computed on (· + 1)/2 with the configuration that fits the side ({@linkcode msSsimOptionsFor}:
 *   3 scales and a 7×7 window at 32², the one the evaluation reports) and a floor of 1e-4 on each scale's
 *   term, so that its gradient stays finite (losses/ms_ssim.ts).
 * - The identity term is losses/identity.ts with any {@linkcode FeatureExtractor} (ArcFace for faces, the
 *   Fashion-MNIST classifier's hidden features for the default model: editing/classifier_features.ts).
 * - LPIPS needs the frozen `lpips.*` weights and images of at least 63².
 *
 * A zero weight leaves its term out of the graph.
 *
 * @module
 */

import type { GraphBuilder } from "../graph/builder.ts";
import type { Tensor } from "../graph/tensor.ts";
import { type FeatureExtractor, identityLoss } from "./identity.ts";
import { l2Loss } from "./l2.ts";
import { lpips } from "./lpips.ts";
import { msSsim, msSsimOptionsFor } from "./ms_ssim.ts";

/** The terms, in the order they are summed. */
export const RECONSTRUCTION_TERMS = ["l2", "msSsim", "id", "lpips"] as const;

/** A term's name. */
export type ReconstructionTerm = typeof RECONSTRUCTION_TERMS[number];

/** Weights of the terms; a missing weight is 0. */
export type ReconstructionWeights = Partial<Record<ReconstructionTerm, number>>;

/** The floor of each MS-SSIM scale's term in the loss (keeps the gradient of v^w finite). */
export const MS_SSIM_LOSS_FLOOR = 1e-4;

/**
 * Checks the weights: known terms, finite and non-negative, at least one positive.
 *
 * @param weights the weights
 * @param where what they configure, for the message (e.g. `phase-II weights`)
 * @throws {RangeError} naming the bad weight
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkReconstructionWeights } from "./reconstruction.ts";
 * checkReconstructionWeights({ l2: 1, msSsim: 0.5 }, "weights");
 * assert.throws(() => checkReconstructionWeights({ l2: -1 }, "weights"), /weights\.l2 must be/);
 * ```
 */
export function checkReconstructionWeights(weights: Record<string, unknown>, where: string): void {
  for (const [term, value] of Object.entries(weights)) {
    if (!(RECONSTRUCTION_TERMS as readonly string[]).includes(term)) {
      throw new RangeError(
        `${where}: unknown loss term "${term}" (known: ${RECONSTRUCTION_TERMS.join(", ")})`,
      );
    }
    if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
      throw new RangeError(`${where}.${term} must be a finite number ≥ 0, got ${JSON.stringify(value)}`);
    }
  }
  if (!RECONSTRUCTION_TERMS.some((t) => ((weights[t] as number | undefined) ?? 0) > 0)) {
    throw new RangeError(`${where}: every loss weight is 0 (nothing to train)`);
  }
}

/**
 * The weighted reconstruction loss and its unweighted terms.
 *
 * @param g graph builder
 * @param prediction ŷ [B, C, R, R] in [−1, 1]
 * @param target y, the same shape
 * @param weights the term weights (zero or missing: left out)
 * @param options `idNetwork`: the feature network of the identity term (required when `weights.id` > 0)
 * @returns `loss` [] and each included term, unweighted, [] (for logs)
 * @throws {TypeError} when `weights.id` > 0 without a feature network
 * @example
 * ```ts
 * import { GraphBuilder } from "../graph/builder.ts";
 * import { reconstructionLoss } from "./reconstruction.ts";
 * const g = new GraphBuilder("loss");
 * const [y, x] = [g.input("y_hat", [2, 3, 32, 32]), g.input("y", [2, 3, 32, 32])];
 * const { loss, terms } = reconstructionLoss(g, y, x, { l2: 1, msSsim: 0.5 });
 * console.log(loss.shape, [...terms.keys()]); // [] ["l2", "msSsim"]
 * ```
 */
export function reconstructionLoss(
  g: GraphBuilder,
  prediction: Tensor,
  target: Tensor,
  weights: ReconstructionWeights,
  options: { idNetwork?: FeatureExtractor } = {},
): { loss: Tensor; terms: Map<ReconstructionTerm, Tensor> } {
  const terms = new Map<ReconstructionTerm, Tensor>();
  let loss: Tensor | undefined;
  for (const term of RECONSTRUCTION_TERMS) {
    const weight = weights[term] ?? 0;
    if (!(weight > 0)) continue;
    const value = termValue(g, term, prediction, target, options.idNetwork); // []
    terms.set(term, value);
    const weighted = weight === 1 ? value : g.scale(value, weight);
    loss = loss ? g.add(loss, weighted) : weighted;
  }
  if (!loss) throw new RangeError("Reconstruction loss: every weight is 0");
  return { loss, terms };
}

function termValue(
  g: GraphBuilder,
  term: ReconstructionTerm,
  prediction: Tensor,
  target: Tensor,
  idNetwork: FeatureExtractor | undefined,
): Tensor {
  switch (term) {
    case "l2":
      return l2Loss(g, prediction, target);
    case "msSsim": {
      const unit = (t: Tensor) => g.scale(g.add(t, g.scalar(1)), 0.5); // [B, C, R, R] in [0, 1]
      const { options } = msSsimOptionsFor(Math.min(prediction.shape[2], prediction.shape[3]));
      const similarity = msSsim(g, unit(prediction), unit(target), { ...options, floor: MS_SSIM_LOSS_FLOOR });
      return g.sub(g.scalar(1), similarity); // []
    }
    case "id":
      if (!idNetwork) throw new TypeError("The identity loss (weight id > 0) needs a feature network");
      return identityLoss(g, prediction, target, idNetwork);
    case "lpips":
      return g.scope("lpips", () => lpips(g, prediction, target).loss);
  }
}
