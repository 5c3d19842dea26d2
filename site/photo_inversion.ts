/**
 * The worker's side of an upload beyond a plain inversion: one image inverted with its codes v and written as a
 * compact inversion file (io/inversion_file.ts, as `invert` writes it), an uploaded inversion file rendered
 * (model/compact_inversion.ts `loadInversion`: ΔW recomputed from v, a file of another model refused), and a
 * photo's largest face FFHQ-aligned (faces/, as `invert --align` does) and its inversion pasted back
 * (faces/paste_back.ts). Runs in the inference worker: face detection and ONNX Runtime block their thread.
 *
 * @module
 */

import { alignFace } from "../faces/ffhq_align.ts";
import { DETECTION_MAX_PIXELS, FaceDetector } from "../faces/detect.ts";
import { openPhoto, type RgbImage } from "../faces/rgb_image.ts";
import { pasteBack } from "../faces/paste_back.ts";
import { rgbBytesToTensor, toRgbBytes } from "../io/image.ts";
import { writeInversionFile } from "../io/inversion_file.ts";
import {
  type CodedInversionResult,
  invertWithCodes,
  loadInversion,
  modelIdentity,
} from "../model/compact_inversion.ts";
import type { HyperInverter } from "../model/hyperinverter.ts";

/** An image inverted with its compact inversion file. */
export interface CodedInversion {
  result: CodedInversionResult;
  /** The inversion file's bytes (w and the codes v; ΔW when the model has no affine codes). */
  file: Uint8Array;
}

/**
 * Inverts one image and writes its inversion file in memory.
 *
 * @param model the model
 * @param image [1, 3, R, R] in [−1, 1]
 * @param options `modelPath` (for the identity), `modelName` and `source` as the file records them
 * @returns the inversion and the file's bytes
 * @example
 * ```ts
 * import { loadHyperInverter } from "../model/load.ts";
 * import { invertToFile } from "./photo_inversion.ts";
 * const modelPath = "data/models/default/model.json";
 * const model = await loadHyperInverter(modelPath);
 * const { file } = await invertToFile(model, new Float32Array(3 * 32 * 32), {
 *   modelPath, modelName: "demo/full", source: "zeros.png",
 * });
 * console.log(file.length < 100_000); // true
 * ```
 */
export async function invertToFile(
  model: HyperInverter,
  image: Float32Array,
  options: { modelPath: string; modelName: string; source: string },
): Promise<CodedInversion> {
  const result = await invertWithCodes(model, image, 1);
  const [, rows, width] = result.wCodes.shape;
  const passes = model.architecture?.refinementPasses ?? 1;
  const codes = new Map<string, { data: Float32Array; shape: number[] }>();
  for (const [key, code] of result.codes ?? []) {
    codes.set(key, { data: code, shape: [passes, code.length / passes] });
  }
  const residuals = new Map<string, { data: Float32Array; shape: number[] }>();
  if (!result.codes) {
    for (const [name, delta] of result.residuals) {
      residuals.set(name, { data: delta.data, shape: delta.shape.slice(1) });
    }
  }
  const path = await Deno.makeTempFile({ prefix: "site-inversion-", suffix: ".safetensors" });
  try {
    await writeInversionFile(path, {
      ws: { data: result.wCodes.data, shape: [rows, width] },
      codes,
      residuals,
      model: await modelIdentity(model, options.modelPath),
      modelName: options.modelName,
      source: options.source,
      whyDeltaWeights: result.codes ? undefined : result.whyNotAffine ?? undefined,
    }, { overwrite: true });
    return { result, file: await Deno.readFile(path) };
  } finally {
    await Deno.remove(path).catch(() => {});
  }
}

/** An inversion file rendered: phase I (w alone) and the final image (w with ΔW), [1, 3, R, R] each. */
export interface RenderedInversion {
  phaseOne: Float32Array;
  final: Float32Array;
}

/**
 * Renders an inversion file for a model.
 *
 * @param model the model
 * @param path the inversion file
 * @param modelPath what the model was loaded from
 * @returns phase I's and the final image
 * @throws {TypeError} naming both identities when the file belongs to another model, as `loadInversion`
 * @example
 * ```ts
 * import { loadHyperInverter } from "../model/load.ts";
 * import { invertToFile, renderInversionFile } from "./photo_inversion.ts";
 * const modelPath = "data/models/default/model.json";
 * const model = await loadHyperInverter(modelPath);
 * const { file, result } = await invertToFile(model, new Float32Array(3 * 32 * 32), {
 *   modelPath, modelName: "demo/full", source: "zeros.png",
 * });
 * const path = await Deno.makeTempFile({ suffix: ".safetensors" });
 * await Deno.writeFile(path, file);
 * const { final } = await renderInversionFile(model, path, modelPath);
 * console.log(Math.abs(final[0] - result.finalImages.data[0]) < 1e-4); // true
 * ```
 */
export async function renderInversionFile(
  model: HyperInverter,
  path: string,
  modelPath: string,
): Promise<RenderedInversion> {
  const inversion = await loadInversion(path, model, modelPath);
  const phaseOne = await model.synthesize(inversion.ws, null, 1);
  const residuals = new Map([...inversion.residuals].map(([name, data]) => [name, { data }]));
  const final = await model.synthesize(inversion.ws, residuals, 1);
  return { phaseOne: phaseOne.data, final: final.data };
}

/** A photo's largest face, FFHQ-aligned to the model's resolution. */
export interface AlignedUpload {
  /** [1, 3, R, R] in [−1, 1] */
  image: Float32Array;
  /** The alignment's quad in the photo's pixels. */
  quad: [number, number][];
}

/**
 * Aligns the largest face of a photo file as `invert --align` does (cli/align.ts `alignPhoto`).
 *
 * @param path the photo
 * @param detector a loaded face detector
 * @param size the model's resolution
 * @returns the aligned face as the model's input and its quad
 * @throws {Error} when no face is found
 */
export async function alignUpload(
  path: string,
  detector: FaceDetector,
  size: number,
): Promise<AlignedUpload> {
  const source = await openPhoto(path);
  const photo = source.width * source.height <= DETECTION_MAX_PIXELS ? await source.read() : source;
  const faces = "data" in photo ? await detector.detect(photo) : await detector.detectInPhoto(source);
  if (!faces.length) throw new Error(`No face found in the photo (${source.width}×${source.height})`);
  const aligned = await alignFace(photo, faces[0].landmarks, {
    outputSize: size,
    transformSize: Math.max(size, Math.min(4096, size * 4)),
  });
  return {
    image: rgbBytesToTensor(aligned.image.data, size, size),
    quad: aligned.quad.map(([x, y]) => [x, y]),
  };
}

/**
 * The photo with a final image [1, 3, R, R] pasted back into the quad (faces/paste_back.ts `pasteBack`).
 *
 * @param path the photo
 * @param quad the alignment's quad
 * @param final the final image in [−1, 1]
 * @param resolution R
 * @returns the pasted photo
 */
export async function pasteUpload(
  path: string,
  quad: readonly (readonly [number, number])[],
  final: Float32Array,
  resolution: number,
): Promise<RgbImage> {
  const result = {
    data: toRgbBytes(final, [1, 3, resolution, resolution], 0),
    width: resolution,
    height: resolution,
  };
  return await pasteBack(await (await openPhoto(path)).read(), quad, result);
}
