/**
 * `deno task evaluate [--model data/models/default/model.json] [--images 10000] [--batch 50] [--data SPEC]
 * [--classifier FILE] [--json] [--out FILE] [--force] [--device cpu] [--precision int8]`
 *
 * Measures a model on the first `--images` held-out test images of `--data` (the numbers of a model card,
 * issue 19): L2 and PSNR on [0, 1] images, MS-SSIM, the feature identity (cosine similarity of a classifier's
 * hidden features of input and reconstruction) and ms/image, for the phase-I images G(E1(x)) and for the final
 * phase-II images, both from one pass (`experiments/evaluate.ts` evaluatePhases). Prints a Markdown table, or one
 * JSON object with `--json`; `--out FILE` also writes that object (atomically; an existing file only with
 * `--force`). Exit status 0 measured, 2 bad usage.
 *
 * @module
 */

import { EXIT_OK, runCommand, UsageError } from "../io/command_line.ts";
import { pathExists, writeFileAtomic } from "../io/atomic_write.ts";
import { checkInputFile, checkOutputFile } from "../io/output_check.ts";
import { DEVICE_NAMES } from "../runtime/devices.ts";
import { checkDevice } from "./_device.ts";
import { loadHyperInverter } from "../model/load.ts";
import { AttributeModel } from "../editing/attribute_model.ts";
import { modelClassifierPath } from "../editing/classifier_features.ts";
import { resolveDataSource } from "../train/data/source.ts";
import { evaluatePhases, type Evaluation, type FeatureFunction } from "../experiments/evaluate.ts";
import { formatMetric } from "../experiments/suite_tables.ts";
import { toMarkdown } from "../experiments/table_export.ts";
import { ProgressBar } from "./_progress.ts";

const SPEC = {
  name: "evaluate",
  usage: "deno task evaluate [--model M] [--images 10000] [--batch 50] [--data SPEC] [--classifier FILE] " +
    "[--json] [--out FILE] [--force] [--device cpu] [--precision int8]",
  description:
    "Phase-I and phase-II L2, PSNR, MS-SSIM, feature identity and ms/image on held-out test images.",
  flags: {
    model: {
      type: "string",
      valueName: "M",
      default: "data/models/default/model.json",
      description: "model.json of the model measured",
    },
    images: {
      type: "integer",
      min: 1,
      max: 1_000_000,
      default: 10_000,
      description: "the first N test images (a multiple of --batch when more than it)",
    },
    batch: { type: "integer", min: 1, max: 4096, default: 50, description: "images per inversion call" },
    data: {
      type: "string",
      valueName: "SPEC",
      default: "fashion-mnist",
      description: "held-out images: the test split of this data source",
    },
    classifier: {
      type: "string",
      valueName: "FILE",
      description: "feature network of the feature identity (default: <model folder>/attributes/" +
        "conv.safetensors when it exists, else none)",
    },
    json: { type: "boolean", description: "print one JSON object instead of the table" },
    out: { type: "string", valueName: "FILE", description: "also write the JSON object to FILE" },
    force: { type: "boolean", description: "replace an existing --out file" },
    device: { type: "string", choices: DEVICE_NAMES, default: "cpu", description: "where to run" },
    precision: {
      type: "string",
      choices: ["float32", "int8"],
      default: "float32",
      description:
        "int8: the encoders' convolutions in 8 bits (measures what the int8 mode costs in quality)",
    },
  },
} as const;

/** One phase's numbers as the report holds them. */
function phaseReport(evaluation: Evaluation) {
  return {
    l2: evaluation.l2,
    psnr: evaluation.psnr,
    msSsim: evaluation.msSsim,
    featureIdentity: evaluation.featureIdentity,
    msPerImage: evaluation.msPerImage,
  };
}

/**
 * The command.
 *
 * @param args command-line arguments
 * @returns exit status (0 measured, 2 bad usage)
 */
export function main(args: readonly string[]): Promise<number> {
  return runCommand(SPEC, args, async (flags) => {
    const defaultClassifier = modelClassifierPath(flags.model);
    const batch = Math.min(flags.batch, flags.images);
    if (flags.images % batch !== 0) {
      // evaluatePhases measures whole batches only: the rest would be dropped without a word.
      throw new UsageError(`--images ${flags.images} is not a multiple of --batch ${batch}`);
    }
    checkDevice(flags.device);
    await checkInputFile(flags.model, "model");
    if (flags.classifier !== undefined) await checkInputFile(flags.classifier, "classifier");
    const classifierPath = flags.classifier ??
      (await pathExists(defaultClassifier) ? defaultClassifier : null);
    if (flags.out !== undefined) await checkOutputFile(flags.out, { force: flags.force });

    const source = await resolveDataSource(flags.data, { base: `${Deno.cwd()}/` });
    const model = await loadHyperInverter(flags.model, {
      device: flags.device,
      precision: flags.precision as "float32" | "int8",
    });
    const { test } = await source.open({
      resolution: model.resolution,
      channels: 3,
      onWarning: (message) => console.warn(`warning: ${message}`),
    });
    if (test.count < flags.images) {
      throw new UsageError(
        `--images ${flags.images} is more than the ${test.count} held-out images of ${source.name}`,
      );
    }
    let features: FeatureFunction | undefined;
    if (classifierPath !== null) {
      const classifier = await AttributeModel.load(classifierPath);
      const { channels, size } = classifier.input;
      if (channels !== 3 || size !== model.resolution) {
        throw new UsageError(
          `The classifier "${classifierPath}" takes ${channels}×${size}×${size} images, the model makes ` +
            `3×${model.resolution}×${model.resolution}`,
        );
      }
      features = async (images, count) => (await classifier.predict(images, count)).features;
    }

    const bar = flags.json ? null : new ProgressBar(flags.images, "evaluate");
    let reported = 0;
    // One pass: each inversion gives the phase-I and the final images.
    const { phaseOne, phaseTwo } = await evaluatePhases(model, test, {
      images: flags.images,
      batch,
      features,
      onBatch: (done) => {
        bar?.tick("phase I and II", done - reported);
        reported = done;
      },
    });
    bar?.finish();

    const report = {
      model: flags.model,
      data: `${source.name} (test split)`,
      images: phaseTwo.images,
      classifier: classifierPath,
      msSsimLabel: phaseTwo.msSsimLabel,
      provider: phaseTwo.provider,
      phaseOne: phaseReport(phaseOne),
      phaseTwo: { ...phaseReport(phaseTwo), deltaW: phaseTwo.deltaW },
      measuredAt: new Date().toISOString(),
    };
    if (flags.out !== undefined) await writeFileAtomic(flags.out, JSON.stringify(report, null, 2) + "\n");
    if (flags.json) {
      console.log(JSON.stringify(report));
      return EXIT_OK;
    }
    const row = (name: string, e: Evaluation) => [
      name,
      formatMetric(e.l2, 5),
      formatMetric(e.psnr, 2),
      formatMetric(e.msSsim, 4),
      formatMetric(e.featureIdentity, 4),
      formatMetric(e.msPerImage, 1),
    ];
    console.log(
      `${flags.model}: the first ${report.images} test images of ${source.name}, provider ${report.provider}\n` +
        `feature identity: ${classifierPath ?? "none (no classifier)"}\n\n` +
        toMarkdown({
          columns: [
            { title: "", align: "left" },
            { title: "L2 ([0,1])" },
            { title: "PSNR (dB)" },
            { title: report.msSsimLabel },
            { title: "feature identity" },
            { title: "ms/image" },
          ],
          rows: [row("phase I", phaseOne), row("phase II", phaseTwo)],
        }).trimEnd() + (flags.out !== undefined ? `\n\nwritten to ${flags.out}` : ""),
    );
    return EXIT_OK;
  });
}

if (import.meta.main) Deno.exit(await main(Deno.args));
