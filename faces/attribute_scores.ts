/**
 * Face attribute scorers for the editability protocol of the paper's Table 2 (editing/editability.ts's
 * `measureEditabilityWith`): each takes a batch of generated or edited images [B, 3, R, R] in [−1, 1] (FFHQ-aligned,
 * as the generator renders them) and returns one number per image: apparent age in years (face-api's age net on
 * the fixed FFHQ face box) and head yaw in degrees (face-api's 68 landmarks, `yaw.ts`; NaN when no face is found).
 *
 * @module
 */

import { toRgbBytes } from "../io/image.ts";
import type { FaceBackend } from "./_face_api.ts";
import { AgeEstimator } from "./age.ts";
import { FaceDetector } from "./detect.ts";
import type { RgbImage } from "./rgb_image.ts";
import { headYaw } from "./yaw.ts";

/** Scores one attribute of every image of a batch. */
export type FaceAttributeScore = (images: Float32Array, batch: number) => Promise<number[]>;

function imagesOf(images: Float32Array, batch: number): RgbImage[] {
  if (!Number.isInteger(batch) || batch < 1 || images.length % (batch * 3) !== 0) {
    throw new TypeError(`Expected ${batch} RGB images, got ${images.length} values`);
  }
  const side = Math.round(Math.sqrt(images.length / (batch * 3)));
  if (side * side * 3 * batch !== images.length) {
    throw new TypeError(`Expected ${batch} square RGB images, got ${images.length} values`);
  }
  const shape = [batch, 3, side, side];
  return Array.from({ length: batch }, (_, b) => ({
    data: toRgbBytes(images, shape, b),
    width: side,
    height: side,
  }));
}

/**
 * Loads the age and yaw scorers.
 *
 * @param options `backend` (default `wasm`)
 * @returns `age` (years) and `yaw` (degrees, > 0 towards the image's right; NaN without a face)
 * @example
 * ```ts
 * import { faceAttributeScorers } from "./attribute_scores.ts";
 * const { age, yaw } = await faceAttributeScorers();
 * const grey = new Float32Array(3 * 64 * 64); // no face in it
 * console.log((await age(grey, 1)).length, Number.isNaN((await yaw(grey, 1))[0])); // 1 true
 * ```
 */
export async function faceAttributeScorers(
  options: { backend?: FaceBackend } = {},
): Promise<{ age: FaceAttributeScore; yaw: FaceAttributeScore }> {
  const estimator = await AgeEstimator.load(options);
  const detector = await FaceDetector.load(options);
  return {
    age: async (images, batch) => {
      const out: number[] = [];
      for (const image of imagesOf(images, batch)) out.push(await estimator.estimate(image));
      return out;
    },
    yaw: async (images, batch) => {
      const out: number[] = [];
      for (const image of imagesOf(images, batch)) {
        const [face] = await detector.detect(image);
        out.push(face ? headYaw(face.landmarks) : NaN);
      }
      return out;
    },
  };
}
