/**
 * Identity similarity of faces with face-api's 128-d recognition net (a port of dlib's ResNet-29 face descriptor,
 * trained for face verification). **It is not the paper's identity metric**: HyperInverter reports CurricularFace
 * similarity, whose weights are not available here; tables that use this metric must say
 * "face-api (dlib ResNet) cosine similarity".
 *
 * @module
 */

import { faceApiWith, type FaceBackend } from "./_face_api.ts";
import type { Point } from "./detect.ts";
import { type Box, cropFace, landmarkBox } from "./face_crop.ts";
import { assertRgbImage, type RgbImage } from "./rgb_image.ts";

/** The name to print beside every number this metric produces. */
export const IDENTITY_METRIC_NAME = "face-api (dlib ResNet) cosine similarity";

/** Computes 128-d face descriptors of aligned faces. */
export class FaceRecognizer {
  private constructor(
    private readonly faceApi: Awaited<ReturnType<typeof faceApiWith>>,
    readonly backend: FaceBackend,
  ) {}

  /**
   * Loads the recognition net.
   *
   * @param options `backend` (default `wasm`)
   * @returns the recognizer
   * @example
   * ```ts
   * import { FaceRecognizer } from "./identity.ts";
   * const recognizer = await FaceRecognizer.load();
   * console.log(recognizer.backend); // "wasm"
   * ```
   */
  static async load(options: { backend?: FaceBackend } = {}): Promise<FaceRecognizer> {
    const backend = options.backend ?? "wasm";
    return new FaceRecognizer(await faceApiWith(backend, ["face_recognition_model"]), backend);
  }

  /**
   * The descriptor of the face in an aligned image: face-api's crop from the landmarks when given, else the
   * fixed FFHQ box (`face_crop.ts`), padded to a square and resized to 150² by face-api.
   *
   * @param image an aligned face (any size)
   * @param options `landmarks` of the face in this image, or an explicit `box`
   * @returns the 128 values (face-api's descriptors have norm ≈ 1)
   * @example
   * ```ts
   * import { FaceRecognizer } from "./identity.ts";
   * import { readRgbImage } from "./rgb_image.ts";
   * const recognizer = await FaceRecognizer.load();
   * const face = await readRgbImage("../shared/fixtures/images/faces-aligned-dlib/05.png");
   * console.log((await recognizer.describe(face)).length); // 128
   * ```
   */
  async describe(
    image: RgbImage,
    options: { landmarks?: readonly Point[]; box?: Box } = {},
  ): Promise<Float32Array> {
    assertRgbImage(image);
    const box = options.box ?? (options.landmarks ? landmarkBox(options.landmarks) : undefined);
    const face = cropFace(image, box);
    const tensor = this.faceApi.tf.tensor3d(face.data, [face.height, face.width, 3], "int32");
    try {
      return Float32Array.from(await this.faceApi.nets.faceRecognitionNet.computeFaceDescriptor(tensor));
    } finally {
      tensor.dispose();
    }
  }
}

/**
 * Cosine similarity of two descriptors (1: same direction).
 *
 * @param a descriptor
 * @param b descriptor of the same length
 * @returns ⟨a, b⟩ / (|a| |b|)
 * @throws {TypeError} when the lengths differ or a descriptor is zero
 * @example
 * ```ts
 * import { identitySimilarity } from "./identity.ts";
 * console.log(identitySimilarity(new Float32Array([1, 0]), new Float32Array([1, 1])).toFixed(3)); // "0.707"
 * ```
 */
export function identitySimilarity(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length || !a.length) {
    throw new TypeError(`Descriptors must have one non-zero length, got ${a.length} and ${b.length}`);
  }
  let dot = 0, na = 0, nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  if (na === 0 || nb === 0) throw new TypeError("A descriptor is all zeros");
  return dot / Math.sqrt(na * nb);
}

/**
 * Euclidean distance of two descriptors (face-api and dlib call two faces the same person below 0.6).
 *
 * @param a descriptor
 * @param b descriptor of the same length
 * @returns |a − b|
 * @throws {TypeError} when the lengths differ
 * @example
 * ```ts
 * import { descriptorDistance } from "./identity.ts";
 * console.log(descriptorDistance(new Float32Array([0, 3]), new Float32Array([4, 0]))); // 5
 * ```
 */
export function descriptorDistance(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) throw new TypeError(`Descriptors differ in length: ${a.length} and ${b.length}`);
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += (a[i] - b[i]) ** 2;
  return Math.sqrt(sum);
}
