/**
 * The R1 penalty of the HyperInverter coach (`Coach.d_r1_loss` + `calc_discriminator_r1_loss`, spec §5),
 * built with {@linkcode gradients}: the input gradient of D is ordinary graph IR, so differentiating the
 * returned loss again w.r.t. D's parameters gives the double-backprop gradient the coach trains D with.
 *
 * @module
 */

import { gradients } from "../graph/autodiff.ts";
import type { GraphBuilder } from "../graph/builder.ts";
import type { Tensor } from "../graph/tensor.ts";

/** Options of {@linkcode r1Penalty}. */
export interface R1Options {
  /** γ (`opts.hyper_d_r1_gamma`). Default 10 (the FFHQ training script; the church script uses 100). */
  gamma?: number;
  /** Lazy-regularisation interval (`opts.hyper_d_reg_every`), folded into the loss. Default 16. */
  dRegEvery?: number;
}

/** Result of {@linkcode r1Penalty}. */
export interface R1Result {
  /** r1_penalty = mean over the batch of Σ (d Σ_b preds_b / d x_real)² per sample, scalar []. */
  penalty: Tensor;
  /** loss_D_R1 = γ/2 · r1_penalty · dRegEvery, scalar [] (the coach's `+ 0·preds[0]` adds nothing). */
  loss: Tensor;
  /** The input gradient d Σ_b preds_b / d x_real, shaped like the real images. */
  inputGradient: Tensor;
}

/**
 * The coach's R1: `preds = D(real).view(B, −1).mean(1)`, `g = d(preds.sum())/d real` (kept in the graph, as
 * `create_graph=True`), `r1_penalty = g².reshape(B, −1).sum(1).mean()`, `loss_D_R1 = γ/2 · r1_penalty ·
 * d_reg_every`. The minibatch-stddev layer couples the samples, so `g` is the gradient of the batch sum, not
 * a per-sample gradient.
 *
 * @param g graph builder holding D's forward pass
 * @param realLogits D(x_real) [B, …] (normally [B, 1]), computed in `g` from `realImages`
 * @param realImages x_real [B, C, H, W], the tensor D was run on
 * @param options γ and the regularisation interval
 * @returns penalty, loss and the input gradient
 * @throws {RangeError} when the logits and images disagree on the batch size
 * @example
 * ```ts
 * import { GraphBuilder } from "../graph/builder.ts";
 * import { gradients } from "../graph/autodiff.ts";
 * import { r1Penalty } from "./r1.ts";
 * const g = new GraphBuilder("r1");
 * const x = g.input("x", [2, 3]); // [2, 3]
 * const w = g.parameter("w", [3, 1]); // [3, 1]
 * const logits = g.matMul(g.mul(x, x), w); // [2, 1]
 * const { penalty, loss } = r1Penalty(g, logits, x); // [], []
 * const dw = gradients(g, loss, [w]).get(w)!; // [3, 1]: double backprop
 * g.output(penalty, "r1_penalty");
 * g.output(dw, "grad.w");
 * ```
 */
export function r1Penalty(
  g: GraphBuilder,
  realLogits: Tensor,
  realImages: Tensor,
  options: R1Options = {},
): R1Result {
  const gamma = options.gamma ?? 10;
  const dRegEvery = options.dRegEvery ?? 16;
  const batch = realImages.shape[0];
  if (realLogits.shape[0] !== batch) {
    throw new RangeError(
      `r1Penalty: logits [${realLogits.shape}] and images [${realImages.shape}] differ in batch size`,
    );
  }
  const flatLogits = g.reshape(realLogits, [batch, realLogits.size / batch]); // [B, n]
  const preds = g.reduceMean(flatLogits, [1], false); // [B]
  const predsSum = g.reduceSum(preds, [0], false); // []
  const inputGradient = gradients(g, predsSum, [realImages]).get(realImages)!; // like realImages
  const perSample = g.reduceSum(
    g.reshape(g.mul(inputGradient, inputGradient), [batch, realImages.size / batch]),
    [1],
    false,
  ); // [B]
  const penalty = g.reduceMean(perSample, [0], false); // []
  const loss = g.scale(penalty, (gamma / 2) * dRegEvery); // []
  return { penalty, loss, inputGradient };
}
