/**
 * The discriminator side of adversarial training, written once for the generator trainer and phase II: D under
 * the `D.` scope, its logistic-loss step, its lazy R1 step (losses/adversarial.ts, losses/r1.ts), and its Adam
 * with ADA's lazy-regularisation correction of the learning rate and β.
 *
 * @module
 */

import { GraphBuilder } from "../graph/builder.ts";
import type { Tensor } from "../graph/tensor.ts";
import { buildDiscriminator, type DiscriminatorConfig } from "../generator/discriminator.ts";
import { discriminatorLogisticLoss } from "../losses/adversarial.ts";
import { r1Penalty } from "../losses/r1.ts";
import { Adam } from "./optimizers.ts";
import { addTrainingOutputs } from "./training_step.ts";

/**
 * Whether a parameter belongs to D (the `D.` scope of {@linkcode scopedDiscriminator}).
 *
 * @param name a parameter name
 * @returns true for `D.*`
 * @example
 * ```ts
 * import { isDiscriminatorParameter } from "./discriminator_steps.ts";
 * console.log(isDiscriminatorParameter("D.b4.out.weight"), isDiscriminatorParameter("synthesis.b4.conv1.weight")); // true false
 * ```
 */
export function isDiscriminatorParameter(name: string): boolean {
  return name.startsWith("D.");
}

/**
 * D(img) with its parameters under `D.`; every call on one graph shares them.
 *
 * @param g graph builder
 * @param img images [B, C, R, R]
 * @param discriminator D configuration
 * @returns logits [B, 1]
 */
export function scopedDiscriminator(
  g: GraphBuilder,
  img: Tensor,
  discriminator: DiscriminatorConfig,
): Tensor {
  return g.scope("D", () => buildDiscriminator(g, img, discriminator)); // [B, 1]
}

/**
 * Adds D's logistic loss on real and fake images, and the gradients of `D.*`, to a graph.
 *
 * @param g graph builder
 * @param real real images [B, C, R, R]
 * @param fake builds (or returns) the fake images, the same shape: an input, or G(z) built in the graph (G gets
 *   no gradient output); called after D(real) is built, which fixes the graph's node order
 * @param discriminator D configuration
 */
export function addDiscriminatorStep(
  g: GraphBuilder,
  real: Tensor,
  fake: () => Tensor,
  discriminator: DiscriminatorConfig,
): void {
  const realLogits = scopedDiscriminator(g, real, discriminator); // [B, 1]
  const fakeLogits = scopedDiscriminator(g, fake(), discriminator); // [B, 1]
  const loss = discriminatorLogisticLoss(g, realLogits, fakeLogits); // []
  addTrainingOutputs(g, loss, { trainable: isDiscriminatorParameter });
}

/**
 * The lazy R1 step graph: input `real` → γ/2·‖∇D(real)‖²·every, with the gradients of `D.*`.
 *
 * @param name the graph's name
 * @param shape the shape of `real` [B, C, R, R]
 * @param discriminator D configuration
 * @param r1 γ and the lazy interval
 * @returns the graph
 */
export function r1StepGraph(
  name: string,
  shape: readonly number[],
  discriminator: DiscriminatorConfig,
  r1: { gamma: number; every: number },
): GraphBuilder {
  const g = new GraphBuilder(name);
  const real = g.input("real", [...shape]);
  const { loss } = r1Penalty(g, scopedDiscriminator(g, real, discriminator), real, {
    gamma: r1.gamma,
    dRegEvery: r1.every,
  });
  addTrainingOutputs(g, loss, { trainable: isDiscriminatorParameter });
  return g;
}

/**
 * D's Adam (β1 0, β2 0.99, ε 1e-8) with ADA's lazy-regularisation correction: R1 every `r1Every` steps
 * scales the learning rate by c = every/(every+1) and β2 to 0.99^c.
 *
 * @param learningRate D's learning rate before the correction
 * @param r1Every the lazy R1 interval
 * @returns the optimizer
 * @example
 * ```ts
 * import { lazyRegularizedAdam } from "./discriminator_steps.ts";
 * console.log(lazyRegularizedAdam(0.0017, 16) !== undefined); // true
 * ```
 */
export function lazyRegularizedAdam(learningRate: number, r1Every: number): Adam {
  const ratio = r1Every / (r1Every + 1);
  return new Adam({ lr: learningRate * ratio, beta1: 0, beta2: 0.99 ** ratio, eps: 1e-8 });
}
