/**
 * Private pixel operations of the FFHQ alignment on interleaved float RGB (`data[(y · width + x) · 3 + c]`):
 * reflect padding (numpy `np.pad(..., "reflect")`), a Gaussian blur, the per-channel median, and PIL's QUAD
 * transform with its bilinear filter.
 *
 * @module
 */

/** An interleaved RGB float image. */
export interface FloatRgb {
  data: Float32Array;
  width: number;
  height: number;
}

/**
 * A window of the image (the caller keeps it inside the image).
 *
 * @param image source
 * @param box [left, top, right, bottom), as PIL's `crop`
 * @returns the window
 */
export function crop(image: FloatRgb, box: readonly [number, number, number, number]): FloatRgb {
  const [left, top, right, bottom] = box;
  const width = right - left, height = bottom - top;
  const data = new Float32Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    const from = ((top + y) * image.width + left) * 3;
    data.set(image.data.subarray(from, from + width * 3), y * width * 3);
  }
  return { data, width, height };
}

/** numpy's "reflect" index (edge not repeated: … 2 1 | 0 1 2 … n−1 | n−2 …). */
function reflectIndex(i: number, n: number): number {
  if (n === 1) return 0;
  const period = 2 * (n - 1);
  let k = ((i % period) + period) % period;
  if (k >= n) k = period - k;
  return k;
}

/**
 * `np.pad(img, ((top, bottom), (left, right), (0, 0)), "reflect")`.
 *
 * @param image source
 * @param pads [left, top, right, bottom] as FFHQ's `pad` tuple
 * @returns the padded image
 */
export function padReflect(image: FloatRgb, pads: readonly [number, number, number, number]): FloatRgb {
  const [left, top, right, bottom] = pads;
  const width = image.width + left + right, height = image.height + top + bottom;
  const data = new Float32Array(width * height * 3);
  const columns = Int32Array.from({ length: width }, (_, x) => reflectIndex(x - left, image.width));
  for (let y = 0; y < height; y++) {
    const row = reflectIndex(y - top, image.height) * image.width;
    for (let x = 0; x < width; x++) {
      const from = (row + columns[x]) * 3, to = (y * width + x) * 3;
      data[to] = image.data[from];
      data[to + 1] = image.data[from + 1];
      data[to + 2] = image.data[from + 2];
    }
  }
  return { data, width, height };
}

/**
 * Widths of three box filters whose succession approximates a Gaussian of this sigma (Kovesi 2010, "Fast almost-
 * Gaussian filtering"): the variance is matched exactly up to the odd-width rounding.
 */
function boxWidths(sigma: number): number[] {
  const ideal = Math.sqrt((12 * sigma * sigma) / 3 + 1);
  let lower = Math.floor(ideal);
  if (lower % 2 === 0) lower--;
  const upper = lower + 2;
  const m = Math.round((12 * sigma * sigma - 3 * lower * lower - 12 * lower - 9) / (-4 * lower - 4));
  return [0, 1, 2].map((i) => (i < m ? lower : upper));
}

/** One box pass along rows (`stride` 3) or columns (`stride` 3·width), with scipy's "reflect" edges. */
function boxPass(
  source: Float32Array,
  target: Float32Array,
  lines: number,
  length: number,
  lineStride: number,
  stride: number,
  radius: number,
): void {
  const norm = 1 / (2 * radius + 1);
  // scipy.ndimage "reflect" repeats the edge: … 1 0 | 0 1 … n−1 | n−1 n−2 …
  const at = (i: number) => {
    const period = 2 * length;
    let k = ((i % period) + period) % period;
    if (k >= length) k = period - 1 - k;
    return k;
  };
  for (let line = 0; line < lines; line++) {
    const base = line * lineStride;
    for (let c = 0; c < 3; c++) {
      let sum = 0;
      for (let i = -radius; i <= radius; i++) sum += source[base + at(i) * stride + c];
      for (let i = 0; i < length; i++) {
        target[base + i * stride + c] = sum * norm;
        sum += source[base + at(i + radius + 1) * stride + c] - source[base + at(i - radius) * stride + c];
      }
    }
  }
}

/**
 * `scipy.ndimage.gaussian_filter(img, [sigma, sigma, 0])`, approximated by three box filters per axis (running
 * sums: O(1) per pixel for any sigma; FFHQ's sigma is 2 % of the face quad, up to tens of pixels, where an exact
 * kernel costs seconds in JavaScript). The result only fills the padded border that FFHQ blends in.
 *
 * @param image source (not modified)
 * @param sigma standard deviation in pixels
 * @returns the blurred image
 */
export function gaussianBlur(image: FloatRgb, sigma: number): FloatRgb {
  const { width, height } = image;
  let a = image.data.slice();
  let b = new Float32Array(a.length);
  if (sigma > 0) {
    for (const w of boxWidths(sigma)) {
      const radius = (w - 1) / 2;
      if (radius < 1) continue;
      boxPass(a, b, height, width, width * 3, 3, radius);
      [a, b] = [b, a];
      boxPass(a, b, width, height, 3, width * 3, radius);
      [a, b] = [b, a];
    }
  }
  return { data: a, width, height };
}

/** k-th smallest of `values` (reorders it), Hoare's selection. */
function select(values: Float32Array, k: number): number {
  let lo = 0, hi = values.length - 1;
  while (lo < hi) {
    const pivot = values[(lo + hi) >> 1];
    let i = lo, j = hi;
    while (i <= j) {
      while (values[i] < pivot) i++;
      while (values[j] > pivot) j--;
      if (i <= j) {
        const t = values[i];
        values[i] = values[j];
        values[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return values[k];
  }
  return values[k];
}

/**
 * `np.median(img, axis=(0, 1))`: the median of each channel (the mean of the two middle values for an even count).
 *
 * @param image source
 * @returns [r, g, b]
 */
export function channelMedians(image: FloatRgb): [number, number, number] {
  const n = image.width * image.height;
  const out: number[] = [];
  for (let c = 0; c < 3; c++) {
    const values = new Float32Array(n);
    for (let p = 0; p < n; p++) values[p] = image.data[p * 3 + c];
    const upper = select(values, n >> 1);
    if (n % 2) out.push(upper);
    else {
      let lowerMax = -Infinity; // after selection, the lower half sits before n/2
      for (let p = 0; p < n >> 1; p++) if (values[p] > lowerMax) lowerMax = values[p];
      out.push((lowerMax + upper) / 2);
    }
  }
  return out as [number, number, number];
}

/**
 * PIL's `img.transform((size, size), Image.QUAD, (quad + 0.5).flatten(), Image.BILINEAR)` on an 8-bit image:
 * output pixel (x, y) samples the input at the bilinear blend of the quad's corners (upper-left, lower-left,
 * lower-right, upper-right) at (x + 0.5, y + 0.5) / size, with PIL's bilinear filter (clamped neighbours; black
 * outside the image).
 *
 * @param image source, 8-bit values
 * @param quad the four corners [x, y] in pixel coordinates of the source, FFHQ's `quad`
 * @param size side of the output
 * @returns interleaved RGB bytes [size, size, 3]
 */
export function quadTransform(
  image: { data: Uint8Array; width: number; height: number },
  quad: readonly (readonly [number, number])[],
  size: number,
): Uint8Array {
  const [[x0, y0], [x1, y1], [x2, y2], [x3, y3]] = quad.map(([x, y]) => [x + 0.5, y + 0.5]);
  // Geometry.c getquad: a0 + a1·x + a2·y + a3·x·y with x, y in output pixels.
  const ax = [x0, (x3 - x0) / size, (x1 - x0) / size, (x0 - x1 + x2 - x3) / (size * size)];
  const ay = [y0, (y3 - y0) / size, (y1 - y0) / size, (y0 - y1 + y2 - y3) / (size * size)];
  const { width, height, data } = image;
  const out = new Uint8Array(size * size * 3);
  const last = width - 1;
  for (let y = 0; y < size; y++) {
    const yc = y + 0.5;
    // Along a row the bilinear map is affine in x: start and slope per row (the same sums as PIL, regrouped).
    const xStart = ax[0] + ax[2] * yc, xSlope = ax[1] + ax[3] * yc;
    const yStart = ay[0] + ay[2] * yc, ySlope = ay[1] + ay[3] * yc;
    let o = y * size * 3;
    for (let x = 0; x < size; x++, o += 3) {
      const xc = x + 0.5;
      const xin = xStart + xSlope * xc, yin = yStart + ySlope * xc;
      if (xin < 0 || xin >= width || yin < 0 || yin >= height) continue; // PIL fills with 0
      // Shifted by −0.5 the coordinates are ≥ −0.5, so floor is truncation except in (−0.5, 0).
      const xs = xin - 0.5, ys = yin - 0.5;
      const xf = xs < 0 ? -1 : xs | 0, yf = ys < 0 ? -1 : ys | 0;
      const dx = xs - xf, dy = ys - yf;
      const xa = xf < 0 ? 0 : xf, xb = xf + 1 > last ? last : xf + 1;
      const ya = yf < 0 ? 0 : yf, yb = yf + 1 >= height ? ya : yf + 1;
      const p00 = (ya * width + xa) * 3, p01 = (ya * width + xb) * 3;
      const p10 = (yb * width + xa) * 3, p11 = (yb * width + xb) * 3;
      for (let c = 0; c < 3; c++) {
        const a = data[p00 + c], b = data[p10 + c];
        const top = a + (data[p01 + c] - a) * dx;
        const v = top + (b + (data[p11 + c] - b) * dx - top) * dy;
        out[o + c] = v >= 255 ? 255 : (v + 0.5) | 0; // v ≥ 0: PIL's round to nearest
      }
    }
  }
  return out;
}
