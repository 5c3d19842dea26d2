/**
 * Photos as interleaved 8-bit RGB at their own size (alignment works on the original pixels, not on a model-size
 * tensor): decoding with sharp (any colour space to sRGB, grey expanded, alpha dropped as PIL's
 * `convert("RGB")` does, EXIF orientation applied) and PNG writing. {@linkcode openPhoto} reads only the header and
 * decodes a region or a smaller copy on demand, so that a 16000² photo never has to fit in memory.
 *
 * @module
 */

import { loadSharp } from "../deps.ts";
import { writeFileAtomic } from "../io/atomic_write.ts";
import { decodeImage, MAX_IMAGE_PIXELS } from "../io/image.ts";

/** An RGB photo: `data[(y · width + x) · 3 + c]`. */
export interface RgbImage {
  /** Interleaved RGB bytes, row-major [height, width, 3]. */
  data: Uint8Array;
  /** Width in pixels. */
  width: number;
  /** Height in pixels. */
  height: number;
}

/**
 * Reads an image file as RGB bytes at its own size.
 *
 * @param path image file
 * @param options `maxPixels` (default io/image.ts's 16384²)
 * @returns the photo
 * @throws {SyntaxError} naming the file when it is not a readable image
 * @throws {RangeError} naming the file when it has more than `maxPixels` pixels
 * @example
 * ```ts
 * import { readRgbImage } from "./rgb_image.ts";
 * const photo = await readRgbImage("../shared/fixtures/images/churches/restyle_church_img.jpg");
 * console.log(photo.width, photo.height); // 256 341
 * ```
 */
export async function readRgbImage(path: string, options: { maxPixels?: number } = {}): Promise<RgbImage> {
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(path);
  } catch (error) {
    throw new Error(`Cannot read image "${path}": ${(error as Error).message}`, { cause: error });
  }
  const image = await decodeImage(bytes, {
    source: `"${path}"`,
    maxPixels: options.maxPixels,
    autoOrient: true,
  });
  return { data: image.rgb, width: image.width, height: image.height };
}

/** A region of a photo at some scale: `[left, top, right, bottom)` in the pixels of the scaled photo. */
export type PixelBox = readonly [number, number, number, number];

/** A photo that decodes its pixels on demand (see {@linkcode openPhoto}). */
export interface PhotoSource {
  /** Width after the EXIF orientation. */
  readonly width: number;
  /** Height after the EXIF orientation. */
  readonly height: number;
  /**
   * The photo resized to `size` (Lanczos-3, PIL's ANTIALIAS; default: its own size), then cut to `region`.
   *
   * @param size the scaled photo's size
   * @param region the part of the scaled photo wanted (default: all of it)
   * @returns the pixels
   */
  read(size?: { width: number; height: number }, region?: PixelBox): Promise<RgbImage>;
}

/**
 * Opens a photo file reading only its header (size and EXIF orientation); pixels are decoded by
 * {@linkcode PhotoSource.read}, at the scale and for the region asked, with the decoding of
 * {@linkcode readRgbImage} (sRGB, grey expanded, alpha dropped, EXIF orientation applied), so memory follows
 * what is read, not the photo's size.
 *
 * @param path image file
 * @param options `maxPixels` (default io/image.ts's 16384²)
 * @returns the photo
 * @throws {SyntaxError} naming the file when it is not a readable image
 * @throws {RangeError} naming the file when it has more than `maxPixels` pixels
 * @example
 * ```ts
 * import { openPhoto } from "./rgb_image.ts";
 * const photo = await openPhoto("../shared/fixtures/images/churches/restyle_church_img.jpg");
 * const small = await photo.read({ width: 64, height: 85 }, [0, 0, 32, 32]);
 * console.log(photo.width, photo.height, small.width, small.height); // 256 341 32 32
 * ```
 */
export async function openPhoto(path: string, options: { maxPixels?: number } = {}): Promise<PhotoSource> {
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(path);
  } catch (error) {
    throw new Error(`Cannot read image "${path}": ${(error as Error).message}`, { cause: error });
  }
  const sharp = await loadSharp();
  const maxPixels = options.maxPixels ?? MAX_IMAGE_PIXELS;
  let metadata: { width?: number; height?: number; orientation?: number };
  try {
    metadata = await sharp(bytes, { limitInputPixels: false }).metadata();
  } catch (error) {
    throw new SyntaxError(`"${path}" is not a readable image: ${(error as Error).message}`, { cause: error });
  }
  const [storedWidth, storedHeight] = [metadata.width ?? 0, metadata.height ?? 0];
  if (!(storedWidth > 0 && storedHeight > 0)) throw new SyntaxError(`"${path}" is not a readable image`);
  if (storedWidth * storedHeight > maxPixels) {
    throw new RangeError(
      `Image "${path}" is ${storedWidth}×${storedHeight}, more than the limit of ${maxPixels} pixels`,
    );
  }
  const turned = (metadata.orientation ?? 1) >= 5; // EXIF 5–8 swap the sides
  const width = turned ? storedHeight : storedWidth, height = turned ? storedWidth : storedHeight;
  return {
    width,
    height,
    async read(size = { width, height }, region?: PixelBox): Promise<RgbImage> {
      const box = region ?? [0, 0, size.width, size.height];
      const [left, top, right, bottom] = box;
      if (
        !(left >= 0 && top >= 0 && right <= size.width && bottom <= size.height && left < right &&
          top < bottom)
      ) {
        throw new RangeError(
          `Region [${box}] is not inside the ${size.width}×${size.height} photo "${path}"`,
        );
      }
      try {
        let pipeline = sharp(bytes, { limitInputPixels: maxPixels, failOn: "error", ignoreIcc: true })
          .rotate().removeAlpha()
          .toColourspace("srgb");
        if (size.width !== width || size.height !== height) {
          // No shrink-on-load: JPEG's DCT scaling would give other pixels than a resize of the decoded photo.
          pipeline = pipeline.resize(size.width, size.height, {
            fit: "fill",
            kernel: "lanczos3",
            fastShrinkOnLoad: false,
          });
        }
        if (region) pipeline = pipeline.extract({ left, top, width: right - left, height: bottom - top });
        const { data, info } = await pipeline.raw().toBuffer({ resolveWithObject: true });
        if (info.channels !== 3) throw new Error(`decoded to ${info.channels} channels`);
        return {
          data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
          width: info.width,
          height: info.height,
        };
      } catch (error) {
        throw new SyntaxError(`"${path}" is not a readable image: ${(error as Error).message}`, {
          cause: error,
        });
      }
    },
  };
}

/**
 * Writes an RGB photo as a PNG file, atomically.
 *
 * @param path output path
 * @param image the photo
 * @returns when the file is written
 * @example
 * ```ts
 * import { writeRgbPng } from "./rgb_image.ts";
 * const path = await Deno.makeTempFile({ suffix: ".png" });
 * await writeRgbPng(path, { data: new Uint8Array(2 * 2 * 3).fill(200), width: 2, height: 2 });
 * ```
 */
export async function writeRgbPng(path: string, image: RgbImage): Promise<void> {
  assertRgbImage(image);
  const sharp = await loadSharp();
  const png = await sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } })
    .png()
    .toBuffer();
  await writeFileAtomic(path, new Uint8Array(png.buffer, png.byteOffset, png.byteLength));
}

/**
 * Checks that `data` holds width × height × 3 bytes.
 *
 * @param image the photo
 * @throws {TypeError} naming both sizes when it does not
 * @example
 * ```ts
 * import { assertRgbImage } from "./rgb_image.ts";
 * assertRgbImage({ data: new Uint8Array(12), width: 2, height: 2 });
 * ```
 */
export function assertRgbImage(image: RgbImage): void {
  const { width, height, data } = image;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new TypeError(`An RGB image needs positive integer sides, got ${width}×${height}`);
  }
  if (!(data instanceof Uint8Array) || data.length !== width * height * 3) {
    throw new TypeError(
      `An RGB image of ${width}×${height} needs ${width * height * 3} bytes, got ${data?.length}`,
    );
  }
}

/**
 * A window of the image, as PIL's `crop` (the caller keeps the box inside the image).
 *
 * @param image the photo
 * @param box [left, top, right, bottom) in pixels
 * @returns a new photo of the window
 * @example
 * ```ts
 * import { cropRgb } from "./rgb_image.ts";
 * const image = { data: new Uint8Array([1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4]), width: 2, height: 2 };
 * console.log(cropRgb(image, [1, 0, 2, 2]).data); // Uint8Array [2, 2, 2, 4, 4, 4]
 * ```
 */
export function cropRgb(image: RgbImage, box: PixelBox): RgbImage {
  const [left, top, right, bottom] = box;
  const width = right - left, height = bottom - top;
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    const from = ((top + y) * image.width + left) * 3;
    data.set(image.data.subarray(from, from + width * 3), y * width * 3);
  }
  return { data, width, height };
}

/**
 * The image mirrored left ↔ right.
 *
 * @param image the photo
 * @returns a new photo
 * @example
 * ```ts
 * import { flipHorizontally } from "./rgb_image.ts";
 * const flipped = flipHorizontally({ data: new Uint8Array([1, 1, 1, 2, 2, 2]), width: 2, height: 1 });
 * console.log(flipped.data); // Uint8Array [2, 2, 2, 1, 1, 1]
 * ```
 */
export function flipHorizontally(image: RgbImage): RgbImage {
  assertRgbImage(image);
  const { width, height, data } = image;
  const out = new Uint8Array(data.length);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const from = (y * width + x) * 3, to = (y * width + width - 1 - x) * 3;
      out[to] = data[from];
      out[to + 1] = data[from + 1];
      out[to + 2] = data[from + 2];
    }
  }
  return { data: out, width, height };
}
