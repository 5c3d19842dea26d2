/**
 * Pillow's resampling, bit for bit: `Image.resize` on 8-bit images ("L", "RGB", "CMYK"), as Pillow's
 * `src/libImaging/Resample.c` computes it. The official preprocessing resizes with it (torchvision's `Resize` on a
 * PIL image is `Image.resize(size, BILINEAR)`, antialiased when shrinking), so inputs match the reference only when
 * this arithmetic is reproduced exactly:
 *
 * - one filter per axis, stretched by the scale when shrinking (support = filter support × max(1, in/out)), with
 *   taps centred at `(x + 0.5) · scale` and normalised to sum 1 (`precompute_coeffs`);
 * - coefficients rounded to 22-bit fixed point (`PRECISION_BITS = 32 − 8 − 2`, `normalize_coeffs_8bpc`), sums
 *   started at `1 << 21` and clipped to 8 bits after `>> 22` (`clip8`);
 * - the horizontal pass first (over the rows the vertical pass reads), then the vertical one, each skipped when its
 *   size does not change (`ImagingResampleInner`).
 *
 * Channels are resampled independently, as Pillow does for modes without alpha. (Pillow premultiplies "RGBA" and
 * "LA" first; the project drops alpha before resizing, as PIL's `convert("RGB")` does.)
 *
 * @module
 */

/** Pillow's resampling filters (`Image.Resampling`), except NEAREST. */
export type PilFilter = "box" | "bilinear" | "hamming" | "bicubic" | "lanczos";

/** Interleaved 8-bit pixels: `data[(y · width + x) · channels + c]`. */
export interface Pixels8 {
  data: Uint8Array;
  width: number;
  height: number;
  /** Bands per pixel: 1 ("L"), 3 ("RGB"), 4 ("CMYK", "RGBX"), or any other count, each resampled alone. */
  channels: number;
}

/** Options of {@linkcode pilResize}. */
export interface PilResizeOptions {
  /** Resampling filter (default "bilinear", torchvision's `Resize` default). */
  filter?: PilFilter;
}

interface Filter {
  weight: (x: number) => number;
  support: number;
}

// Resample.c's filters, in double precision; hamming's 0.54f and 0.46f are C floats.
const HAMMING_A = Math.fround(0.54), HAMMING_B = Math.fround(0.46);
const sinc = (x: number) => x === 0 ? 1 : Math.sin(x * Math.PI) / (x * Math.PI);
const FILTERS: Record<PilFilter, Filter> = {
  box: { weight: (x) => x > -0.5 && x <= 0.5 ? 1 : 0, support: 0.5 },
  bilinear: { weight: (x) => (x = Math.abs(x)) < 1 ? 1 - x : 0, support: 1 },
  hamming: {
    weight: (x) => {
      x = Math.abs(x);
      if (x === 0) return 1;
      if (x >= 1) return 0;
      x = x * Math.PI;
      return Math.sin(x) / x * (HAMMING_A + HAMMING_B * Math.cos(x));
    },
    support: 1,
  },
  bicubic: {
    weight: (x) => {
      const a = -0.5;
      x = Math.abs(x);
      if (x < 1) return ((a + 2) * x - (a + 3)) * x * x + 1;
      if (x < 2) return (((x - 5) * x + 8) * x - 4) * a;
      return 0;
    },
    support: 2,
  },
  lanczos: { weight: (x) => -3 <= x && x < 3 ? sinc(x) * sinc(x / 3) : 0, support: 3 },
};

/** 8 bits of result, 2 for the overshoot of negative lobes and the sign: Resample.c's PRECISION_BITS. */
const PRECISION_BITS = 32 - 8 - 2;
const HALF = 1 << (PRECISION_BITS - 1);
const ONE = 1 << PRECISION_BITS;

/** Per output pixel: first input pixel, tap count, and `ksize` fixed-point coefficients. */
interface Coefficients {
  ksize: number;
  /** `[first, count]` per output pixel. */
  bounds: Int32Array;
  /** `ksize` per output pixel, in units of 2^−22. */
  weights: Int32Array;
}

/** `precompute_coeffs` + `normalize_coeffs_8bpc` for the box [0, inSize). */
function coefficients(inSize: number, outSize: number, filter: Filter): Coefficients {
  const scale = inSize / outSize;
  const filterScale = Math.max(scale, 1);
  const support = filter.support * filterScale;
  const ksize = Math.ceil(support) * 2 + 1;
  const bounds = new Int32Array(outSize * 2);
  const weights = new Int32Array(outSize * ksize);
  const taps = new Float64Array(ksize);
  const inverse = 1 / filterScale;
  for (let xx = 0; xx < outSize; xx++) {
    const center = (xx + 0.5) * scale;
    const first = Math.max(Math.trunc(center - support + 0.5), 0);
    const count = Math.min(Math.trunc(center + support + 0.5), inSize) - first;
    let total = 0;
    for (let x = 0; x < count; x++) {
      taps[x] = filter.weight((x + first - center + 0.5) * inverse);
      total += taps[x];
    }
    for (let x = 0; x < count; x++) {
      const k = total !== 0 ? taps[x] / total : taps[x];
      weights[xx * ksize + x] = k < 0 ? Math.trunc(-0.5 + k * ONE) : Math.trunc(0.5 + k * ONE);
    }
    bounds[xx * 2] = first;
    bounds[xx * 2 + 1] = count;
  }
  return { ksize, bounds, weights };
}

/** `clip8`: the fixed-point sum to a byte. */
const clip8 = (sum: number) => {
  const v = sum >> PRECISION_BITS;
  return v < 0 ? 0 : v > 255 ? 255 : v;
};

/** The horizontal pass over rows [firstRow, firstRow + rows) of the input. */
function resampleRows(
  image: Pixels8,
  outWidth: number,
  firstRow: number,
  rows: number,
  { ksize, bounds, weights }: Coefficients,
): Uint8Array {
  const { data, width, channels } = image;
  const out = new Uint8Array(outWidth * rows * channels);
  for (let yy = 0; yy < rows; yy++) {
    const rowIn = (yy + firstRow) * width * channels;
    const rowOut = yy * outWidth * channels;
    for (let xx = 0; xx < outWidth; xx++) {
      const first = bounds[xx * 2], count = bounds[xx * 2 + 1], k = xx * ksize;
      for (let c = 0; c < channels; c++) {
        let sum = HALF;
        let at = rowIn + first * channels + c;
        for (let x = 0; x < count; x++, at += channels) sum += data[at] * weights[k + x];
        out[rowOut + xx * channels + c] = clip8(sum);
      }
    }
  }
  return out;
}

/** The vertical pass; `bounds` are relative to the first row of `data`. */
function resampleColumns(
  data: Uint8Array,
  rowLength: number,
  outHeight: number,
  rowOffset: number,
  { ksize, bounds, weights }: Coefficients,
): Uint8Array {
  const out = new Uint8Array(rowLength * outHeight);
  for (let yy = 0; yy < outHeight; yy++) {
    const first = bounds[yy * 2] - rowOffset, count = bounds[yy * 2 + 1], k = yy * ksize;
    const rowOut = yy * rowLength;
    for (let i = 0; i < rowLength; i++) {
      let sum = HALF;
      let at = first * rowLength + i;
      for (let y = 0; y < count; y++, at += rowLength) sum += data[at] * weights[k + y];
      out[rowOut + i] = clip8(sum);
    }
  }
  return out;
}

/**
 * Resizes 8-bit pixels exactly as Pillow's `Image.resize((width, height), filter)` does for a mode without alpha
 * (Resample.c: separable fixed-point convolution, horizontal pass first, antialiased when shrinking).
 *
 * @param image interleaved 8-bit pixels
 * @param size `[width, height]` of the result
 * @param options `filter` (default "bilinear")
 * @returns new pixels with the same channels (a copy when the size does not change)
 * @throws {TypeError} when `data` does not hold width × height × channels bytes, or for an unknown filter
 * @throws {RangeError} naming a size or channel count that is not a positive integer
 * @example
 * ```ts
 * import { pilResize } from "./pil_resize.ts";
 * const image = { data: new Uint8Array([0, 100, 200, 255]), width: 4, height: 1, channels: 1 };
 * console.log(pilResize(image, [2, 1]).data); // Uint8Array(2) [ 71, 209 ]
 * ```
 */
export function pilResize(
  image: Pixels8,
  size: readonly [number, number],
  options: PilResizeOptions = {},
): Pixels8 {
  const { data, width, height, channels } = image;
  for (const [name, value] of [["width", width], ["height", height], ["channels", channels]] as const) {
    if (!Number.isInteger(value) || value < 1) {
      throw new RangeError(`Image ${name} must be a positive integer, got ${value}`);
    }
  }
  if (!(data instanceof Uint8Array) || data.length !== width * height * channels) {
    throw new TypeError(
      `Expected ${width}×${height}×${channels} = ${width * height * channels} bytes, got ${data?.length}`,
    );
  }
  const [outWidth, outHeight] = size;
  if (![outWidth, outHeight].every((v) => Number.isInteger(v) && v >= 1)) {
    throw new RangeError(`Resize target must be two positive integers, got [${size}]`);
  }
  const name = options.filter ?? "bilinear";
  const filter = Object.hasOwn(FILTERS, name) ? FILTERS[name] : undefined;
  if (!filter) {
    throw new TypeError(
      `Unknown resampling filter "${name}"; expected one of ${Object.keys(FILTERS).join(", ")}`,
    );
  }
  let pixels = data, rowWidth = width;
  const vertical = coefficients(height, outHeight, filter);
  let rowOffset = 0;
  if (outWidth !== width) {
    // Only the rows the vertical pass reads (ybox_first … ybox_last in Resample.c).
    const firstRow = vertical.bounds[0];
    const lastRow = vertical.bounds[outHeight * 2 - 2] + vertical.bounds[outHeight * 2 - 1];
    pixels = resampleRows(
      image,
      outWidth,
      firstRow,
      lastRow - firstRow,
      coefficients(width, outWidth, filter),
    );
    rowWidth = outWidth;
    rowOffset = firstRow;
  }
  if (outHeight !== height) {
    pixels = resampleColumns(pixels, rowWidth * channels, outHeight, rowOffset, vertical);
  }
  return { data: pixels === data ? data.slice() : pixels, width: outWidth, height: outHeight, channels };
}
