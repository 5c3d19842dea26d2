/**
 * Photos as interleaved 8-bit RGB at their own size (alignment works on the original pixels, not on a model-size
 * tensor): decoding with sharp (any colour space to sRGB, grey expanded, alpha dropped as PIL's
 * `convert("RGB")` does, EXIF orientation applied) and PNG writing.
 *
 * @module
 */

import { loadSharp } from "../deps.ts";
import { writeFileAtomic } from "../io/atomic_write.ts";
import { decodeImage } from "../io/image.ts";

/** An RGB photo: `data[(y · width + x) · 3 + c]`. */
export interface RgbImage {
  data: Uint8Array;
  width: number;
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
