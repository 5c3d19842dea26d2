/**
 * `deno task align <image-or-folder> --out DIR [--size 1024|256|N] [--all-faces] [--detector ssd|tiny]
 * [--backend wasm|cpu] [--transform-size N] [--force]`
 *
 * FFHQ-aligns the faces of photos (faces/ffhq_align.ts) with face-api's detector and 68 landmarks: writes
 * `<name>.png` (the largest face; with `--all-faces` every face as `<name>.<k>.png`, largest first) and
 * `<name>.json` (per face: detector box and score, the 68 landmarks in the photo and in the aligned image, the
 * quad, head yaw/pitch/roll). A photo without a face, or a file that is not an image, is reported and skipped;
 * photos whose JSON exists are skipped unless `--force`, so an interrupted run resumes. Exit status: 0 all
 * aligned, 1 some failed, 2 nothing done.
 *
 * @module
 */

import { pathExists, writeFileAtomic } from "../io/atomic_write.ts";
import { type DetectedFace, FaceDetector, type FaceDetectorKind } from "../faces/detect.ts";
import { type AlignedFace, alignFace } from "../faces/ffhq_align.ts";
import { readRgbImage, writeRgbPng } from "../faces/rgb_image.ts";
import { headPose } from "../faces/yaw.ts";
import type { FaceBackend } from "../faces/_face_api.ts";
import { ProgressBar } from "./_progress.ts";
import { listImageFiles } from "./_files.ts";

/** Parsed command line. */
export interface AlignArguments {
  input: string;
  out: string;
  size: number;
  transformSize?: number;
  allFaces: boolean;
  detector: FaceDetectorKind;
  backend: FaceBackend;
  force: boolean;
}

/**
 * Parses the command line.
 *
 * @param args arguments after the task name
 * @returns the parsed arguments
 * @throws {RangeError} naming the unknown or malformed argument
 * @example
 * ```ts
 * import { parseAlignArguments } from "./align.ts";
 * console.log(parseAlignArguments(["a.jpg", "--out", "o", "--size", "256"]).size); // 256
 * ```
 */
export function parseAlignArguments(args: readonly string[]): AlignArguments {
  const parsed: Partial<AlignArguments> = {
    size: 1024,
    allFaces: false,
    detector: "ssd",
    backend: "wasm",
    force: false,
  };
  const positional: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const value = () => {
      const v = args[++i];
      if (v === undefined) throw new RangeError(`${arg} needs a value`);
      return v;
    };
    if (arg === "--out") parsed.out = value();
    else if (arg === "--size") parsed.size = Number(value());
    else if (arg === "--transform-size") parsed.transformSize = Number(value());
    else if (arg === "--all-faces") parsed.allFaces = true;
    else if (arg === "--detector") parsed.detector = value() as FaceDetectorKind;
    else if (arg === "--backend") parsed.backend = value() as FaceBackend;
    else if (arg === "--force") parsed.force = true;
    else if (arg.startsWith("--")) {
      throw new RangeError(
        `Unknown option ${arg}; options: --out --size --transform-size --all-faces --detector --backend --force`,
      );
    } else positional.push(arg);
  }
  if (positional.length !== 1) {
    throw new RangeError(`Give exactly one image or folder, got ${positional.length}`);
  }
  if (!parsed.out) throw new RangeError(`--out <folder> is required`);
  if (!Number.isInteger(parsed.size) || parsed.size! < 8 || parsed.size! > 8192) {
    throw new RangeError(`--size must be an integer in 8..8192, got ${parsed.size}`);
  }
  if (parsed.detector !== "ssd" && parsed.detector !== "tiny") {
    throw new RangeError(`--detector must be ssd or tiny, got ${parsed.detector}`);
  }
  if (parsed.backend !== "wasm" && parsed.backend !== "cpu") {
    throw new RangeError(`--backend must be wasm or cpu, got ${parsed.backend}`);
  }
  return { ...parsed, input: positional[0] } as AlignArguments;
}

/** A face found and aligned. */
export interface AlignedPhotoFace extends AlignedFace {
  detection: DetectedFace;
}

/**
 * Detects and aligns the faces of one photo file.
 *
 * @param path photo
 * @param detector a loaded detector
 * @param options output `size`, `transformSize`, `allFaces` (default: the largest face only)
 * @returns the aligned faces, largest first
 * @throws {SyntaxError} when the file is not a readable image
 * @throws {Error} "No face found in …" when the detector finds none
 */
export async function alignPhoto(
  path: string,
  detector: FaceDetector,
  options: { size: number; transformSize?: number; allFaces?: boolean },
): Promise<AlignedPhotoFace[]> {
  const photo = await readRgbImage(path);
  const faces = await detector.detect(photo);
  if (!faces.length) {
    throw new Error(
      `No face found in "${path}" (${photo.width}×${photo.height}, detector ${detector.detector})`,
    );
  }
  const chosen = options.allFaces ? faces : faces.slice(0, 1);
  const out: AlignedPhotoFace[] = [];
  for (const face of chosen) {
    const aligned = await alignFace(photo, face.landmarks, {
      outputSize: options.size,
      transformSize: options.transformSize ?? Math.max(options.size, Math.min(4096, options.size * 4)),
    });
    out.push({ ...aligned, detection: face });
  }
  return out;
}

function stem(path: string): string {
  const name = path.split("/").pop()!;
  const dot = name.lastIndexOf(".");
  return dot > 0 ? name.slice(0, dot) : name;
}

/** What the command did. */
export interface AlignReport {
  aligned: string[];
  skipped: string[];
  failed: { file: string; reason: string }[];
  faces: number;
  msPerPhoto: number;
}

/**
 * Aligns every file into a folder.
 *
 * @param files photos
 * @param detector a loaded detector
 * @param options output folder, sizes, all faces, overwrite
 * @returns the report
 */
export async function alignFiles(
  files: readonly string[],
  detector: FaceDetector,
  options: { out: string; size: number; transformSize?: number; allFaces: boolean; force: boolean },
): Promise<AlignReport> {
  const report: AlignReport = { aligned: [], skipped: [], failed: [], faces: 0, msPerPhoto: 0 };
  const progress = new ProgressBar(files.length, "align");
  let totalMs = 0;
  for (const file of files) {
    const base = `${options.out}/${stem(file)}`;
    if (!options.force && await pathExists(`${base}.json`)) {
      report.skipped.push(file);
      progress.tick(`${file} (done before)`);
      continue;
    }
    const started = performance.now();
    try {
      const faces = await alignPhoto(file, detector, options);
      totalMs += performance.now() - started;
      for (const [k, face] of faces.entries()) {
        await writeRgbPng(options.allFaces ? `${base}.${k}.png` : `${base}.png`, face.image);
      }
      const record = {
        source: file,
        size: options.size,
        detector: detector.detector,
        faces: faces.map((face, k) => ({
          image: options.allFaces ? `${stem(file)}.${k}.png` : `${stem(file)}.png`,
          score: face.detection.score,
          box: face.detection.box,
          quad: face.quad,
          landmarks: face.detection.landmarks,
          alignedLandmarks: face.landmarks,
          pose: headPose(face.detection.landmarks),
        })),
      };
      await writeFileAtomic(`${base}.json`, new TextEncoder().encode(JSON.stringify(record, null, 1) + "\n"));
      report.aligned.push(file);
      report.faces += faces.length;
      progress.tick(file);
    } catch (error) {
      report.failed.push({ file, reason: (error as Error).message });
      progress.tick(`${file} (skipped)`);
    }
  }
  progress.finish();
  report.msPerPhoto = report.aligned.length ? totalMs / report.aligned.length : 0;
  return report;
}

/**
 * The command.
 *
 * @param args command-line arguments
 * @returns the exit status (0 ok, 1 some failed, 2 nothing done)
 */
export async function main(args: readonly string[]): Promise<number> {
  let parsed: AlignArguments;
  let files: string[];
  try {
    parsed = parseAlignArguments(args);
    files = await listImageFiles(parsed.input);
  } catch (error) {
    console.error(`align: ${(error as Error).message}`);
    return 2;
  }
  if (!files.length) {
    console.error(`align: no image files in "${parsed.input}"`);
    return 2;
  }
  await Deno.mkdir(parsed.out, { recursive: true });
  let detector: FaceDetector;
  try {
    detector = await FaceDetector.load({ detector: parsed.detector, backend: parsed.backend });
  } catch (error) {
    console.error(`align: cannot load the face models: ${(error as Error).message}`);
    return 2;
  }
  const report = await alignFiles(files, detector, parsed);
  console.log(
    `aligned ${report.faces} face(s) from ${report.aligned.length}/${files.length} photo(s) into ${parsed.out} ` +
      `at ${parsed.size}², ${
        report.msPerPhoto.toFixed(0)
      } ms/photo (tfjs ${detector.backend}, ${detector.detector})` +
      (report.skipped.length ? `, ${report.skipped.length} done before` : ""),
  );
  for (const failure of report.failed) console.log(`failed: ${failure.file}: ${failure.reason}`);
  const done = report.aligned.length + report.skipped.length;
  return report.failed.length === 0 ? 0 : done ? 1 : 2;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
