/**
 * Paste-back: an aligned face (the reconstruction or an edit of `faces/ffhq_align.ts`'s output) put back into the
 * photo it was aligned from. The aligned square is the quad's image under PIL's QUAD map, a similarity for FFHQ's
 * square quads, so its inverse (`toAlignedPixels`) takes each photo pixel's centre to a point of the result, read
 * with bilinear sampling; a feathered mask (1 in the quad's core, falling to 0 with a smoothstep over a border of
 * `feather` × the quad's side, 0 on and outside the quad's edge) blends it over the photo, so no seam shows and
 * every pixel outside the quad keeps its bytes exactly. Only the quad's bounding box is computed.
 *
 * @module
 */

import type { Point } from "./detect.ts";
import { toAlignedPixels } from "./ffhq_align.ts";
import {
  assertRgbImage,
  cropRgb,
  openPhoto,
  type PixelBox,
  type RgbImage,
  writeRgbPng,
} from "./rgb_image.ts";

/** The default feather: the mask's ramp as a fraction of the quad's side. */
export const DEFAULT_FEATHER = 0.08;

/** The largest photo {@linkcode pasteBack} writes whole: 8192² pixels (192 MB of RGB). */
export const PASTE_MAX_PIXELS = 8192 * 8192;

/** Options of {@linkcode pastePatch} and {@linkcode pasteBack}. */
export interface PasteOptions {
  /** Width of the mask's ramp as a fraction of the quad's side, in (0, 0.5] (default {@linkcode DEFAULT_FEATHER}). */
  feather?: number;
}

/** The part of the photo that paste-back changes. */
export interface PastePatch {
  /** `[left, top, right, bottom)` in photo pixels: the quad's bounding box, clipped to the photo (may be empty). */
  box: PixelBox;
  /** The blended pixels of that box (`box` width × height). */
  image: RgbImage;
  /** The mask's weight of each pixel of the box, in [0, 1]: 0 keeps the photo, 1 is the result alone. */
  mask: Float32Array;
}

function checkQuad(quad: readonly (readonly [number, number])[]): void {
  if (quad.length !== 4 || !quad.every((p) => p.length === 2 && p.every(Number.isFinite))) {
    throw new TypeError(`A paste-back quad needs 4 finite [x, y] corners, got ${JSON.stringify(quad)}`);
  }
  const [q0, q1, , q3] = quad;
  const det = (q3[0] - q0[0]) * (q1[1] - q0[1]) - (q3[1] - q0[1]) * (q1[0] - q0[0]);
  if (!(Math.abs(det) > 1e-9)) {
    throw new RangeError(`The paste-back quad ${JSON.stringify(quad)} is degenerate`);
  }
}

/**
 * The blended pixels of the quad's bounding box: the result warped back into the photo, feathered over it.
 *
 * @param photo the photo, or a function that reads a region of it (e.g. faces/rgb_image.ts `PhotoSource.read`)
 * with its size
 * @param quad the alignment's quad in photo pixels (upper-left, lower-left, lower-right, upper-right of the result)
 * @param result the aligned result, any size (the model's resolution, the aligned image's)
 * @param options the feather
 * @returns the box, its blended pixels and the mask
 * @throws {TypeError} naming a quad that is not 4 finite points, or an image whose bytes do not match its size
 * @throws {RangeError} naming a degenerate quad, or a feather outside (0, 0.5]
 * @example
 * ```ts
 * import { pastePatch } from "./paste_back.ts";
 * const photo = { data: new Uint8Array(40 * 40 * 3), width: 40, height: 40 };
 * const result = { data: new Uint8Array(16 * 16 * 3).fill(255), width: 16, height: 16 };
 * const patch = await pastePatch(photo, [[10, 10], [10, 30], [30, 30], [30, 10]], result);
 * console.log(patch.box, patch.image.data[(10 * 21 + 10) * 3]); // [10, 10, 31, 31] 255
 * ```
 */
export async function pastePatch(
  photo: RgbImage | {
    width: number;
    height: number;
    read(size: undefined, region: PixelBox): Promise<RgbImage>;
  },
  quad: readonly (readonly [number, number])[],
  result: RgbImage,
  options: PasteOptions = {},
): Promise<PastePatch> {
  checkQuad(quad);
  assertRgbImage(result);
  if ("data" in photo) assertRgbImage(photo);
  const feather = options.feather ?? DEFAULT_FEATHER;
  if (!(feather > 0 && feather <= 0.5)) throw new RangeError(`feather must be in (0, 0.5], got ${feather}`);
  // Pixels whose centre (x + 0.5) lies inside the quad: only these can have a weight above 0.
  const xs = quad.map((p) => p[0]), ys = quad.map((p) => p[1]);
  const left = Math.max(0, Math.floor(Math.min(...xs))), top = Math.max(0, Math.floor(Math.min(...ys)));
  const right = Math.min(photo.width, Math.ceil(Math.max(...xs)) + 1);
  const bottom = Math.min(photo.height, Math.ceil(Math.max(...ys)) + 1);
  const box: PixelBox = [left, top, Math.max(left, right), Math.max(top, bottom)];
  const width = box[2] - left, height = box[3] - top;
  if (width === 0 || height === 0) {
    return { box, image: { data: new Uint8Array(0), width: 0, height: 0 }, mask: new Float32Array(0) };
  }
  const under = "data" in photo ? cropRgb(photo, box) : await photo.read(undefined, box);
  const data = Uint8Array.from(under.data);
  const mask = new Float32Array(width * height);
  const { width: rw, height: rh } = result;
  // The result's continuous coordinates of each photo pixel's centre (the map is affine: corners, then steps).
  const [origin, stepX, stepY] = toAlignedPixels(
    [[left, top], [left + 1, top], [left, top + 1]],
    quad as Point[],
    1,
  );
  const du: Point = [stepX[0] - origin[0], stepX[1] - origin[1]];
  const dv: Point = [stepY[0] - origin[0], stepY[1] - origin[1]];
  const src = result.data;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const u = origin[0] + du[0] * x + dv[0] * y, v = origin[1] + du[1] * x + dv[1] * y; // in [0, 1] inside
      const edge = Math.min(u, 1 - u, v, 1 - v);
      if (!(edge > 0)) continue;
      const t = Math.min(edge / feather, 1);
      const weight = t * t * (3 - 2 * t); // smoothstep: no kink where the ramp meets the core or the photo
      mask[y * width + x] = weight;
      // Bilinear read of the result at pixel coordinates u·rw − 0.5, clamped at its edges.
      const sx = Math.min(Math.max(u * rw - 0.5, 0), rw - 1),
        sy = Math.min(Math.max(v * rh - 0.5, 0), rh - 1);
      const x0 = Math.floor(sx), y0 = Math.floor(sy);
      const x1 = Math.min(x0 + 1, rw - 1), y1 = Math.min(y0 + 1, rh - 1);
      const fx = sx - x0, fy = sy - y0;
      const p00 = (y0 * rw + x0) * 3,
        p01 = (y0 * rw + x1) * 3,
        p10 = (y1 * rw + x0) * 3,
        p11 = (y1 * rw + x1) * 3;
      const o = (y * width + x) * 3;
      for (let c = 0; c < 3; c++) {
        const upper = src[p00 + c] + (src[p01 + c] - src[p00 + c]) * fx;
        const lower = src[p10 + c] + (src[p11 + c] - src[p10 + c]) * fx;
        const value = upper + (lower - upper) * fy;
        data[o + c] = Math.round(data[o + c] + (value - data[o + c]) * weight);
      }
    }
  }
  return { box, image: { data, width, height }, mask };
}

/**
 * The photo with the aligned result pasted back (a new image; the photo is not changed): see
 * {@linkcode pastePatch}. Every pixel outside the quad is the photo's, byte for byte.
 *
 * @param photo the photo
 * @param quad the alignment's quad in photo pixels
 * @param result the aligned result, any size
 * @param options the feather
 * @returns the pasted photo
 * @throws {RangeError} when the photo has more than {@linkcode PASTE_MAX_PIXELS} pixels, and as {@linkcode pastePatch}
 * @throws {TypeError} as {@linkcode pastePatch}
 * @example
 * ```ts
 * import { pasteBack } from "./paste_back.ts";
 * const photo = { data: new Uint8Array(40 * 40 * 3), width: 40, height: 40 };
 * const result = { data: new Uint8Array(16 * 16 * 3).fill(255), width: 16, height: 16 };
 * const pasted = await pasteBack(photo, [[10, 10], [10, 30], [30, 30], [30, 10]], result);
 * console.log(pasted.data[(20 * 40 + 20) * 3], pasted.data[(5 * 40 + 5) * 3]); // 255 0
 * ```
 */
export async function pasteBack(
  photo: RgbImage,
  quad: readonly (readonly [number, number])[],
  result: RgbImage,
  options: PasteOptions = {},
): Promise<RgbImage> {
  assertRgbImage(photo);
  if (photo.width * photo.height > PASTE_MAX_PIXELS) {
    throw new RangeError(
      `Paste-back writes photos of at most ${PASTE_MAX_PIXELS} pixels; this one is ${photo.width}×${photo.height}`,
    );
  }
  const patch = await pastePatch(photo, quad, result, options);
  const out = Uint8Array.from(photo.data);
  const [left, top] = patch.box;
  const { width, height } = patch.image;
  for (let y = 0; y < height; y++) {
    out.set(
      patch.image.data.subarray(y * width * 3, (y + 1) * width * 3),
      ((top + y) * photo.width + left) * 3,
    );
  }
  return { data: out, width: photo.width, height: photo.height };
}

/**
 * Pastes an aligned result back into a photo file and writes the pasted photo as a PNG file (atomically); the
 * photo is decoded as faces/rgb_image.ts `openPhoto` decodes it (as `alignPhoto` read it), and refused before
 * decoding when it has more than {@linkcode PASTE_MAX_PIXELS} pixels.
 *
 * @param path the PNG to write
 * @param photoPath the photo the result was aligned from
 * @param quad the alignment's quad in the photo's pixels
 * @param result the aligned result, any size
 * @param options the feather
 * @returns when the file is written
 * @throws {RangeError} naming the photo when it is larger than {@linkcode PASTE_MAX_PIXELS}
 * @example
 * ```ts
 * import { writePastedPhoto } from "./paste_back.ts";
 * const result = { data: new Uint8Array(16 * 16 * 3).fill(255), width: 16, height: 16 };
 * const path = await Deno.makeTempFile({ suffix: ".png" });
 * const photo = "../shared/fixtures/images/faces-raw/04.jpg";
 * await writePastedPhoto(path, photo, [[100, 100], [100, 200], [200, 200], [200, 100]], result);
 * ```
 */
export async function writePastedPhoto(
  path: string,
  photoPath: string,
  quad: readonly (readonly [number, number])[],
  result: RgbImage,
  options: PasteOptions = {},
): Promise<void> {
  const source = await openPhoto(photoPath);
  if (source.width * source.height > PASTE_MAX_PIXELS) {
    throw new RangeError(
      `Paste-back writes photos of at most ${PASTE_MAX_PIXELS} pixels; "${photoPath}" is ` +
        `${source.width}×${source.height}`,
    );
  }
  await writeRgbPng(path, await pasteBack(await source.read(), quad, result, options));
}
