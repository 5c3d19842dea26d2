/**
 * Multi-scale SSIM (Wang, Simoncelli, Bovik 2003), following `pytorch_msssim` (VainF/pytorch-msssim 1.0,
 * `ms_ssim(X, Y, data_range, size_average=True, win_size=11, win_sigma=1.5, K=(0.01, 0.03))`), the
 * implementation the HyperInverter / pSp evaluation lineage uses. Its conventions, all reproduced here:
 * - a normalised Gaussian window (11 taps, σ 1.5, centred at index 5), applied separably per channel with
 *   **valid** padding (no border);
 * - C1 = (0.01·R)², C2 = (0.03·R)², no variance compensation; SSIM and contrast-structure (cs) maps are
 *   averaged over the valid pixels per sample and channel;
 * - 5 scales with weights [0.0448, 0.2856, 0.3001, 0.2363, 0.1333]; between scales a 2×2 average pool with
 *   padding = size mod 2 counted in the mean (torch's `count_include_pad=True`);
 * - cs of scales 1–4 and SSIM of scale 5 are clamped at 0 (relu), raised to their weights and multiplied;
 *   the result is averaged over channels (per image) or over everything;
 * - small images: pytorch_msssim refuses a smaller side ≤ (win − 1)·2⁴ = 160, because the window must still
 *   fit after the four downsamplings; this module throws a RangeError at the same bound (no silent skipping).
 *
 * @module
 */

import type { GraphBuilder } from "../graph/builder.ts";
import type { Tensor } from "../graph/tensor.ts";
import { assertImages, assertSameShape } from "./_check.ts";

/** The standard MS-SSIM scale weights (Wang et al. 2003). */
export const MS_SSIM_WEIGHTS = [0.0448, 0.2856, 0.3001, 0.2363, 0.1333] as const;

/** Options of {@linkcode msSsim}. */
export interface MsSsimOptions {
  /** Data range R. Default 1 (images in [0, 1]; map generator output with (x + 1)/2). */
  dataRange?: number;
  /** Gaussian window side (odd). Default 11. */
  windowSize?: number;
  /** Gaussian σ. Default 1.5. */
  windowSigma?: number;
  /** Scale weights (their count is the number of scales). Default {@linkcode MS_SSIM_WEIGHTS}. */
  weights?: readonly number[];
  /** `true` (default): one scalar, the mean over batch and channels; `false`: per image [B]. */
  sizeAverage?: boolean;
  /**
   * The clamp of each scale's cs / SSIM before the power: 0 (default) is pytorch_msssim's relu. A loss should
   * use a small positive floor (e.g. 1e-4): v^w has an infinite slope at 0, so a clamped term would give
   * 0 · ∞ = NaN gradients; max(v, floor) keeps them finite (and changes the value only where v < floor).
   */
  floor?: number;
}

/**
 * The 1-D Gaussian window, normalised to sum 1 (pytorch_msssim `_fspecial_gauss_1d`).
 *
 * @param size window side
 * @param sigma standard deviation
 * @returns the taps
 * @example
 * ```ts
 * import { gaussianWindow } from "./ms_ssim.ts";
 * console.log(gaussianWindow(11, 1.5)[5].toFixed(4)); // "0.2660"
 * ```
 */
export function gaussianWindow(size: number, sigma: number): Float32Array {
  const taps = new Float64Array(size);
  for (let i = 0; i < size; i++) taps[i] = Math.exp(-((i - (size >> 1)) ** 2) / (2 * sigma * sigma));
  const total = taps.reduce((s, v) => s + v, 0);
  return Float32Array.from(taps, (v) => v / total);
}

/** Separable Gaussian filter per channel, valid padding: [N, C, H, W] → [N, C, H − k + 1, W − k + 1]. */
function gaussianFilter(g: GraphBuilder, x: Tensor, window: Float32Array): Tensor {
  const channels = x.shape[1];
  const k = window.length;
  const taps = new Float32Array(channels * k);
  for (let c = 0; c < channels; c++) taps.set(window, c * k);
  const rows = g.constant(taps, [channels, 1, 1, k], "gaussian_w"); // [C, 1, 1, k]
  const columns = g.constant(taps, [channels, 1, k, 1], "gaussian_h"); // [C, 1, k, 1]
  const horizontal = g.conv(x, rows, { group: channels }); // [N, C, H, W − k + 1]
  return g.conv(horizontal, columns, { group: channels }); // [N, C, H − k + 1, W − k + 1]
}

/** SSIM and cs per sample and channel at one scale: each [B, C]. */
function ssimAtScale(
  g: GraphBuilder,
  x: Tensor,
  y: Tensor,
  window: Float32Array,
  dataRange: number,
): { ssim: Tensor; cs: Tensor } {
  const batch = x.shape[0];
  const c1 = g.scalar((0.01 * dataRange) ** 2);
  const c2 = g.scalar((0.03 * dataRange) ** 2);
  // One filter pass over the five maps: x, y, x², y², xy stacked on the batch axis.
  const stacked = g.concat([x, y, g.mul(x, x), g.mul(y, y), g.mul(x, y)], 0); // [5B, C, H, W]
  const filtered = gaussianFilter(g, stacked, window); // [5B, C, h, w]
  const part = (i: number) => g.slice(filtered, [0], [i * batch], [(i + 1) * batch]); // [B, C, h, w]
  const [muX, muY, xx, yy, xy] = [0, 1, 2, 3, 4].map(part);
  const muXX = g.mul(muX, muX);
  const muYY = g.mul(muY, muY);
  const muXY = g.mul(muX, muY);
  const sigmaXX = g.sub(xx, muXX);
  const sigmaYY = g.sub(yy, muYY);
  const sigmaXY = g.sub(xy, muXY);
  const csMap = g.div(g.add(g.scale(sigmaXY, 2), c2), g.add(g.add(sigmaXX, sigmaYY), c2)); // [B, C, h, w]
  const luminance = g.div(g.add(g.scale(muXY, 2), c1), g.add(g.add(muXX, muYY), c1)); // [B, C, h, w]
  const ssimMap = g.mul(luminance, csMap); // [B, C, h, w]
  return { ssim: g.reduceMean(ssimMap, [2, 3], false), cs: g.reduceMean(csMap, [2, 3], false) }; // [B, C]
}

/** 2×2 average pool with padding = size mod 2 on both sides, zeros counted (torch `avg_pool2d` defaults). */
function downsample(g: GraphBuilder, x: Tensor): Tensor {
  const [, , h, w] = x.shape;
  const ph = h % 2;
  const pw = w % 2;
  const padded = ph || pw ? g.pad(x, [0, 0, ph, pw, 0, 0, ph, pw]) : x; // [B, C, H + 2ph, W + 2pw]
  return g.node("AveragePool", [padded], { kernel_shape: [2, 2], strides: [2, 2] })[0]; // [B, C, ⌊·/2⌋, ⌊·/2⌋]
}

/**
 * MS-SSIM of two image batches (1 = identical), as pytorch_msssim's `ms_ssim`. Only elementwise ops,
 * convolutions, pooling and means, so it is differentiable wherever the clamped terms are positive.
 *
 * @param g graph builder
 * @param x images [B, C, H, W], values in [0, dataRange]
 * @param y images, the same shape
 * @param options data range (default 1), window, weights, reduction
 * @returns scalar [] (sizeAverage, the default) or per image [B]
 * @throws {TypeError} when the shapes differ or are not 4-D
 * @throws {RangeError} when the smaller side is ≤ (windowSize − 1)·2^(scales − 1) (160 by default), or an
 *   option is out of range
 * @example
 * ```ts
 * import { GraphBuilder } from "../graph/builder.ts";
 * import { msSsim } from "./ms_ssim.ts";
 * const g = new GraphBuilder("ms_ssim");
 * const x = g.input("x", [2, 3, 256, 256]);
 * console.log(msSsim(g, x, g.input("y", [2, 3, 256, 256]), { sizeAverage: false }).shape); // [2]
 * ```
 */
export function msSsim(g: GraphBuilder, x: Tensor, y: Tensor, options: MsSsimOptions = {}): Tensor {
  assertImages(x, "MS-SSIM");
  assertSameShape(x, y, "MS-SSIM");
  const dataRange = options.dataRange ?? 1;
  const windowSize = options.windowSize ?? 11;
  const weights = options.weights ?? MS_SSIM_WEIGHTS;
  if (!(dataRange > 0)) throw new RangeError(`MS-SSIM data range must be positive, got ${dataRange}`);
  if (!Number.isInteger(windowSize) || windowSize < 1 || windowSize % 2 === 0) {
    throw new RangeError(`MS-SSIM window size must be a positive odd integer, got ${windowSize}`);
  }
  if (weights.length < 1) throw new RangeError("MS-SSIM needs at least one scale weight");
  const floor = options.floor ?? 0;
  if (!(floor >= 0 && floor < 1)) throw new RangeError(`MS-SSIM floor must be in [0, 1), got ${floor}`);
  const smaller = Math.min(x.shape[2], x.shape[3]);
  const bound = (windowSize - 1) * 2 ** (weights.length - 1);
  if (!(smaller > bound)) {
    throw new RangeError(
      `MS-SSIM: the smaller side ${smaller} of "${x.name}" must be larger than ${bound} ` +
        `(window ${windowSize} after ${weights.length - 1} downsamplings, as pytorch_msssim requires)`,
    );
  }
  const window = gaussianWindow(windowSize, options.windowSigma ?? 1.5);
  let a = x;
  let b = y;
  let product: Tensor | undefined;
  for (let level = 0; level < weights.length; level++) {
    const { ssim, cs } = ssimAtScale(g, a, b, window, dataRange); // [B, C] each
    const last = level === weights.length - 1;
    const clamped = floor > 0
      ? g.add(g.relu(g.sub(last ? ssim : cs, g.scalar(floor))), g.scalar(floor)) // max(v, floor)
      : g.relu(last ? ssim : cs); // [B, C]
    const factor = g.pow(clamped, g.scalar(weights[level])); // [B, C]
    product = product ? g.mul(product, factor) : factor;
    if (!last) {
      a = downsample(g, a);
      b = downsample(g, b);
    }
  }
  return (options.sizeAverage ?? true)
    ? g.reduceMean(product!, [0, 1], false) // []
    : g.reduceMean(product!, [1], false); // [B]
}

/**
 * MS-SSIM options for an image side: the standard configuration (11-tap window, 5 scales) from 161 px up; below,
 * the largest odd window (then the most scales, at least 3) that still fits after the downsamplings, with the
 * standard weights of the kept scales renormalised. Say so wherever such a value is reported.
 *
 * @param side the smaller image side
 * @returns options for {@linkcode msSsim}, and a label such as "MS-SSIM (3 scales, 3×3 window)"
 * @example
 * ```ts
 * import { msSsimOptionsFor } from "./ms_ssim.ts";
 * console.log(msSsimOptionsFor(32).label); // "MS-SSIM (3 scales, 7×7 window)"
 * ```
 */
export function msSsimOptionsFor(side: number): { options: MsSsimOptions; label: string } {
  if (side > 160) return { options: {}, label: "MS-SSIM" };
  for (let window = 11; window >= 3; window -= 2) {
    for (const scales of [5, 4, 3]) {
      if (side > (window - 1) * 2 ** (scales - 1)) {
        const kept = MS_SSIM_WEIGHTS.slice(0, scales);
        const total = kept.reduce((a, b) => a + b, 0);
        return {
          options: {
            windowSize: window,
            windowSigma: (1.5 * window) / 11,
            weights: kept.map((w) => w / total),
          },
          label: `MS-SSIM (${scales} scales, ${window}×${window} window)`,
        };
      }
    }
  }
  throw new RangeError(`Images of side ${side} are too small for a 3-scale MS-SSIM`);
}
