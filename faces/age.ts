/**
 * Apparent age with face-api's age-and-gender net (a TinyXception on a 112² crop, regressing years), for the
 * editability protocol (paper Table 2: the attribute's change along an edit). face-api's own accuracy figures
 * apply; it is not the DEX/ResNet age model some papers use.
 *
 * @module
 */

import { faceApiWith, type FaceBackend } from "./_face_api.ts";
import type { Point } from "./detect.ts";
import { type Box, cropFace, landmarkBox } from "./face_crop.ts";
import { assertRgbImage, type RgbImage } from "./rgb_image.ts";

/** Estimates apparent age in years. */
export class AgeEstimator {
  private constructor(
    private readonly faceApi: Awaited<ReturnType<typeof faceApiWith>>,
    readonly backend: FaceBackend,
  ) {}

  /**
   * Loads the age net.
   *
   * @param options `backend` (default `wasm`)
   * @returns the estimator
   * @example
   * ```ts
   * import { AgeEstimator } from "./age.ts";
   * console.log((await AgeEstimator.load()).backend); // "wasm"
   * ```
   */
  static async load(options: { backend?: FaceBackend } = {}): Promise<AgeEstimator> {
    const backend = options.backend ?? "wasm";
    return new AgeEstimator(await faceApiWith(backend, ["age_gender_model"]), backend);
  }

  /**
   * Age of the face in an aligned image (cropped as in `identity.ts`).
   *
   * @param image an aligned face
   * @param options `landmarks` in this image or a `box` (default: the FFHQ box)
   * @returns years
   * @example
   * ```ts
   * import { AgeEstimator } from "./age.ts";
   * import { readRgbImage } from "./rgb_image.ts";
   * const estimator = await AgeEstimator.load();
   * const age = await estimator.estimate(await readRgbImage("../shared/fixtures/images/faces-aligned-dlib/01.png"));
   * console.log(age > 0 && age < 100); // true
   * ```
   */
  async estimate(
    image: RgbImage,
    options: { landmarks?: readonly Point[]; box?: Box } = {},
  ): Promise<number> {
    assertRgbImage(image);
    const box = options.box ?? (options.landmarks ? landmarkBox(options.landmarks) : undefined);
    const face = cropFace(image, box);
    const tensor = this.faceApi.tf.tensor3d(face.data, [face.height, face.width, 3], "int32");
    try {
      return (await this.faceApi.nets.ageGenderNet.predictAgeAndGender(tensor)).age;
    } finally {
      tensor.dispose();
    }
  }
}
