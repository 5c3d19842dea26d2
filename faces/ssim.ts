/**
 * SSIM of two RGB images on the CPU, to compare an alignment with a reference alignment: pytorch_msssim's single
 * scale `ssim` (Gaussian window 11, σ 1.5, K1 0.01, K2 0.03, valid filtering, mean over channels and pixels) on
 * 8-bit values (data range 255).
 *
 * @module
 */

import { gaussianWindow } from "../losses/ms_ssim.ts";
import { assertRgbImage, type RgbImage } from "./rgb_image.ts";

function filterValid(plane: Float64Array, width: number, height: number, taps: Float32Array): Float64Array {
  const k = taps.length;
  const w1 = width - k + 1, h1 = height - k + 1;
  const horizontal = new Float64Array(height * w1);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < w1; x++) {
      let s = 0;
      for (let i = 0; i < k; i++) s += plane[y * width + x + i] * taps[i];
      horizontal[y * w1 + x] = s;
    }
  }
  const out = new Float64Array(h1 * w1);
  for (let y = 0; y < h1; y++) {
    for (let x = 0; x < w1; x++) {
      let s = 0;
      for (let i = 0; i < k; i++) s += horizontal[(y + i) * w1 + x] * taps[i];
      out[y * w1 + x] = s;
    }
  }
  return out;
}

/**
 * Mean SSIM of two images of the same size.
 *
 * @param a first image
 * @param b second image
 * @returns SSIM in [−1, 1] (1: identical)
 * @throws {TypeError} when the sizes differ
 * @throws {RangeError} when a side is below the 11-pixel window
 * @example
 * ```ts
 * import { ssim } from "./ssim.ts";
 * const a = { data: Uint8Array.from({ length: 16 * 16 * 3 }, (_, i) => (i * 37) % 256), width: 16, height: 16 };
 * console.log(ssim(a, a)); // 1
 * ```
 */
export function ssim(a: RgbImage, b: RgbImage): number {
  assertRgbImage(a);
  assertRgbImage(b);
  if (a.width !== b.width || a.height !== b.height) {
    throw new TypeError(
      `SSIM needs images of one size, got ${a.width}×${a.height} and ${b.width}×${b.height}`,
    );
  }
  const { width, height } = a;
  if (Math.min(width, height) < 11) throw new RangeError(`SSIM needs sides ≥ 11, got ${width}×${height}`);
  const taps = gaussianWindow(11, 1.5);
  const c1 = (0.01 * 255) ** 2, c2 = (0.03 * 255) ** 2;
  const n = width * height;
  let total = 0, count = 0;
  for (let c = 0; c < 3; c++) {
    const x = new Float64Array(n),
      y = new Float64Array(n),
      xx = new Float64Array(n),
      yy = new Float64Array(n),
      xy = new Float64Array(n);
    for (let p = 0; p < n; p++) {
      x[p] = a.data[p * 3 + c];
      y[p] = b.data[p * 3 + c];
      xx[p] = x[p] * x[p];
      yy[p] = y[p] * y[p];
      xy[p] = x[p] * y[p];
    }
    const [mx, my, sxx, syy, sxy] = [x, y, xx, yy, xy].map((plane) =>
      filterValid(plane, width, height, taps)
    );
    for (let p = 0; p < mx.length; p++) {
      const vx = sxx[p] - mx[p] * mx[p], vy = syy[p] - my[p] * my[p], cov = sxy[p] - mx[p] * my[p];
      total += ((2 * mx[p] * my[p] + c1) * (2 * cov + c2)) /
        ((mx[p] * mx[p] + my[p] * my[p] + c1) * (vx + vy + c2));
      count++;
    }
  }
  return total / count;
}
