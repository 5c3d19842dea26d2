/**
 * The face box that face-api's recognition and age nets read: the landmarks' bounding box grown by 20 % of its
 * width and height (face-api's `FaceLandmarks.align()`, `alignMinBbox(0.2)`, which `withFaceDescriptors` and
 * `withAgeAndGender` crop). For an FFHQ-aligned image without landmarks, a fixed box: that rule applied to the
 * mean of the aligned landmarks of the ten `faces-raw` fixtures, in units of the image side.
 *
 * @module
 */

import type { Point } from "./detect.ts";
import { assertRgbImage, cropRgb, type RgbImage } from "./rgb_image.ts";

/** A box in pixels. */
export interface Box {
  /** Left edge, in pixels. */
  x: number;
  /** Top edge, in pixels. */
  y: number;
  /** Width, in pixels. */
  width: number;
  /** Height, in pixels. */
  height: number;
}

/**
 * The FFHQ-aligned face box as fractions of the side (x, y, width, height): measured as described in the module
 * documentation (the landmark boxes of the ten fixtures vary by about ±0.035 around it).
 */
export const FFHQ_FACE_BOX: Readonly<Box> = { x: 0.152, y: 0.332, width: 0.669, height: 0.611 };

/**
 * face-api's crop box from 68 landmarks.
 *
 * @param landmarks the points
 * @returns the box (not clipped)
 * @throws {TypeError} when there are no points
 * @example
 * ```ts
 * import { landmarkBox } from "./face_crop.ts";
 * console.log(landmarkBox([[10, 10], [20, 30]])); // { x: 9, y: 8, width: 12, height: 24 }
 * ```
 */
export function landmarkBox(landmarks: readonly Point[]): Box {
  if (!landmarks.length) throw new TypeError("A face box needs landmarks, got none");
  const xs = landmarks.map((p) => p[0]), ys = landmarks.map((p) => p[1]);
  const x = Math.min(...xs), y = Math.min(...ys);
  const width = Math.max(...xs) - x, height = Math.max(...ys) - y;
  return { x: x - width * 0.1, y: y - height * 0.1, width: width * 1.2, height: height * 1.2 };
}

/**
 * Cuts a box out of an image (rounded to whole pixels, clipped to the image).
 *
 * @param image the image
 * @param box the box (default: {@linkcode FFHQ_FACE_BOX} scaled to the image)
 * @returns the crop
 * @throws {RangeError} when the box misses the image
 * @example
 * ```ts
 * import { cropFace } from "./face_crop.ts";
 * const crop = cropFace({ data: new Uint8Array(100 * 100 * 3), width: 100, height: 100 });
 * console.log(crop.width, crop.height); // 67 61
 * ```
 */
export function cropFace(image: RgbImage, box?: Box): RgbImage {
  assertRgbImage(image);
  const b = box ?? {
    x: FFHQ_FACE_BOX.x * image.width,
    y: FFHQ_FACE_BOX.y * image.height,
    width: FFHQ_FACE_BOX.width * image.width,
    height: FFHQ_FACE_BOX.height * image.height,
  };
  const left = Math.max(0, Math.round(b.x)), top = Math.max(0, Math.round(b.y));
  const right = Math.min(image.width, Math.round(b.x + b.width));
  const bottom = Math.min(image.height, Math.round(b.y + b.height));
  if (right <= left || bottom <= top) {
    throw new RangeError(`Face box ${JSON.stringify(b)} misses the ${image.width}×${image.height} image`);
  }
  return cropRgb(image, [left, top, right, bottom]);
}
