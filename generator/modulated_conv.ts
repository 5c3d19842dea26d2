/**
 * StyleGAN2's modulated convolutions (ADA `SynthesisLayer` and `ToRGBLayer`, spec §1.3), with an optional
 * per-sample additive residual on the raw weight: `W' = W + ΔW_b`. The batch runs as one grouped
 * convolution (groups = B), as ADA's fused path does, so per-sample weights need no loop.
 *
 * @module
 */

import type { GraphBuilder } from "../graph/builder.ts";
import { formatShape, type Tensor } from "../graph/tensor.ts";
import { blurAfterUpConv } from "./fir.ts";
import { equalizedLinear } from "./linear.ts";
import type { LayerSpec } from "./registry.ts";

/** Per-sample residuals of one synthesis layer (HyperInverter's predicted ΔW). */
export interface LayerResiduals {
  /** ΔW on the raw conv weight, [B, O, I, k, k]. */
  weight?: Tensor;
  /** ΔA on the raw affine (style) weight, [B, I, wDim] (target set `all_without_bias`). */
  affine?: Tensor;
}

/** Per-sample residuals of one synthesis layer (HyperInverter's predicted ΔW). */
export interface LayerResiduals {
  /** ΔW on the raw conv weight, [B, O, I, k, k]. */
  weight?: Tensor;
  /** ΔA on the raw affine (style) weight, [B, I, wDim] (target set `all_without_bias`). */
  affine?: Tensor;
}

/**
 * The per-sample weights `(W + ΔW_b) · s_b`, demodulated when asked: [B, O, I, k, k].
 *
 * @param g graph builder
 * @param weight raw weight [O, I, k, k]
 * @param styles per-sample styles [B, I]
 * @param residual optional ΔW [B, O, I, k, k], added to the raw weight
 * @param demodulate whether to normalise each output filter (conv layers yes, toRGB no)
 * @returns [B, O, I, k, k]
 */
export function modulateWeight(
  g: GraphBuilder,
  weight: Tensor,
  styles: Tensor,
  residual: Tensor | undefined,
  demodulate: boolean,
): Tensor {
  const [o, i, kh, kw] = weight.shape;
  const batch = styles.shape[0];
  let w = g.reshape(weight, [1, o, i, kh, kw]); // [1, O, I, k, k]
  if (residual) {
    const expected = [batch, o, i, kh, kw];
    if (residual.rank !== 5 || residual.shape.some((d, axis) => d !== expected[axis])) {
      throw new TypeError(
        `Residual "${residual.name}" for weight "${weight.name}" has shape ${
          formatShape(residual.shape)
        }, expected ${formatShape(expected)}`,
      );
    }
    w = g.add(w, residual); // [B, O, I, k, k]
  }
  w = g.mul(w, g.reshape(styles, [batch, 1, i, 1, 1])); // [B, O, I, k, k]
  if (!demodulate) return w;
  const energy = g.reduceSum(g.mul(w, w), [2, 3, 4]); // [B, O, 1, 1, 1]
  const demodulation = g.reciprocal(g.sqrt(g.add(energy, g.scalar(1e-8)))); // [B, O, 1, 1, 1]
  return g.mul(w, demodulation); // [B, O, I, k, k]
}

/**
 * A grouped convolution of each sample with its own weight.
 *
 * @param g graph builder
 * @param x input [B, I, H, W]
 * @param w per-sample weights [B, O, I, k, k]
 * @param up true for conv0: stride-2 transposed convolution followed by the FIR blur
 * @returns [B, O, H', W']
 */
export function convPerSample(g: GraphBuilder, x: Tensor, w: Tensor, up: boolean): Tensor {
  const [batch, o, i, kh, kw] = w.shape;
  const [, , h, width] = x.shape;
  const grouped = g.reshape(x, [1, batch * i, h, width]); // [1, B·I, H, W]
  let y: Tensor;
  if (up) {
    // ADA conv2d_resample with up=2, flip_weight=False: conv_transpose2d with the [I, O] transposed, unflipped
    // weight, stride 2, no padding (2H+1), then upfirdn2d(pad 1, gain 4) (spec §1.4).
    const wt = g.reshape(g.transpose(w, [0, 2, 1, 3, 4]), [batch * i, o, kh, kw]); // [B·I, O, k, k]
    y = g.convTranspose(grouped, wt, { strides: [2, 2], group: batch }); // [1, B·O, 2H+1, 2W+1]
    y = blurAfterUpConv(g, y); // [1, B·O, 2H, 2W]
  } else {
    const wg = g.reshape(w, [batch * o, i, kh, kw]); // [B·O, I, k, k]
    y = g.conv(grouped, wg, { pads: Math.floor(kh / 2), group: batch }); // [1, B·O, H, W]
  }
  return g.reshape(y, [batch, o, y.shape[2], y.shape[3]]); // [B, O, H', W']
}

/**
 * ADA `SynthesisLayer` (conv0 or conv1): style, modulated conv (up for conv0), const noise, bias, lrelu·√2.
 * Parameters (in the current scope): `weight`, `bias`, `noise_strength`, `noise_const`, `affine.{weight,bias}`.
 *
 * @param g graph builder
 * @param layer the registry row of the layer
 * @param x input features [B, I, H, W]
 * @param w the layer's w row [B, wDim]
 * @param residuals optional per-sample residuals: `weight` ΔW [B, O, I, k, k], `affine` ΔA [B, I, wDim]
 * @returns [B, O, R, R]
 */
export function synthesisLayer(
  g: GraphBuilder,
  layer: LayerSpec,
  x: Tensor,
  w: Tensor,
  residuals: LayerResiduals = {},
): Tensor {
  const weight = g.parameter("weight", layer.weightShape); // [O, I, k, k]
  const bias = g.parameter("bias", [layer.outChannels]); // [O]
  const noiseStrength = g.parameter("noise_strength", []); // []
  const noiseConst = g.parameter("noise_const", [layer.resolution, layer.resolution]); // [R, R]
  const styles = g.scope(
    "affine",
    () => equalizedLinear(g, w, { outFeatures: layer.inChannels, residual: residuals.affine }),
  ); // [B, I]
  const modulated = modulateWeight(g, weight, styles, residuals.weight, true); // [B, O, I, k, k]
  let y = convPerSample(g, x, modulated, layer.upsample); // [B, O, R, R]
  y = g.add(y, g.mul(noiseConst, noiseStrength)); // noise_mode="const", added before the bias
  y = g.add(y, g.reshape(bias, [1, layer.outChannels, 1, 1]));
  return g.scale(g.leakyRelu(y, 0.2), Math.SQRT2); // [B, O, R, R]
}

/**
 * ADA `ToRGBLayer`: styles times 1/√I, a 1×1 modulated conv without demodulation, plus bias.
 *
 * @param g graph builder
 * @param layer the registry row of the layer
 * @param x input features [B, I, R, R]
 * @param w the layer's w row [B, wDim]
 * @param residuals optional per-sample residuals: `weight` ΔW [B, 3, I, 1, 1], `affine` ΔA [B, I, wDim]
 * @returns the RGB contribution [B, 3, R, R]
 */
export function toRgbLayer(
  g: GraphBuilder,
  layer: LayerSpec,
  x: Tensor,
  w: Tensor,
  residuals: LayerResiduals = {},
): Tensor {
  const weight = g.parameter("weight", layer.weightShape); // [3, I, 1, 1]
  const bias = g.parameter("bias", [layer.outChannels]); // [3]
  const styles = g.scope(
    "affine",
    () => equalizedLinear(g, w, { outFeatures: layer.inChannels, residual: residuals.affine }),
  ); // [B, I]
  const gainedStyles = g.scale(styles, 1 / Math.sqrt(layer.inChannels)); // weight_gain acts on the styles
  const modulated = modulateWeight(g, weight, gainedStyles, residuals.weight, false); // [B, 3, I, 1, 1]
  const y = convPerSample(g, x, modulated, false); // [B, 3, R, R]
  return g.add(y, g.reshape(bias, [1, layer.outChannels, 1, 1]));
}
