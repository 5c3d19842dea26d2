/**
 * The coach's adversarial losses (`training/coach.py` `g_nonsaturating_loss`, `d_logistic_loss` /
 * `calc_discriminator_loss`, spec §5), on discriminator logits [B, 1]. The R1 penalty (double backprop) is in
 * r1.ts.
 *
 * @module
 */

import type { GraphBuilder } from "../graph/builder.ts";
import type { Tensor } from "../graph/tensor.ts";

/**
 * softplus(x) = log(1 + eˣ), composed stably as relu(x) + log(1 + e^(−|x|)) (no overflow for large |x|;
 * every op has a plain gradient: d/dx = sigmoid(x) up to rounding).
 *
 * @param g graph builder
 * @param x any tensor
 * @returns softplus(x), same shape
 * @example
 * ```ts
 * import { GraphBuilder } from "../graph/builder.ts";
 * import { GraphSession } from "../runtime/session.ts";
 * import { softplus } from "./adversarial.ts";
 * const g = new GraphBuilder("softplus");
 * g.output(softplus(g, g.input("x", [3])), "y");
 * const { outputs } = await (await GraphSession.create(g)).run({ x: new Float32Array([-100, 0, 100]) });
 * console.log(Array.from(outputs.y.data as Float32Array, (v) => v.toFixed(4))); // ["0.0000", "0.6931", "100.0000"]
 * ```
 */
export function softplus(g: GraphBuilder, x: Tensor): Tensor {
  const tail = g.log(g.add(g.scalar(1), g.exp(g.neg(g.abs(x))))); // log(1 + e^(−|x|))
  return g.add(g.relu(x), tail);
}

/**
 * The generator's non-saturating loss `softplus(−D(fake)).mean()` (coach `g_nonsaturating_loss`).
 *
 * @param g graph builder
 * @param fakeLogits D(x̂) [B, 1] (any shape: the mean is over all elements)
 * @returns scalar []
 * @example
 * ```ts
 * import { GraphBuilder } from "../graph/builder.ts";
 * import { nonSaturatingLoss } from "./adversarial.ts";
 * const g = new GraphBuilder("g_loss");
 * console.log(nonSaturatingLoss(g, g.input("logits", [4, 1])).shape); // []
 * ```
 */
export function nonSaturatingLoss(g: GraphBuilder, fakeLogits: Tensor): Tensor {
  return meanAll(g, softplus(g, g.neg(fakeLogits)));
}

/**
 * The discriminator's logistic loss as the HyperInverter coach computes it: the **average** of its two terms,
 * `(softplus(−D(real)).mean() + softplus(D(fake)).mean()) / 2` (ADA's `loss.py` sums them instead).
 *
 * @param g graph builder
 * @param realLogits D(x) [B, 1]
 * @param fakeLogits D(x̂) [B', 1]
 * @returns scalar []
 * @example
 * ```ts
 * import { GraphBuilder } from "../graph/builder.ts";
 * import { discriminatorLogisticLoss } from "./adversarial.ts";
 * const g = new GraphBuilder("d_loss");
 * const loss = discriminatorLogisticLoss(g, g.input("real", [4, 1]), g.input("fake", [4, 1]));
 * console.log(loss.shape); // []
 * ```
 */
export function discriminatorLogisticLoss(g: GraphBuilder, realLogits: Tensor, fakeLogits: Tensor): Tensor {
  const real = meanAll(g, softplus(g, g.neg(realLogits))); // []
  const fake = meanAll(g, softplus(g, fakeLogits)); // []
  return g.scale(g.add(real, fake), 0.5);
}

/** Mean over every axis, as a scalar []. */
export function meanAll(g: GraphBuilder, x: Tensor): Tensor {
  return g.reduceMean(x, x.shape.map((_, i) => i), false);
}
