/**
 * `deno task align <image-or-folder> --out DIR [--size 1024|256|N] [--all-faces] [--detector ssd|tiny]
 * [--backend wasm|cpu] [--transform-size N] [--force]`
 *
 * FFHQ-aligns the faces of photos (faces/ffhq_align.ts) with face-api's detector and 68 landmarks: writes
 * `<name>.png` (the largest face; with `--all-faces` every face as `<name>.<k>.png`, largest first) and
 * `<name>.json` (per face: detector box and score, the 68 landmarks in the photo and in the aligned image, the
 * quad, head yaw/pitch/roll; and the source: its file name, size in bytes and SHA-256). `<name>` is the photo's
 * stem (`face.jpg` → `face`), or its whole file name when two photos share a stem (`face.jpg` and `face.png` give
 * `face.jpg.png` and `face.png.png`) or when the stem's outputs would be input files (`--out` equal to the input
 * folder: `X.png` gives `X.png.png`); see cli/_files.ts `planOutputNames`.
 *
 * No user file is lost: an input is never overwritten, even with `--force`; an output that exists without the
 * JSON of the same source (same name, size and SHA-256) is refused unless `--force`. A photo whose JSON records
 * it exactly is "done before" and skipped unless `--force`, so an interrupted run resumes; images that earlier
 * runs wrote into `--out` (named in its JSON files) are not taken as inputs. A photo without a face, or a file that
 * is not an image, is reported and skipped. Photos larger than 2048² are searched for faces in a shrunk copy and
 * aligned from the decoded crop around the face only, so a 16000² photo needs no more memory than a small one.
 * Exit status: 0 all aligned, 1 some failed, 2 bad usage or nothing done.
 *
 * @module
 */

import { pathExists, writeFileAtomic } from "../io/atomic_write.ts";
import { EXIT_OK, EXIT_SOME_FAILED, EXIT_USAGE, runCommand, UsageError } from "../io/command_line.ts";
import { prepareOutputFolder } from "../io/output_check.ts";
import {
  type DetectedFace,
  DETECTION_MAX_PIXELS,
  FaceDetector,
  type FaceDetectorKind,
} from "../faces/detect.ts";
import type { FaceBackend } from "../faces/_face_api.ts";
import { type AlignedFace, alignFace } from "../faces/ffhq_align.ts";
import { openPhoto, writeRgbPng } from "../faces/rgb_image.ts";
import { headPose } from "../faces/yaw.ts";
import { ProgressBar } from "./_progress.ts";
import { listImageFiles, type OutputPlan, planOutputNames } from "./_files.ts";

/** The command line of `align`. */
export const ALIGN_COMMAND = {
  name: "align",
  usage: "deno task align <image-or-folder> --out DIR [options]",
  description: "FFHQ-aligns the faces of photos: <name>.png (or <name>.<k>.png) and <name>.json per photo.",
  positionals: { min: 1, max: 1, names: "image-or-folder" },
  flags: {
    out: { type: "string", required: true, valueName: "DIR", description: "output folder" },
    size: { type: "integer", min: 8, max: 8192, default: 1024, description: "side of the aligned image" },
    "transform-size": {
      type: "integer",
      min: 8,
      max: 8192,
      description:
        "side of the QUAD transform before the final resize (default max(size, min(4096, 4·size)))",
    },
    "all-faces": { type: "boolean", description: "every face as <name>.<k>.png, largest first" },
    detector: { type: "string", choices: ["ssd", "tiny"], default: "ssd", description: "face detector" },
    backend: { type: "string", choices: ["wasm", "cpu"], default: "wasm", description: "tfjs backend" },
    force: { type: "boolean", description: "redo photos done before and replace outputs (never inputs)" },
  },
} as const;

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
  const source = await openPhoto(path);
  // A photo that the detector can take whole is decoded once; a larger one is searched in a shrunk copy and
  // decoded per face, only around the face.
  const photo = source.width * source.height <= DETECTION_MAX_PIXELS ? await source.read() : source;
  const faces = "data" in photo ? await detector.detect(photo) : await detector.detectInPhoto(source);
  if (!faces.length) {
    throw new Error(
      `No face found in "${path}" (${source.width}×${source.height}, detector ${detector.detector})`,
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

/** The JSON `format` of align's records. */
export const ALIGN_RECORD_FORMAT = "hyperinverter-deno/aligned-faces";

/** What identifies a photo exactly: its file name, size and SHA-256. */
export interface SourceIdentity {
  sourceName: string;
  sourceBytes: number;
  sourceSha256: string;
}

/**
 * The identity of a photo file, as its JSON records it.
 *
 * @param path the photo
 * @returns name, size and SHA-256 (hex)
 * @example
 * ```ts
 * import { sourceIdentity } from "./align.ts";
 * const path = await Deno.makeTempFile({ suffix: ".jpg" });
 * console.log((await sourceIdentity(path)).sourceSha256.slice(0, 8)); // "e3b0c442" (empty file)
 * ```
 */
export async function sourceIdentity(path: string): Promise<SourceIdentity> {
  const bytes = await Deno.readFile(path);
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return {
    sourceName: path.split("/").pop()!,
    sourceBytes: bytes.length,
    sourceSha256: Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join(""),
  };
}

async function readRecord(path: string): Promise<Record<string, unknown> | null> {
  try {
    const record = JSON.parse(await Deno.readTextFile(path));
    return record && typeof record === "object" && record.format === ALIGN_RECORD_FORMAT ? record : null;
  } catch {
    return null;
  }
}

/** A photo to align and the base name of its outputs in the output folder. */
export interface AlignJob {
  file: string;
  base: string;
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
 * Aligns photos into a folder, writing each photo's images, then its JSON (last: it marks the photo done).
 *
 * @param jobs photos and their output base names (cli/_files.ts `planOutputNames`)
 * @param detector a loaded detector
 * @param options output folder, sizes, all faces, `force` (replace outputs), and `isInput`: a check that an output
 * path is an input file, which is never overwritten
 * @returns the report
 */
export async function alignFiles(
  jobs: readonly AlignJob[],
  detector: FaceDetector,
  options: {
    out: string;
    size: number;
    transformSize?: number;
    allFaces: boolean;
    force: boolean;
    isInput?: OutputPlan["isInput"];
  },
): Promise<AlignReport> {
  const report: AlignReport = { aligned: [], skipped: [], failed: [], faces: 0, msPerPhoto: 0 };
  const progress = new ProgressBar(jobs.length, "align");
  let totalMs = 0;
  for (const { file, base } of jobs) {
    const started = performance.now();
    try {
      const identity = await sourceIdentity(file);
      const faces = await alignPhoto(file, detector, options);
      totalMs += performance.now() - started;
      const names = faces.map((_, k) => options.allFaces ? `${base}.${k}.png` : `${base}.png`);
      for (const path of [...names, `${base}.json`].map((name) => `${options.out}/${name}`)) {
        if (await options.isInput?.(path)) {
          throw new Error(`Its output "${path}" would replace an input file`);
        }
        if (!options.force && await pathExists(path)) {
          throw new Error(`Its output "${path}" exists; pass --force to overwrite it`);
        }
      }
      for (const [k, face] of faces.entries()) await writeRgbPng(`${options.out}/${names[k]}`, face.image);
      const record = {
        format: ALIGN_RECORD_FORMAT,
        source: file,
        ...identity,
        size: options.size,
        detector: detector.detector,
        faces: faces.map((face, k) => ({
          image: names[k],
          score: face.detection.score,
          box: face.detection.box,
          quad: face.quad,
          landmarks: face.detection.landmarks,
          alignedLandmarks: face.landmarks,
          pose: headPose(face.detection.landmarks),
        })),
      };
      await writeFileAtomic(
        `${options.out}/${base}.json`,
        new TextEncoder().encode(JSON.stringify(record, null, 1) + "\n"),
      );
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

/** Images named in the align records of a folder (earlier runs' outputs). */
async function recordedOutputs(folder: string): Promise<Set<string>> {
  const images = new Set<string>();
  for await (const entry of Deno.readDir(folder)) {
    if (!entry.isFile || !entry.name.endsWith(".json")) continue;
    const record = await readRecord(`${folder}/${entry.name}`);
    const faces = Array.isArray(record?.faces) ? record.faces : [];
    for (const face of faces) if (typeof face?.image === "string") images.add(face.image);
  }
  return images;
}

/**
 * Sorts the planned photos into those to align, those done before (their JSON records this exact source) and
 * conflicts (an output exists that is not this source's).
 */
async function sortJobs(
  plan: OutputPlan,
  options: { out: string; allFaces: boolean; force: boolean },
): Promise<{ todo: AlignJob[]; done: string[]; conflicts: string[]; failed: AlignReport["failed"] }> {
  const sorted = {
    todo: [] as AlignJob[],
    done: [] as string[],
    conflicts: [] as string[],
    failed: [] as AlignReport["failed"],
  };
  for (const { file, base, reason } of plan.names) {
    if (base === null) {
      sorted.failed.push({ file, reason: `Not aligned: ${reason}` });
      continue;
    }
    const json = `${options.out}/${base}.json`;
    const image = `${options.out}/${base}${options.allFaces ? ".0" : ""}.png`;
    const record = await pathExists(json) ? await readRecord(json) : null;
    if (record) {
      const identity = await sourceIdentity(file);
      const same = record.sourceName === identity.sourceName && record.sourceBytes === identity.sourceBytes &&
        record.sourceSha256 === identity.sourceSha256;
      if (same && !options.force) sorted.done.push(file);
      else if (same || options.force) sorted.todo.push({ file, base });
      else sorted.conflicts.push(`${json} (written for another photo, ${String(record.sourceName)})`);
      continue;
    }
    const existing = [json, image];
    const present: string[] = [];
    for (const path of existing) if (await pathExists(path)) present.push(path);
    if (present.length && !options.force) sorted.conflicts.push(...present);
    else sorted.todo.push({ file, base });
  }
  return sorted;
}

/**
 * The command.
 *
 * @param args command-line arguments
 * @returns the exit status (0 ok, 1 some failed, 2 bad usage or nothing done)
 */
export function main(args: readonly string[]): Promise<number> {
  return runCommand(ALIGN_COMMAND, args, async (values, [input]) => {
    const options = {
      out: values.out,
      size: values.size,
      transformSize: values["transform-size"],
      allFaces: values["all-faces"],
      force: values.force,
    };
    let files: string[];
    try {
      files = await listImageFiles(input);
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
    await prepareOutputFolder(options.out);
    const previous = await recordedOutputs(options.out);
    if (previous.size) {
      const outFolder = await Deno.realPath(options.out);
      const kept: string[] = [];
      for (const file of files) {
        const slash = file.lastIndexOf("/");
        const folder = await Deno.realPath(slash < 0 ? "." : file.slice(0, slash) || "/");
        if (!(folder === outFolder && previous.has(file.slice(slash + 1)))) kept.push(file);
      }
      files = kept;
    }
    if (!files.length) throw new UsageError(`No image files to align in "${input}"`);
    const suffixes = options.allFaces ? [".0.png", ".1.png", ".json"] : [".png", ".json"];
    const plan = await planOutputNames(files, options.out, suffixes);
    const { todo, done, conflicts, failed } = await sortJobs(plan, options);
    if (conflicts.length) {
      throw new UsageError(
        `${conflicts.length} output file(s) exist that this run did not write; pass --force to overwrite ` +
          `them (inputs are never overwritten):\n  ${conflicts.join("\n  ")}`,
      );
    }
    let report: AlignReport = { aligned: [], skipped: [], failed: [], faces: 0, msPerPhoto: 0 };
    let backend: string = values.backend;
    if (todo.length) {
      let detector: FaceDetector;
      try {
        detector = await FaceDetector.load({
          detector: values.detector as FaceDetectorKind,
          backend: values.backend as FaceBackend,
        });
      } catch (error) {
        throw new Error(`Cannot load the face models: ${(error as Error).message}`);
      }
      backend = detector.backend;
      report = await alignFiles(todo, detector, { ...options, isInput: plan.isInput });
    }
    report.skipped.push(...done);
    report.failed.unshift(...failed);
    console.log(
      `aligned ${report.faces} face(s) from ${report.aligned.length}/${files.length} photo(s) into ${options.out} ` +
        `at ${options.size}², ${
          report.msPerPhoto.toFixed(0)
        } ms/photo (tfjs ${backend}, ${values.detector})` +
        (report.skipped.length ? `, ${report.skipped.length} done before` : ""),
    );
    for (const failure of report.failed) console.log(`failed: ${failure.file}: ${failure.reason}`);
    const finished = report.aligned.length + report.skipped.length;
    return report.failed.length === 0 ? EXIT_OK : finished ? EXIT_SOME_FAILED : EXIT_USAGE;
  });
}

if (import.meta.main) Deno.exit(await main(Deno.args));
