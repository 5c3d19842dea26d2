/**
 * `deno task invert <image-or-folder> --model model.json --out DIR [--batch N] [--device D] [--low-memory] [--force]
 * [--align]`
 *
 * `--model` is a manifest path, or `reference:church256` / `reference:ffhq1024` (the official architectures with
 * the golden fixtures' seeded weights: the full pipeline at full size, with meaningless images).
 * Inverts every image: writes `<name>.final.png` (x̂), `<name>.phase1.png` (x̂_w) and `<name>.safetensors` (the
 * w code `w` [numWs, 512] and every residual `dW.<target>` [O, I, k, k]) into DIR. A file that is not a readable
 * image is reported and skipped; the others are still processed. `--align` first FFHQ-aligns each photo's largest face
 * to the model's resolution (faces/, as `deno task align`; also written as `<name>.aligned.png`); a photo without a
 * face is reported and skipped. Existing outputs are never overwritten unless
 * `--force` is given. Exit status: 0 all inverted, 1 some inputs failed, 2 nothing could be done (bad
 * arguments, model or output conflicts).
 *
 * @module
 */

import { pathExists } from "../io/atomic_write.ts";
import { readImage, rgbBytesToTensor } from "../io/image.ts";
import { writePng } from "../io/image.ts";
import { writeWeights } from "../io/weights_file.ts";
import { loadHyperInverter } from "../model/load.ts";
import type { HyperInverter } from "../model/hyperinverter.ts";
import { ProgressBar } from "./_progress.ts";
import { listImageFiles } from "./_files.ts";
import { FaceDetector } from "../faces/detect.ts";
import { writeRgbPng } from "../faces/rgb_image.ts";
import { alignPhoto } from "./align.ts";

/** Parsed command line. */
export interface InvertArguments {
  input: string;
  model: string;
  out: string;
  batch: number;
  device: string;
  force: boolean;
  lowMemory: boolean;
  align: boolean;
}

/** What the command did. */
export interface InvertReport {
  inverted: string[];
  failed: { file: string; reason: string }[];
  provider: string;
  msPerImage: number;
}

/**
 * Parses the command line.
 *
 * @param args arguments after the task name
 * @returns the parsed arguments
 * @throws {RangeError} naming the unknown or malformed argument
 */
export function parseInvertArguments(args: readonly string[]): InvertArguments {
  const parsed: Partial<InvertArguments> = {
    batch: 1,
    device: "auto",
    force: false,
    lowMemory: false,
    align: false,
  };
  const positional: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const value = () => {
      const v = args[++i];
      if (v === undefined) throw new RangeError(`${arg} needs a value`);
      return v;
    };
    if (arg === "--model") parsed.model = value();
    else if (arg === "--out") parsed.out = value();
    else if (arg === "--batch") parsed.batch = Number(value());
    else if (arg === "--device") parsed.device = value();
    else if (arg === "--force") parsed.force = true;
    else if (arg === "--low-memory") parsed.lowMemory = true;
    else if (arg === "--align") parsed.align = true;
    else if (arg.startsWith("--")) {
      throw new RangeError(
        `Unknown option ${arg}; options: --model --out --batch --device --low-memory --force --align`,
      );
    } else positional.push(arg);
  }
  if (positional.length !== 1) {
    throw new RangeError(`Give exactly one image or folder, got ${positional.length}`);
  }
  if (!parsed.model) throw new RangeError(`--model <model.json> is required`);
  if (!parsed.out) throw new RangeError(`--out <folder> is required`);
  if (!Number.isInteger(parsed.batch) || parsed.batch! < 1 || parsed.batch! > 64) {
    throw new RangeError(`--batch must be an integer in 1..64, got ${parsed.batch}`);
  }
  return { ...parsed, input: positional[0] } as InvertArguments;
}

function stem(path: string): string {
  const name = path.split("/").pop()!;
  const dot = name.lastIndexOf(".");
  return dot > 0 ? name.slice(0, dot) : name;
}

function outputsOf(out: string, file: string, align = false): string[] {
  const base = `${out}/${stem(file)}`;
  return [
    `${base}.final.png`,
    `${base}.phase1.png`,
    `${base}.safetensors`,
    ...(align ? [`${base}.aligned.png`] : []),
  ];
}

/**
 * Runs the inversion of every input with a loaded model.
 *
 * @param model the model
 * @param files input image files
 * @param options output folder, batch size, and `align`: a face detector to FFHQ-align each photo first
 * @returns the report
 */
export async function invertFiles(
  model: HyperInverter,
  files: readonly string[],
  options: { out: string; batch: number; align?: FaceDetector },
): Promise<InvertReport> {
  const report: InvertReport = { inverted: [], failed: [], provider: "", msPerImage: 0 };
  const resolution = model.resolution;
  const progress = new ProgressBar(files.length, "invert");
  let totalMs = 0;
  for (let start = 0; start < files.length; start += options.batch) {
    const chunk = files.slice(start, start + options.batch);
    const loaded: { file: string; data: Float32Array }[] = [];
    for (const file of chunk) {
      try {
        if (options.align) {
          const [face] = await alignPhoto(file, options.align, { size: resolution });
          await writeRgbPng(outputsOf(options.out, file, true)[3], face.image);
          loaded.push({ file, data: rgbBytesToTensor(face.image.data, resolution, resolution) });
        } else loaded.push({ file, data: (await readImage(file, resolution)).data });
      } catch (error) {
        report.failed.push({ file, reason: (error as Error).message });
        progress.tick(`${file} (skipped)`);
      }
    }
    if (!loaded.length) continue;
    const perImage = 3 * resolution * resolution;
    const batch = new Float32Array(loaded.length * perImage);
    loaded.forEach((item, i) => batch.set(item.data, i * perImage));
    const result = await model.invert(batch, loaded.length);
    report.provider = result.provider;
    totalMs += result.milliseconds;
    for (let i = 0; i < loaded.length; i++) {
      const [finalPath, phaseOnePath, latentPath] = outputsOf(options.out, loaded[i].file);
      const imageShape = [...result.finalImages.shape];
      await writePng(finalPath, result.finalImages.data, imageShape, i);
      await writePng(phaseOnePath, result.phaseOneImages.data, imageShape, i);
      const tensors = new Map<string, { data: Float32Array; shape: number[] }>();
      const [, rows, width] = result.wCodes.shape;
      tensors.set("w", {
        data: result.wCodes.data.slice(i * rows * width, (i + 1) * rows * width),
        shape: [rows, width],
      });
      for (const [name, delta] of result.residuals) {
        const shape = delta.shape.slice(1);
        const size = shape.reduce((a, b) => a * b, 1);
        tensors.set(`dW.${name}`, { data: delta.data.slice(i * size, (i + 1) * size), shape });
      }
      await writeWeights(latentPath, tensors, { overwrite: true, metadata: { source: loaded[i].file } });
      report.inverted.push(loaded[i].file);
      progress.tick(loaded[i].file);
    }
  }
  progress.finish();
  report.msPerImage = report.inverted.length ? totalMs / report.inverted.length : 0;
  return report;
}

/**
 * The command: parses arguments, checks for conflicts, loads the model, inverts, prints a summary.
 *
 * @param args command-line arguments
 * @returns the exit status (0 ok, 1 partial failure, 2 nothing done)
 */
export async function main(args: readonly string[]): Promise<number> {
  let parsed: InvertArguments;
  let files: string[];
  try {
    parsed = parseInvertArguments(args);
    files = await listImageFiles(parsed.input);
  } catch (error) {
    console.error(`invert: ${(error as Error).message}`);
    return 2;
  }
  if (!files.length) {
    console.error(`invert: no image files in "${parsed.input}"`);
    return 2;
  }
  await Deno.mkdir(parsed.out, { recursive: true });
  if (!parsed.force) {
    const conflicts: string[] = [];
    for (const file of files) {
      for (const path of outputsOf(parsed.out, file, parsed.align)) {
        if (await pathExists(path)) conflicts.push(path);
      }
    }
    if (conflicts.length) {
      console.error(
        `invert: ${conflicts.length} output file(s) exist; pass --force to overwrite:\n  ${
          conflicts.join("\n  ")
        }`,
      );
      return 2;
    }
  }
  let model: HyperInverter;
  try {
    model = await loadHyperInverter(parsed.model, { device: parsed.device, lowMemory: parsed.lowMemory });
  } catch (error) {
    console.error(`invert: cannot load model "${parsed.model}": ${(error as Error).message}`);
    return 2;
  }
  let align: FaceDetector | undefined;
  try {
    if (parsed.align) align = await FaceDetector.load();
  } catch (error) {
    console.error(`invert: cannot load the face models for --align: ${(error as Error).message}`);
    return 2;
  }
  const report = await invertFiles(model, files, { out: parsed.out, batch: parsed.batch, align });
  console.log(
    `inverted ${report.inverted.length}/${files.length} image(s) into ${parsed.out} on ${
      report.provider || "-"
    }, ` +
      `${report.msPerImage.toFixed(0)} ms/image`,
  );
  for (const failure of report.failed) console.log(`failed: ${failure.file}: ${failure.reason}`);
  return report.failed.length === 0 ? 0 : report.inverted.length ? 1 : 2;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
