/**
 * `deno task invert <image-or-folder> --model model.json --out DIR [--batch N] [--device D] [--low-memory] [--precision int8] [--force] [--allow-plugins]
 * [--align] [--save-delta-weights]`
 *
 * `--model` is a manifest path, or `reference:church256` / `reference:ffhq1024` (the official architectures with
 * the golden fixtures' seeded weights: the full pipeline at full size, with meaningless images).
 * Inverts every image: writes `<name>.final.png` (x̂), `<name>.phase1.png` (x̂_w) and `<name>.safetensors` into
 * DIR. The `.safetensors` is compact by default (io/inversion_file.ts): the w code `w` [numWs, 512], each
 * regressor's code `v.<key>` [passes, D] and the model's identity, ≈ 50 KB at FFHQ-1024 D=128 instead of the
 * 94 MB of ΔW, from which `edit`, `interpolate` and the library recompute ΔW exactly (model/compact_inversion.ts).
 * `--save-delta-weights` adds every residual `dW.<target>` [O, I, k, k]; a model whose ΔW is not affine in its
 * codes always stores ΔW, with the reason in the metadata (`whyDeltaWeights`). A file that is not a readable
 * image is reported and skipped; the others are still processed. `--align` first FFHQ-aligns each photo's largest face
 * to the model's resolution (faces/, as `deno task align`; also written as `<name>.aligned.png`), and writes
 * `<name>.pasted.png`: the original photo with the reconstruction pasted back into the face's quad
 * (faces/paste_back.ts; feathered, every pixel outside the quad unchanged); a photo without a face is reported and
 * skipped. `<name>` is the image's stem, or its whole file name when two inputs share a stem
 * (`x.jpg` and `x.png` give `x.jpg.final.png` and `x.png.final.png`) or when the stem's outputs would be input
 * files (cli/_files.ts `planOutputNames`); an image counts as inverted only once its outputs are written. The
 * command line, `--device` and the outputs are checked before the model loads; existing outputs are never
 * overwritten unless `--force` is given, and inputs never. Exit status: 0 all inverted, 1 some inputs failed, 2
 * bad usage or nothing done (bad arguments, device, model or output conflicts).
 *
 * A large folder is split with `--shard i/n` (1 ≤ i ≤ n): the folder's images, sorted by name, are cut into n
 * contiguous parts of sizes differing by at most one, and only part i is inverted. Output names are planned over
 * the whole folder, so every shard writes its own images' outputs into the same `--out` folder and none
 * clobbers another's. `--skip-done` skips the images whose outputs all exist (and replaces the partial outputs of
 * an interrupted one), so a shard can be rerun. `--slurm --shards n [--partition P --gres G --time T
 * --sbatch-arg ARGS]` submits the n shards as one Slurm array job (tasks 1…n, each `--shard $SLURM_ARRAY_TASK_ID/n
 * --skip-done`; logs in `<out>/slurm/`).
 *
 * @module
 */

import { pathExists } from "../io/atomic_write.ts";
import { readImage, rgbBytesToTensor } from "../io/image.ts";
import { toRgbBytes, writePng } from "../io/image.ts";
import { writeInversionFile } from "../io/inversion_file.ts";
import { type CodedInversionResult, invertWithCodes, modelIdentity } from "../model/compact_inversion.ts";
import { loadHyperInverter } from "../model/load.ts";
import type { HyperInverter } from "../model/hyperinverter.ts";
import { NonFiniteOutputError } from "../model/output_checks.ts";
import { ProgressBar } from "./_progress.ts";
import { listImageFiles, planOutputNames } from "./_files.ts";
import { checkDevice } from "./_device.ts";
import { EXIT_OK, EXIT_SOME_FAILED, EXIT_USAGE, runCommand, UsageError } from "../io/command_line.ts";
import { prepareOutputFolder } from "../io/output_check.ts";
import { DEVICE_NAMES } from "../runtime/devices.ts";
import { FaceDetector } from "../faces/detect.ts";
import { writeRgbPng } from "../faces/rgb_image.ts";
import { writePastedPhoto } from "../faces/paste_back.ts";
import { alignPhoto } from "./align.ts";
import { ALLOW_PLUGINS_FLAG } from "./_model_flags.ts";
import { SLURM_FLAGS, slurmResources } from "./_slurm_flags.ts";
import { batchScript, raw } from "../experiments/slurm/batch_script.ts";
import { submitBatch } from "../experiments/slurm/queue.ts";

/** The command line of `invert`. */
export const INVERT_COMMAND = {
  name: "invert",
  usage: "deno task invert <image-or-folder> --model MODEL --out DIR [options]",
  description: "Inverts images: <name>.final.png, <name>.phase1.png and <name>.safetensors per image.",
  positionals: { min: 1, max: 1, names: "image-or-folder" },
  flags: {
    model: {
      type: "string",
      required: true,
      valueName: "MODEL",
      description: "model.json, or reference:church256 / reference:ffhq1024",
    },
    out: { type: "string", required: true, valueName: "DIR", description: "output folder" },
    batch: { type: "integer", min: 1, max: 64, default: 1, description: "images per run" },
    device: { type: "string", choices: DEVICE_NAMES, default: "auto", description: "where the model runs" },
    "low-memory": { type: "boolean", description: "load the model's parts one at a time" },
    precision: {
      type: "string",
      choices: ["float32", "int8"],
      default: "float32",
      description:
        "int8: the encoders' convolutions in 8 bits (CPU, faster, images differ by the quantization error)",
    },
    force: { type: "boolean", description: "replace existing outputs (never inputs)" },
    "allow-plugins": ALLOW_PLUGINS_FLAG,
    align: {
      type: "boolean",
      description:
        "FFHQ-align each photo's largest face first (<name>.aligned.png) and paste the result back (<name>.pasted.png)",
    },
    "save-delta-weights": {
      type: "boolean",
      description: "also store every ΔW in <name>.safetensors (≈ 94 MB at 1024²; default: w and the codes v)",
    },
    shard: {
      type: "string",
      valueName: "i/n",
      description: "invert only part i of n of the folder (sorted names, contiguous parts; 1 ≤ i ≤ n)",
    },
    "skip-done": { type: "boolean", description: "skip the images whose outputs all exist" },
    shards: {
      type: "integer",
      min: 1,
      max: 100_000,
      description: "with --slurm: the number of shards (array tasks)",
    },
    ...SLURM_FLAGS,
  },
} as const;

/** What the command did. */
export interface InvertReport {
  inverted: string[];
  failed: { file: string; reason: string }[];
  provider: string;
  msPerImage: number;
}

const OUTPUT_SUFFIXES = [".final.png", ".phase1.png", ".safetensors"] as const;
/** The outputs that `--align` adds: the aligned face and the photo with the result pasted back. */
const ALIGN_SUFFIXES = [".aligned.png", ".pasted.png"] as const;

function outputsOf(out: string, base: string, align = false): string[] {
  return [...OUTPUT_SUFFIXES, ...(align ? ALIGN_SUFFIXES : [])].map((suffix) => `${out}/${base}${suffix}`);
}

/**
 * Parses `--shard i/n`.
 *
 * @param text `i/n`
 * @returns the 1-based shard and the count
 * @throws {UsageError} naming the value when it is not `i/n` with 1 ≤ i ≤ n
 * @example
 * ```ts
 * import { parseShard } from "./invert.ts";
 * console.log(parseShard("2/3")); // { index: 2, count: 3 }
 * ```
 */
export function parseShard(text: string): { index: number; count: number } {
  const match = text.match(/^(\d+)\/(\d+)$/);
  const [index, count] = match ? [Number(match[1]), Number(match[2])] : [0, 0];
  if (!match || index < 1 || index > count) {
    throw new UsageError(`--shard must be i/n with 1 ≤ i ≤ n, got "${text}"`);
  }
  return { index, count };
}

/**
 * The part of a sorted list that shard `index` of `count` takes: contiguous, sizes differing by at most one.
 *
 * @param items the list (sorted)
 * @param index 1-based shard
 * @param count number of shards
 * @returns the shard's items
 * @example
 * ```ts
 * import { shardOf } from "./invert.ts";
 * console.log([1, 2, 3].map((i) => shardOf(["a", "b", "c", "d", "e"], i, 3))); // [["a"], ["b", "c"], ["d", "e"]]
 * ```
 */
export function shardOf<T>(items: readonly T[], index: number, count: number): T[] {
  return items.slice(
    Math.floor((index - 1) * items.length / count),
    Math.floor(index * items.length / count),
  );
}

/** An image to invert and the base name of its outputs in the output folder. */
export interface InvertJob {
  file: string;
  base: string;
}

/**
 * Runs the inversion of every input with a loaded model. An image counts as inverted only once its three outputs
 * are written; a batch the model fails on, or an output that cannot be written, fails those images only (a batch
 * with a non-finite output is inverted again one image at a time, so that only the image at fault fails).
 *
 * @param model the model
 * @param jobs input image files and the base names of their outputs (cli/_files.ts `planOutputNames`)
 * @param options output folder, batch size, `align`: a face detector to FFHQ-align each photo first, `quiet`: no
 * progress bar, `model`: what the model was loaded from (its identity goes into each file; default the model's
 * own weights), `identity`: the model's identity if already known, `saveDeltaWeights`: store every ΔW too,
 * `inverter`: how a batch is inverted (default model/compact_inversion.ts `invertWithCodes`)
 * @returns the report
 */
export async function invertFiles(
  model: HyperInverter,
  jobs: readonly InvertJob[],
  options: {
    out: string;
    batch: number;
    align?: FaceDetector;
    quiet?: boolean;
    model?: string;
    identity?: string;
    saveDeltaWeights?: boolean;
    inverter?: typeof invertWithCodes;
  },
): Promise<InvertReport> {
  const modelName = options.model ?? "reference:(in memory)";
  const identity = { name: modelName, id: options.identity ?? await modelIdentity(model, modelName) };
  const inverter = options.inverter ?? invertWithCodes;
  const report: InvertReport = { inverted: [], failed: [], provider: "", msPerImage: 0 };
  const resolution = model.resolution;
  const progress = new ProgressBar(jobs.length, "invert", options.quiet ? { write: () => {} } : {});
  let totalMs = 0;
  for (let start = 0; start < jobs.length; start += options.batch) {
    const chunk = jobs.slice(start, start + options.batch);
    const loaded: { file: string; base: string; data: Float32Array; quad?: [number, number][] }[] = [];
    for (const { file, base } of chunk) {
      try {
        if (options.align) {
          const [face] = await alignPhoto(file, options.align, { size: resolution });
          await writeRgbPng(outputsOf(options.out, base, true)[3], face.image);
          loaded.push({
            file,
            base,
            data: rgbBytesToTensor(face.image.data, resolution, resolution),
            quad: face.quad,
          });
        } else loaded.push({ file, base, data: (await readImage(file, resolution)).data });
      } catch (error) {
        report.failed.push({ file, reason: (error as Error).message });
        progress.tick(`${file} (skipped)`);
      }
    }
    if (!loaded.length) continue;
    const perImage = 3 * resolution * resolution;
    const batch = new Float32Array(loaded.length * perImage);
    loaded.forEach((item, i) => batch.set(item.data, i * perImage));
    let result: CodedInversionResult;
    try {
      result = await inverter(model, batch, loaded.length);
    } catch (error) {
      if (error instanceof NonFiniteOutputError && loaded.length > 1) {
        // One input gave a non-finite output: invert the batch's images one at a time, so only it fails.
        const single = await invertFiles(model, loaded.map(({ file, base }) => ({ file, base })), {
          ...options,
          identity: identity.id,
          batch: 1,
          quiet: true,
        });
        report.inverted.push(...single.inverted);
        report.failed.push(...single.failed);
        if (single.provider) report.provider = single.provider;
        totalMs += single.msPerImage * single.inverted.length;
        for (const { file } of loaded) progress.tick(file);
        continue;
      }
      for (const { file } of loaded) {
        report.failed.push({ file, reason: `The model failed: ${(error as Error).message}` });
        progress.tick(`${file} (failed)`);
      }
      continue;
    }
    report.provider = result.provider;
    totalMs += result.milliseconds;
    for (let i = 0; i < loaded.length; i++) {
      try {
        await writeResults(result, i, outputsOf(options.out, loaded[i].base), {
          source: loaded[i].file,
          identity,
          saveDeltaWeights: options.saveDeltaWeights ?? false,
          passes: model.architecture?.refinementPasses ?? 1,
        });
        const quad = loaded[i].quad;
        if (quad) {
          const final = {
            data: toRgbBytes(result.finalImages.data, result.finalImages.shape, i),
            width: resolution,
            height: resolution,
          };
          await writePastedPhoto(
            outputsOf(options.out, loaded[i].base, true)[4],
            loaded[i].file,
            quad,
            final,
          );
        }
      } catch (error) {
        report.failed.push({
          file: loaded[i].file,
          reason: `Cannot write its results: ${(error as Error).message}`,
        });
        progress.tick(`${loaded[i].file} (failed)`);
        continue;
      }
      report.inverted.push(loaded[i].file);
      progress.tick(loaded[i].file);
    }
  }
  progress.finish();
  report.msPerImage = report.inverted.length ? totalMs / report.inverted.length : 0;
  return report;
}

async function writeResults(
  result: CodedInversionResult,
  i: number,
  [finalPath, phaseOnePath, latentPath]: string[],
  options: {
    source: string;
    identity: { name: string; id: string };
    saveDeltaWeights: boolean;
    passes: number;
  },
): Promise<void> {
  const imageShape = [...result.finalImages.shape];
  await writePng(finalPath, result.finalImages.data, imageShape, i);
  await writePng(phaseOnePath, result.phaseOneImages.data, imageShape, i);
  const [, rows, width] = result.wCodes.shape;
  const ws = {
    data: result.wCodes.data.slice(i * rows * width, (i + 1) * rows * width),
    shape: [rows, width],
  };
  const codes = new Map<string, { data: Float32Array; shape: number[] }>();
  for (const [key, code] of result.codes ?? []) {
    const size = code.length / result.wCodes.shape[0]; // [B, P, D] → one image's [P, D]
    codes.set(key, {
      data: code.slice(i * size, (i + 1) * size),
      shape: [options.passes, size / options.passes],
    });
  }
  const residuals = new Map<string, { data: Float32Array; shape: number[] }>();
  if (options.saveDeltaWeights || !result.codes) {
    for (const [name, delta] of result.residuals) {
      const shape = delta.shape.slice(1);
      const size = shape.reduce((a, b) => a * b, 1);
      residuals.set(name, { data: delta.data.slice(i * size, (i + 1) * size), shape });
    }
  }
  await writeInversionFile(latentPath, {
    ws,
    codes,
    residuals,
    model: options.identity.id,
    modelName: options.identity.name,
    source: options.source,
    whyDeltaWeights: result.codes ? undefined : result.whyNotAffine ?? undefined,
  }, { overwrite: true });
}

/**
 * The command: checks the command line, the device and the outputs, then loads the model, inverts, prints a
 * summary.
 *
 * @param args command-line arguments
 * @returns the exit status (0 ok, 1 some inputs failed, 2 bad usage or nothing done)
 */
export function main(args: readonly string[]): Promise<number> {
  return runCommand(INVERT_COMMAND, args, async (values, [input]) => {
    const { out, force, align: alignFirst } = values;
    let files: string[];
    try {
      files = await listImageFiles(input);
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
    if (!files.length) throw new UsageError(`No image files in "${input}"`);
    checkDevice(values.device);
    const shard = values.shard === undefined ? null : parseShard(values.shard);
    if (values.slurm) return await submitShards(values, input);
    if (values.shards !== undefined) {
      throw new UsageError("--shards goes with --slurm (one task: --shard i/n)");
    }
    await prepareOutputFolder(out);
    // Names are planned over the whole folder, so that every shard gives each image the same name.
    const plan = await planOutputNames(files, out, [
      ...OUTPUT_SUFFIXES,
      ...(alignFirst ? ALIGN_SUFFIXES : []),
    ]);
    const names = shard ? shardOf(plan.names, shard.index, shard.count) : plan.names;
    if (shard && !names.length) {
      console.log(`shard ${values.shard} of ${files.length} image(s) is empty: nothing to invert`);
      return EXIT_OK;
    }
    const jobs: InvertJob[] = [];
    const unnamed: InvertReport["failed"] = [];
    const conflicts: string[] = [];
    let done = 0;
    for (const { file, base, reason } of names) {
      if (base === null) {
        unnamed.push({ file, reason: `Not inverted: ${reason}` });
        continue;
      }
      const outputs = outputsOf(out, base, alignFirst);
      const existing = [];
      for (const path of outputs) if (await pathExists(path)) existing.push(path);
      if (values["skip-done"] && existing.length === outputs.length) {
        done++;
        continue;
      }
      jobs.push({ file, base });
      // --skip-done: a partly written image is an interrupted run's, replaced.
      if (!force && !values["skip-done"]) conflicts.push(...existing);
    }
    if (conflicts.length) {
      throw new UsageError(
        `${conflicts.length} output file(s) exist; pass --force to overwrite:\n  ${conflicts.join("\n  ")}`,
      );
    }
    if (!jobs.length && done && !unnamed.length) {
      console.log(`all ${done} image(s) already inverted in ${out}`);
      return EXIT_OK;
    }
    if (!jobs.length) throw new UsageError(`Nothing to invert: ${unnamed.map((u) => u.reason).join("; ")}`);
    let model: HyperInverter;
    try {
      model = await loadHyperInverter(values.model, {
        device: values.device,
        lowMemory: values["low-memory"],
        precision: values.precision as "float32" | "int8",
        allowPlugins: values["allow-plugins"],
      });
    } catch (error) {
      throw new Error(`Cannot load model "${values.model}": ${(error as Error).message}`);
    }
    let align: FaceDetector | undefined;
    try {
      if (alignFirst) align = await FaceDetector.load();
    } catch (error) {
      throw new Error(`Cannot load the face models for --align: ${(error as Error).message}`);
    }
    const report = await invertFiles(model, jobs, {
      out,
      batch: values.batch,
      align,
      model: values.model,
      saveDeltaWeights: values["save-delta-weights"],
    });
    report.failed.unshift(...unnamed);
    console.log(
      `inverted ${report.inverted.length}/${names.length - done} image(s)${
        shard ? ` of shard ${values.shard}` : ""
      }${done ? ` (${done} already done)` : ""} into ${out} on ${report.provider || "-"}, ` +
        `${report.msPerImage.toFixed(0)} ms/image`,
    );
    for (const failure of report.failed) console.log(`failed: ${failure.file}: ${failure.reason}`);
    return report.failed.length === 0 ? EXIT_OK : report.inverted.length ? EXIT_SOME_FAILED : EXIT_USAGE;
  });
}

/** `--slurm`: the shards as one array job, each task this command on its shard. */
async function submitShards(
  values: {
    model: string;
    out: string;
    batch: number;
    device: string;
    shards?: number;
    shard?: string;
    force: boolean;
    align: boolean;
    "low-memory": boolean;
    precision: string;
    "allow-plugins": boolean;
    "save-delta-weights": boolean;
    partition?: string;
    gres?: string;
    time?: string;
    "sbatch-arg"?: string;
  },
  input: string,
): Promise<number> {
  if (values.shards === undefined) {
    throw new UsageError("--slurm needs --shards N (the number of array tasks)");
  }
  if (values.shard !== undefined) throw new UsageError("--slurm submits every shard; leave out --shard");
  const absolute = (path: string) => path.startsWith("/") ? path : `${Deno.cwd()}/${path}`;
  const out = absolute(values.out);
  await prepareOutputFolder(out);
  await Deno.mkdir(`${out}/slurm`, { recursive: true });
  const switches = (["force", "align", "low-memory", "allow-plugins", "save-delta-weights"] as const)
    .filter((name) => values[name]).map((name) => `--${name}`);
  const script = batchScript({
    jobName: "invert",
    output: `${out}/slurm/%A_%a.out`,
    workdir: Deno.cwd(),
    array: `1-${values.shards}`,
    resources: slurmResources(values),
    command: [
      Deno.execPath(),
      "run",
      "-A",
      new URL(import.meta.url).pathname,
      absolute(input),
      "--model",
      values.model.startsWith("reference:") ? values.model : absolute(values.model),
      "--out",
      out,
      "--batch",
      String(values.batch),
      "--device",
      values.device,
      "--precision",
      values.precision,
      ...switches,
      "--skip-done",
      "--shard",
      raw(`"$SLURM_ARRAY_TASK_ID/${values.shards}"`),
    ],
  });
  const jobId = await submitBatch(script);
  await Deno.writeTextFile(`${out}/slurm/${jobId}.sbatch`, script);
  console.log(`submitted ${values.shards} shard(s) as Slurm array job ${jobId}; logs in ${out}/slurm/`);
  return EXIT_OK;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
