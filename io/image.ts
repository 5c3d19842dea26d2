/**
 * Images to and from tensors: NCHW float32 in [−1, 1] (the generator's range) ↔ 8-bit RGB files. sharp decodes and
 * encodes; every resize is Pillow's own arithmetic (`pil_resize.ts`), so an input is exactly what the official
 * preprocessing makes of the file: `Image.open(path).convert("RGB")`, `Resize((R, R))` (PIL bilinear, antialiased),
 * `ToTensor()`, `Normalize(0.5, 0.5)`.
 *
 * @module
 */

import { loadSharp } from "../deps.ts";
import { writeFileAtomic } from "./atomic_write.ts";
import { pilResize } from "./pil_resize.ts";

/** Largest image (width × height) that {@linkcode readImage} decodes: 16384² by default. */
export const MAX_IMAGE_PIXELS = 16384 * 16384;

/** An image read as the model's input. */
export interface InputImage {
  /** NCHW values in [−1, 1]: `(fround(u8/255) − 0.5) / 0.5`, as torchvision's ToTensor + Normalize(0.5, 0.5). */
  data: Float32Array;
  /** [1, 3, size, size] */
  shape: [1, 3, number, number];
  /** Width and height of the file before resizing. */
  originalSize: [number, number];
}

/** Decoded 8-bit RGB: `rgb[(y · width + x) · 3 + c]`, and the size the file had before any resize. */
export interface DecodedImage {
  rgb: Uint8Array;
  width: number;
  height: number;
  originalWidth: number;
  originalHeight: number;
}

/** Options of {@linkcode decodeImage}. */
export interface DecodeImageOptions {
  /** Name used in error messages (a path, "the upload"); default "image". */
  source?: string;
  /** Refuse images with more pixels (checked from the header, before decoding; default {@linkcode MAX_IMAGE_PIXELS}). */
  maxPixels?: number;
  /** Resize to size×size with PIL's bilinear filter, bit-exact (antialiased when shrinking, torchvision's `Resize`). */
  size?: number;
  /** Apply the EXIF orientation (default false: PIL's `Image.open`, as the official code uses, ignores it). */
  autoOrient?: boolean;
}

/**
 * Reads an image's width and height from its header, decoding no pixels.
 *
 * @param bytes the encoded file
 * @param options `source`: name used in error messages
 * @returns the size
 * @throws {SyntaxError} naming the source when it is not a readable image
 * @example
 * ```ts
 * import { imageSize } from "./image.ts";
 * const bytes = await Deno.readFile("../shared/fixtures/images/churches/restyle_church_img.jpg");
 * console.log(await imageSize(bytes)); // { width: 256, height: 341 }
 * ```
 */
export async function imageSize(
  bytes: Uint8Array,
  options: { source?: string } = {},
): Promise<{ width: number; height: number }> {
  const sharp = await loadSharp();
  const source = options.source ?? "image";
  let width = 0, height = 0;
  try {
    const metadata = await sharp(bytes, { limitInputPixels: false }).metadata();
    width = metadata.width ?? 0;
    height = metadata.height ?? 0;
  } catch (error) {
    throw new SyntaxError(`${source} is not a readable image: ${(error as Error).message}`, { cause: error });
  }
  if (!(width > 0 && height > 0)) throw new SyntaxError(`${source} is not a readable image: no dimensions`);
  return { width, height };
}

/**
 * Decodes image bytes (JPEG, PNG, WebP, …) into interleaved 8-bit RGB as PIL's `Image.open(…).convert("RGB")` does,
 * checking the size from the header first: grey is expanded, alpha is dropped (the colour under a transparent pixel
 * is kept, with or without a resize), a palette gives its colours, and an embedded ICC profile is ignored (PIL does
 * not apply it). The optional resize is PIL's bilinear `Image.resize`, bit-exact ({@linkcode pilResize}). Every
 * image reader of the project goes through it.
 *
 * @param bytes the encoded file
 * @param options source name, pixel limit, optional square resize, EXIF orientation
 * @returns the pixels and sizes
 * @throws {SyntaxError} naming the source when it is not a readable image
 * @throws {RangeError} naming the source when it has more than `maxPixels` pixels
 * @example
 * ```ts
 * import { decodeImage } from "./image.ts";
 * const bytes = await Deno.readFile("../shared/fixtures/images/churches/restyle_church_img.jpg");
 * const image = await decodeImage(bytes, { size: 64 });
 * console.log(image.width, image.originalWidth, image.originalHeight); // 64 256 341
 * ```
 */
export async function decodeImage(
  bytes: Uint8Array,
  options: DecodeImageOptions = {},
): Promise<DecodedImage> {
  const sharp = await loadSharp();
  const source = options.source ?? "image";
  const maxPixels = options.maxPixels ?? MAX_IMAGE_PIXELS;
  const size = options.size;
  if (size !== undefined && !(Number.isInteger(size) && size >= 1)) {
    throw new RangeError(`Image size must be a positive integer, got ${size}`);
  }
  const { width, height } = await imageSize(bytes, { source });
  if (width * height > maxPixels) {
    throw new RangeError(`Image ${source} is ${width}×${height}, more than the limit of ${maxPixels} pixels`);
  }
  let decoded: { rgb: Uint8Array; width: number; height: number };
  try {
    // No resize in sharp: it premultiplies alpha while resizing (a transparent white pixel turned black) and is
    // not PIL's arithmetic. Alpha is removed before anything else touches the colours.
    let pipeline = sharp(bytes, { limitInputPixels: maxPixels, failOn: "error", ignoreIcc: true });
    if (options.autoOrient) pipeline = pipeline.rotate();
    const { data, info } = await pipeline.removeAlpha().toColourspace("srgb").raw()
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 3 || data.byteLength !== info.width * info.height * 3) {
      throw new Error(`decoded to ${info.width}×${info.height}×${info.channels} in ${data.byteLength} bytes`);
    }
    decoded = {
      rgb: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
      width: info.width,
      height: info.height,
    };
  } catch (error) {
    throw new SyntaxError(`${source} is not a readable image: ${(error as Error).message}`, { cause: error });
  }
  const resized = size !== undefined && (decoded.width !== size || decoded.height !== size)
    ? pilResize({ data: decoded.rgb, width: decoded.width, height: decoded.height, channels: 3 }, [
      size,
      size,
    ])
    : undefined;
  return {
    rgb: resized?.data ?? decoded.rgb,
    width: resized?.width ?? decoded.width,
    height: resized?.height ?? decoded.height,
    originalWidth: width,
    originalHeight: height,
  };
}

/**
 * Reads an image file (JPEG, PNG, WebP, …) as a [1, 3, size, size] tensor in [−1, 1], exactly as the official
 * preprocessing: `convert("RGB")` (alpha dropped, grey expanded; see {@linkcode decodeImage}), PIL's bilinear
 * `Resize((size, size))` bit for bit, `ToTensor()`, `Normalize(0.5, 0.5)`.
 *
 * @param path image file
 * @param size side of the model input (e.g. 256 or 1024)
 * @param options `maxPixels`: refuse larger images (default {@linkcode MAX_IMAGE_PIXELS})
 * @returns the tensor and the original size
 * @throws {SyntaxError} naming the file when it is not a readable image
 * @throws {RangeError} naming the file when it is larger than `maxPixels`
 * @example
 * ```ts
 * import { readImage } from "./image.ts";
 * const image = await readImage("../shared/fixtures/images/churches/e4e_church_img.jpg", 256);
 * console.log(image.shape); // [1, 3, 256, 256]
 * ```
 */
export async function readImage(
  path: string,
  size: number,
  options: { maxPixels?: number } = {},
): Promise<InputImage> {
  if (!Number.isInteger(size) || size < 1) {
    throw new RangeError(`Image size must be a positive integer, got ${size}`);
  }
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(path);
  } catch (error) {
    throw new Error(`Cannot read image "${path}": ${(error as Error).message}`, { cause: error });
  }
  const image = await decodeImage(bytes, { source: `"${path}"`, maxPixels: options.maxPixels, size });
  return {
    data: rgbBytesToTensor(image.rgb, size, size),
    shape: [1, 3, size, size],
    originalSize: [image.originalWidth, image.originalHeight],
  };
}

/**
 * Interleaved 8-bit RGB to NCHW float32 in [−1, 1], rounding exactly as torchvision: fround(u8/255), then
 * − 0.5, then / 0.5, each in float32.
 *
 * @param rgb HWC bytes
 * @param width image width
 * @param height image height
 * @returns [1, 3, H, W] values
 * @example
 * ```ts
 * import { rgbBytesToTensor } from "./image.ts";
 * console.log(rgbBytesToTensor(new Uint8Array([0, 255, 128]), 1, 1)); // Float32Array [-1, 1, 0.003921627998352051]
 * ```
 */
export function rgbBytesToTensor(rgb: Uint8Array, width: number, height: number): Float32Array {
  const plane = width * height;
  if (rgb.length !== plane * 3) throw new TypeError(`Expected ${plane * 3} RGB bytes, got ${rgb.length}`);
  const out = new Float32Array(plane * 3);
  for (let p = 0; p < plane; p++) {
    for (let c = 0; c < 3; c++) {
      const unit = Math.fround(rgb[p * 3 + c] / 255);
      out[c * plane + p] = Math.fround(Math.fround(unit - 0.5) / 0.5);
    }
  }
  return out;
}

/**
 * Converts one image of an NCHW batch from [−1, 1] to interleaved 8-bit RGB (clamped, rounded), as
 * `(x + 1) · 127.5`.
 *
 * @param data NCHW values
 * @param shape [B, 3, H, W]
 * @param index which image of the batch
 * @returns HWC bytes
 * @example
 * ```ts
 * import { toRgbBytes } from "./image.ts";
 * console.log(toRgbBytes(new Float32Array([-1, 0, 1]), [1, 3, 1, 1])); // Uint8Array [0, 128, 255]
 * ```
 */
export function toRgbBytes(data: Float32Array, shape: readonly number[], index = 0): Uint8Array {
  const [batch, channels, height, width] = shape;
  if (shape.length !== 4 || channels !== 3) {
    throw new TypeError(`Expected an RGB batch [B, 3, H, W], got [${shape}]`);
  }
  if (!Number.isInteger(index) || index < 0 || index >= batch) {
    throw new RangeError(`Image index ${index} is not in [0, ${batch})`);
  }
  const plane = height * width;
  const out = new Uint8Array(plane * 3);
  const base = index * 3 * plane;
  for (let c = 0; c < 3; c++) {
    for (let p = 0; p < plane; p++) {
      const v = Math.round((data[base + c * plane + p] + 1) * 127.5);
      out[p * 3 + c] = v < 0 ? 0 : v > 255 ? 255 : v; // NaN becomes 0
    }
  }
  return out;
}

/**
 * Writes one image of an NCHW batch in [−1, 1] as a PNG file, atomically.
 *
 * @param path output path
 * @param data NCHW values
 * @param shape [B, 3, H, W]
 * @param index which image of the batch (default 0)
 * @returns when the file is written
 */
export async function writePng(
  path: string,
  data: Float32Array,
  shape: readonly number[],
  index = 0,
): Promise<void> {
  const sharp = await loadSharp();
  const [, , height, width] = shape;
  const png = await sharp(toRgbBytes(data, shape, index), { raw: { width, height, channels: 3 } }).png()
    .toBuffer();
  await writeFileAtomic(path, new Uint8Array(png.buffer, png.byteOffset, png.byteLength));
}
