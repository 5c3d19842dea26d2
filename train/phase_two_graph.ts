/**
 * The phase-II training graph (spec §5): the inversion forward pass, the reconstruction losses on
 * P = AdaptiveAvgPool(256), and the gradients of the layer-wise encoder and the hypernetwork (E1 and G frozen).
 * The adversarial term and R1 (switched on after a set step in the paper's recipe) are added by the trainer of a
 * later issue on top of this graph.
 *
 * @module
 */

import type { GraphBuilder } from "../graph/builder.ts";
import type { Tensor } from "../graph/tensor.ts";
import { l2Loss } from "../losses/l2.ts";
import { lpips } from "../losses/lpips.ts";
import { faceAveragePool } from "../losses/face_pool.ts";
import { type HyperInverterArchitecture, hyperInverterGraph } from "../model/pipeline_graph.ts";
import { addTrainingOutputs } from "./training_step.ts";

/** Loss weights of phase II (the official training scripts use λ_l2 = 1 and λ_lpips = 0.8). */
export interface PhaseTwoLossWeights {
  l2?: number;
  /** 0 leaves LPIPS out (it needs AlexNet + linear-layer weights, `lpips.*` parameters, frozen). */
  lpips?: number;
}

/**
 * Builds the phase-II training step graph: input `x` [B, 3, R, R]; outputs `loss`, `grad.<trainable>` and the
 * inversion outputs. Trainable: `w_bar_encoder.*` and `hypernet.*`.
 *
 * @param architecture resolved architecture
 * @param options batch, loss weights, `withGradients: false` for the forward + loss alone (for timing), and
 *   `phaseOne: "given"` for the step the phase-II trainer runs (E1 and x̂_w from its cache)
 * @returns the graph and its trainable parameters
 */
export function phaseTwoTrainingGraph(
  architecture: HyperInverterArchitecture,
  options: {
    batch?: number;
    weights?: PhaseTwoLossWeights;
    withGradients?: boolean;
    /** `"given"`: inputs `w`, `w_images` instead of E1 and the phase-I synthesis (see hyperInverterGraph). */
    phaseOne?: "computed" | "given";
    /** E2's styles on one map share their first convolution (hyperInverterGraph). Default true. */
    mergeSharedInputConvs?: boolean;
    /** The hypernet's regressors as one stack (hyperInverterGraph). Default true. */
    stackRegressors?: boolean;
  } = {},
): { graph: GraphBuilder; trainable: Tensor[] } {
  const g = hyperInverterGraph(architecture, {
    batch: options.batch ?? 1,
    phaseOne: options.phaseOne,
    mergeSharedInputConvs: options.mergeSharedInputConvs ?? true,
    stackRegressors: options.stackRegressors ?? true,
  });
  const x = g.inputs[0]; // [B, 3, R, R]
  const final = g.outputs.find((t) => t.name === "final_images")!; // [B, 3, R, R]
  const size = Math.min(256, architecture.generator.resolution);
  const pooledFinal = faceAveragePool(g, final, size); // [B, 3, 256, 256]
  const pooledTarget = faceAveragePool(g, x, size);
  const weights = { l2: 1, lpips: 0.8, ...options.weights };
  let loss = g.scale(l2Loss(g, pooledFinal, pooledTarget), weights.l2); // []
  if (weights.lpips > 0) {
    const perceptual = g.scope("lpips", () => lpips(g, pooledFinal, pooledTarget).loss);
    loss = g.add(loss, g.scale(perceptual, weights.lpips));
  }
  if (options.withGradients === false) {
    g.output(loss, "loss");
    return { graph: g, trainable: [] };
  }
  const trainable = addTrainingOutputs(g, loss, {
    trainable: (name) => name.startsWith("w_bar_encoder.") || name.startsWith("hypernet."),
  });
  return { graph: g, trainable };
}
