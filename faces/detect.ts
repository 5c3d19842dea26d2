/**
 * Face detection and the 68 landmarks (dlib's iBUG-300W layout: jaw 0–16, brows 17–26, nose 27–35, eyes 36–47,
 * mouth 48–67) with face-api's models on tfjs: SSD MobileNet v1 (default) or the Tiny Face Detector for the
 * boxes, then face-api's 68-point net on each box.
 *
 * @module
 */

import { type FaceApi, faceApiWith, type FaceBackend, type FaceNetName } from "./_face_api.ts";
import { assertRgbImage, type PhotoSource, type RgbImage } from "./rgb_image.ts";

/**
 * Most pixels {@linkcode FaceDetector.detectInPhoto} hands to the detector (2048²): a larger photo is searched in
 * a smaller copy (face-api shrinks its input to 512² for the boxes anyway), so that tfjs never holds a 16000²
 * photo (as int32, 3 GB: past the WASM heap).
 */
export const DETECTION_MAX_PIXELS = 2048 * 2048;

/** A landmark in pixel coordinates of the photo (x right, y down; pixel centres at integer + 0.5 as in dlib). */
export type Point = [number, number];

/** One face. */
export interface DetectedFace {
  /** Detector confidence in [0, 1]. */
  score: number;
  /** Detector box in pixels. */
  box: { x: number; y: number; width: number; height: number };
  /** The 68 landmarks. */
  landmarks: Point[];
}

/** Which face-api detector finds the boxes. */
export type FaceDetectorKind = "ssd" | "tiny";

/** Options of {@linkcode FaceDetector.load}. */
export interface FaceDetectorOptions {
  /** tfjs backend (default `wasm`). */
  backend?: FaceBackend;
  /** `ssd` (SSD MobileNet v1 at 512², default: finds small and turned faces) or `tiny` (416², ≈ 4× faster). */
  detector?: FaceDetectorKind;
  /** Smallest detector score kept (default 0.5). */
  minScore?: number;
}

/** Detects faces and their 68 landmarks; load once, call {@linkcode FaceDetector.detect} per photo. */
export class FaceDetector {
  private constructor(
    private readonly faceApi: FaceApi,
    readonly backend: FaceBackend,
    readonly detector: FaceDetectorKind,
    readonly minScore: number,
  ) {}

  /**
   * Loads face-api's detector and landmark nets.
   *
   * @param options backend, detector, score threshold
   * @returns the detector
   * @throws {RangeError} naming an unknown detector or a score outside [0, 1]
   * @example
   * ```ts
   * import { FaceDetector } from "./detect.ts";
   * const detector = await FaceDetector.load({ detector: "tiny" });
   * console.log(detector.backend); // "wasm"
   * ```
   */
  static async load(options: FaceDetectorOptions = {}): Promise<FaceDetector> {
    const detector = options.detector ?? "ssd";
    if (detector !== "ssd" && detector !== "tiny") {
      throw new RangeError(`Unknown face detector "${detector}"; detectors: ssd, tiny`);
    }
    const minScore = options.minScore ?? 0.5;
    if (!(minScore >= 0 && minScore <= 1)) {
      throw new RangeError(`minScore must be in [0, 1], got ${minScore}`);
    }
    const backend = options.backend ?? "wasm";
    const nets: FaceNetName[] = [
      detector === "ssd" ? "ssd_mobilenetv1_model" : "tiny_face_detector_model",
      "face_landmark_68_model",
    ];
    return new FaceDetector(await faceApiWith(backend, nets), backend, detector, minScore);
  }

  /**
   * Every face in a photo file, in the photo's pixels, largest box first. A photo of more than `maxPixels` is
   * searched in a copy shrunk to fit (Lanczos-3), and the boxes and landmarks scaled back.
   *
   * @param photo the photo (faces/rgb_image.ts `openPhoto`)
   * @param options `maxPixels` (default {@linkcode DETECTION_MAX_PIXELS})
   * @returns the faces (empty when there is none)
   * @example
   * ```ts
   * import { FaceDetector } from "./detect.ts";
   * import { openPhoto } from "./rgb_image.ts";
   * const detector = await FaceDetector.load({ detector: "tiny" });
   * const photo = await openPhoto("../shared/fixtures/images/faces-raw/04.jpg");
   * const faces = await detector.detectInPhoto(photo, { maxPixels: 200 * 200 });
   * console.log(faces.length, faces[0].landmarks.length); // 1 68
   * ```
   */
  async detectInPhoto(photo: PhotoSource, options: { maxPixels?: number } = {}): Promise<DetectedFace[]> {
    const maxPixels = options.maxPixels ?? DETECTION_MAX_PIXELS;
    const pixels = photo.width * photo.height;
    if (pixels <= maxPixels) return await this.detect(await photo.read());
    const shrink = Math.sqrt(maxPixels / pixels);
    const size = {
      width: Math.max(1, Math.floor(photo.width * shrink)),
      height: Math.max(1, Math.floor(photo.height * shrink)),
    };
    const sx = photo.width / size.width, sy = photo.height / size.height;
    return (await this.detect(await photo.read(size))).map((face) => ({
      score: face.score,
      box: {
        x: face.box.x * sx,
        y: face.box.y * sy,
        width: face.box.width * sx,
        height: face.box.height * sy,
      },
      landmarks: face.landmarks.map(([x, y]): Point => [x * sx, y * sy]),
    }));
  }

  /**
   * Every face in the photo, largest box first.
   *
   * @param image the photo
   * @returns the faces (empty when there is none)
   * @throws {TypeError} when the image's bytes do not match its size
   * @example
   * ```ts
   * import { FaceDetector } from "./detect.ts";
   * import { readRgbImage } from "./rgb_image.ts";
   * const detector = await FaceDetector.load({ detector: "tiny" });
   * const faces = await detector.detect(await readRgbImage("../shared/fixtures/images/faces-raw/04.jpg"));
   * console.log(faces.length, faces[0].landmarks.length); // 1 68
   * ```
   */
  async detect(image: RgbImage): Promise<DetectedFace[]> {
    assertRgbImage(image);
    const { faceApi } = this;
    // face-api pads to a square and resizes to the detector's input; a few pixels cannot hold a face.
    if (Math.min(image.width, image.height) < 16) return [];
    const tensor = faceApi.tf.tensor3d(image.data, [image.height, image.width, 3], "int32");
    try {
      const options = this.detector === "ssd"
        ? new faceApi.SsdMobilenetv1Options({ minConfidence: this.minScore, maxResults: 100 })
        : new faceApi.TinyFaceDetectorOptions({ inputSize: 416, scoreThreshold: this.minScore });
      const results = await faceApi.detectAllFaces(tensor, options).withFaceLandmarks();
      return results.map((r) => ({
        score: r.detection.score,
        box: {
          x: r.detection.box.x,
          y: r.detection.box.y,
          width: r.detection.box.width,
          height: r.detection.box.height,
        },
        landmarks: r.landmarks.positions.map((p) => [p.x, p.y] as Point),
      })).sort((a, b) => b.box.width * b.box.height - a.box.width * a.box.height);
    } finally {
      tensor.dispose();
    }
  }
}
