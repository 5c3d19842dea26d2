/**
 * `deno task demo [--model data/models/default/model.json] [--samples DIR] [--out demo.png] [--edit γ] [--device auto]
 * [--force] [--allow-plugins]`
 *
 * Inverts the sample images with phase I and phase II, writes a contact sheet (input | phase I | phase II | an
 * edit that moves w along the model's most reliable learned attribute direction — `footwear` for the default model, see
 * `deno task learn-directions` — or, for a model without learned directions, the first principal direction of
 * sampled w codes, and reuses the predicted ΔW), and prints
 * the edit's strength and its measured effect. Without `--edit`, γ is the smallest of 1, 2, 3, 4, 5, 6, 8, 10 at
 * which the held-out `mlp` classifier (`<model folder>/attributes/mlp.safetensors`, which did not learn the
 * direction) measures a mean change of at least 1 logit of the attribute's log-odds (else 3, or 10 when even
 * that falls short, said so); with `--edit γ`, that γ and its measured change.
 * L2, PSNR and MS-SSIM of each phase against the inputs (on images in [0, 1]), ms/image and the provider.
 * The samples default to `<model folder>/samples`. The command line, `--device`, the samples and `--out` are checked
 * before the model loads; an existing `--out` is refused unless `--force`; without `--out`, the sheet goes to the first
 * free name of `demo.png`, `demo-2.png`, `demo-3.png`… (nothing is replaced). Exit status: 0 done, 2 bad usage or
 * nothing done.
 *
 * @module
 */

import { readImage, writePng } from "../io/image.ts";
import { loadHyperInverter } from "../model/load.ts";
import type { HyperInverter } from "../model/hyperinverter.ts";
import { imageMetrics, type PhaseMetrics } from "../losses/image_metrics.ts";
import { principalComponents } from "../editing/pca.ts";
import { sampleW } from "../editing/sample_latents.ts";
import { readDirections } from "../editing/direction_file.ts";
import { LEARNED_DIRECTIONS_FILE } from "../editing/load_direction.ts";
import { AttributeModel } from "../editing/attribute_model.ts";
import { attributeScores, fashionAttribute } from "../editing/fashion_attributes.ts";
import { chooseEditStrength } from "../editing/edit_strength.ts";
import { interfaceGanEdit } from "../editing/directions.ts";
import { numWs } from "../generator/config.ts";
import { checkOutputFile } from "../io/output_check.ts";
import { pathExists } from "../io/atomic_write.ts";
import { runCommand, UsageError } from "../io/command_line.ts";
import { DEVICE_NAMES } from "../runtime/devices.ts";
import { checkDevice } from "./_device.ts";
import { ALLOW_PLUGINS_FLAG } from "./_model_flags.ts";

/** The command line of `demo`. */
export const DEMO_COMMAND = {
  name: "demo",
  usage: "deno task demo [options]",
  description:
    "Inverts a model's sample images and writes a contact sheet: input | phase I | phase II | edit.",
  flags: {
    model: {
      type: "string",
      default: "data/models/default/model.json",
      valueName: "MODEL",
      description: "model.json",
    },
    samples: {
      type: "string",
      valueName: "DIR",
      description: "sample images (default <model folder>/samples)",
    },
    out: {
      type: "string",
      valueName: "FILE",
      description: "the contact sheet (PNG); default demo.png, or demo-2.png, demo-3.png… when that exists",
    },
    edit: {
      type: "number",
      min: -10,
      max: 10,
      valueName: "γ",
      description:
        "step along the edit direction (default: the smallest measured to change the attribute by ≥ 1 logit)",
    },
    device: { type: "string", choices: DEVICE_NAMES, default: "auto", description: "where the model runs" },
    force: { type: "boolean", description: "replace an existing --out" },
    "allow-plugins": ALLOW_PLUGINS_FLAG,
  },
} as const;

/**
 * The first principal direction of the model's W distribution (power iteration over sampled w), scaled by its
 * standard deviation; null when the model has no mapping network weights.
 */
async function principalDirection(model: HyperInverter, samples = 1024): Promise<Float32Array | null> {
  let firstRows: Float32Array; // [N, wDim]
  try {
    firstRows = await sampleW(model, samples, { seed: 0xde30, batch: samples });
  } catch (error) {
    if (error instanceof TypeError) return null; // parameterFeeds: no mapping network weights
    throw error;
  }
  const { comp, std } = principalComponents(firstRows, model.architecture.generator.wDim, 1);
  return comp.map((v) => v * std[0]);
}

/** The Fashion-MNIST attribute of a learned direction's name, or null for a name that is not one. */
function attributeOrNull(name: string) {
  try {
    return fashionAttribute(name);
  } catch {
    return null;
  }
}

/**
 * The first name of `<stem><extension>`, `<stem>-2<extension>`, `<stem>-3<extension>`… that does not exist: the
 * demo's default output, so that rerunning it never replaces a file.
 *
 * @param stem path without the extension
 * @param extension e.g. ".png"
 * @returns the free path
 */
export async function firstFreeName(stem: string, extension: string): Promise<string> {
  for (let n = 1;; n++) {
    const name = `${stem}${n === 1 ? "" : `-${n}`}${extension}`;
    if (!(await pathExists(name))) return name;
  }
}

/**
 * The demo.
 *
 * @param args command-line arguments
 * @returns exit status (0 done, 2 bad usage or failed)
 */
export function main(args: readonly string[]): Promise<number> {
  return runCommand(DEMO_COMMAND, args, async (values) => {
    const { model: modelPath, edit: gamma } = values;
    // An explicit --out is the user's choice (refused when it exists, unless --force); the default never
    // replaces anything: the first free name of demo.png, demo-2.png, … (so the README's command can be rerun).
    const out = values.out ?? await firstFreeName("demo", ".png");
    const folder = modelPath.slice(0, Math.max(0, modelPath.lastIndexOf("/"))) || ".";
    const samplesDirectory = values.samples ?? `${folder}/samples`;
    checkDevice(values.device);
    await checkOutputFile(out, { force: values.force });
    let files: string[];
    try {
      files = [...Deno.readDirSync(samplesDirectory)].filter((e) =>
        e.isFile && /\.(png|jpe?g|webp)$/i.test(e.name)
      ).map((e) => `${samplesDirectory}/${e.name}`).sort();
    } catch (error) {
      throw new UsageError(
        `Cannot read the samples folder "${samplesDirectory}": ${(error as Error).message}`,
      );
    }
    if (!files.length) throw new UsageError(`No sample images in "${samplesDirectory}"`);
    const model = await loadHyperInverter(modelPath, {
      device: values.device,
      allowPlugins: values["allow-plugins"],
    });
    const size = model.resolution;
    const perImage = 3 * size * size;
    const inputs = new Float32Array(files.length * perImage);
    for (const [i, file] of files.entries()) inputs.set((await readImage(file, size)).data, i * perImage);
    const result = await model.invert(inputs, files.length);
    const shape = [files.length, 3, size, size];
    const phaseOne = await imageMetrics(result.phaseOneImages.data, inputs, shape);
    const phaseTwo = await imageMetrics(result.finalImages.data, inputs, shape);
    const learned = await readDirections(`${folder}/${LEARNED_DIRECTIONS_FILE}`).catch(() => null);
    // The most reliable learned direction: the highest held-out boundary accuracy.
    const accuracy = (about: Record<string, unknown>) => Number(about.validationAccuracy ?? 0);
    const [learnedName, learnedDirection] = learned?.size
      ? [...learned].sort(([, a], [, b]) => accuracy(b.about) - accuracy(a.about))[0]
      : [null, null];
    const direction = learnedDirection?.direction ?? await principalDirection(model);
    const editLabel = learnedName
      ? `the learned "${learnedName}" direction (unit normal)`
      : "the first principal direction of W (scaled by its std)";
    let edited: Float32Array | null = null;
    let editNote = "";
    if (direction) {
      const measurePath = `${folder}/attributes/mlp.safetensors`;
      const attribute = learnedName ? attributeOrNull(learnedName) : null;
      const measure = attribute && await pathExists(measurePath)
        ? await AttributeModel.load(measurePath)
        : null;
      const score = measure && attribute
        ? async (images: Float32Array, batch: number) =>
          attributeScores((await measure.predict(images, batch)).logits, measure.input.classes, attribute)
        : null;
      if (score) {
        const found = await chooseEditStrength(model, result, files.length, direction, score, {
          ladder: gamma === undefined ? undefined : [gamma],
        });
        edited = found.images;
        const sign = found.change >= 0 ? "+" : "";
        editNote =
          ` | edit γ = ${found.gamma} along ${editLabel}: ${sign}${found.change.toFixed(2)} logit of ` +
          `"${learnedName}" (held-out mlp classifier${
            gamma === undefined && !found.reached ? "; no γ ≤ 10 reached 1 logit" : ""
          })`;
      } else {
        const strength = gamma ?? 3;
        const ws = interfaceGanEdit(
          result.wCodes.data,
          numWs(model.architecture.generator),
          direction,
          strength,
        );
        edited = (await model.synthesize(ws, result.residuals, files.length)).data;
        editNote = ` | edit γ = ${strength} along ${editLabel} (no classifier to measure it)`;
      }
    }
    // Contact sheet: one row per sample, columns input | phase I | phase II | edit.
    const columns = [
      inputs,
      result.phaseOneImages.data,
      result.finalImages.data,
      ...(edited ? [edited] : []),
    ];
    const width = size * columns.length, height = size * files.length;
    const sheet = new Float32Array(3 * width * height);
    columns.forEach((images, column) => {
      for (let b = 0; b < files.length; b++) {
        for (let c = 0; c < 3; c++) {
          for (let y = 0; y < size; y++) {
            const from = ((b * 3 + c) * size + y) * size;
            sheet.set(
              images.subarray(from, from + size),
              (c * height + b * size + y) * width + column * size,
            );
          }
        }
      }
    });
    await writePng(out, sheet, [1, 3, height, width]);
    const row = (name: string, m: PhaseMetrics) =>
      `| ${name} | ${m.l2.toFixed(4)} | ${m.psnr.toFixed(2)} | ${m.msSsim.toFixed(4)} |`;
    console.log(`| phase | L2 | PSNR (dB) | ${phaseOne.msSsimLabel} |\n|---|---|---|---|`);
    console.log(row("I (w only)", phaseOne));
    console.log(row("II (w + ΔW)", phaseTwo));
    console.log(
      `${files.length} image(s) of ${size}² in ${result.milliseconds.toFixed(0)} ms ` +
        `(${
          (result.milliseconds / files.length).toFixed(0)
        } ms/image) on ${result.provider}; contact sheet ${out} ` +
        `(input | phase I | phase II${editNote})`,
    );
    return 0;
  });
}

if (import.meta.main) Deno.exit(await main(Deno.args));
