/**
 * ADA's `FullyConnectedLayer` (spec §1.3): `y = x · (W·g_w)ᵀ + b·g_b` with g_w = lrMul/√in and g_b = lrMul,
 * the raw parameters stored at `W = randn/lrMul`.
 *
 * @module
 */

import type { GraphBuilder } from "../graph/builder.ts";
import { formatShape, type Tensor } from "../graph/tensor.ts";

/** Options of {@linkcode equalizedLinear}. */
export interface EqualizedLinearOptions {
  /** Output features. */
  outFeatures: number;
  /** Learning-rate multiplier (the run-time gain of weight and bias). Default 1. */
  lrMultiplier?: number;
  /** `lrelu` applies leaky ReLU (slope 0.2) times √2 after the bias, as ADA's `bias_act`. Default linear. */
  activation?: "linear" | "lrelu";
  /** Per-sample residual ΔW [B, out, in] added to the raw weight before the gain (ADA `added_weights`). */
  residual?: Tensor;
}

/**
 * Adds an equalized-learning-rate linear layer with parameters `weight` [out, in] and `bias` [out] in the
 * current scope.
 *
 * @param g graph builder
 * @param x input [B, in]
 * @param options output features, learning-rate multiplier, activation
 * @returns [B, out]
 * @example
 * ```ts
 * import { GraphBuilder } from "../graph/builder.ts";
 * import { equalizedLinear } from "./linear.ts";
 * const g = new GraphBuilder("fc");
 * const y = g.scope("fc0", () => equalizedLinear(g, g.input("x", [2, 512]), { outFeatures: 64 }));
 * console.log(y.shape); // [2, 64]
 * ```
 */
export function equalizedLinear(g: GraphBuilder, x: Tensor, options: EqualizedLinearOptions): Tensor {
  const inFeatures = x.shape[x.shape.length - 1];
  const lrMultiplier = options.lrMultiplier ?? 1;
  const weight = g.parameter("weight", [options.outFeatures, inFeatures]); // [out, in]
  const bias = g.parameter("bias", [options.outFeatures]); // [out]
  const gain = lrMultiplier / Math.sqrt(inFeatures);
  let y: Tensor;
  if (options.residual) {
    const batch = x.shape[0];
    const expected = [batch, options.outFeatures, inFeatures];
    if (options.residual.rank !== 3 || options.residual.shape.some((d, i) => d !== expected[i])) {
      throw new TypeError(
        `Residual "${options.residual.name}" for "${weight.name}" has shape ${
          formatShape(options.residual.shape)
        }, ` +
          `expected ${formatShape(expected)}`,
      );
    }
    const perSample = g.transpose(g.scale(g.add(weight, options.residual), gain), [0, 2, 1]); // [B, in, out]
    const rows = g.matMul(g.reshape(x, [batch, 1, inFeatures]), perSample); // [B, 1, out]
    y = g.add(g.reshape(rows, [batch, options.outFeatures]), g.scale(bias, lrMultiplier)); // [B, out]
  } else {
    const gained = g.transpose(g.scale(weight, gain), [1, 0]); // [in, out]
    y = g.add(g.matMul(x, gained), g.scale(bias, lrMultiplier)); // [B, out]
  }
  if ((options.activation ?? "linear") === "linear") return y;
  return g.scale(g.leakyRelu(y, 0.2), Math.SQRT2);
}
