/**
 * `deno task generator-quality [--model data/models/default/model.json] [--count 10000] [--seed 1] [--data SPEC]
 * [--classifier FILE] [--generator RUN] [--samples FILE.png [--force]] [--json] [--device cpu]`
 *
 * Measures a model's generator (issue 19's quality measure, `experiments/generator_quality.ts`): the Fréchet
 * distance of the Fashion-MNIST classifier's hidden features between `--count` generated images G(mapping(z))
 * and the first `--count` held-out test images (the FID formula with our classifier standing in for
 * Inception-v3: not an FID), and the mean per-pixel channel spread of both sets on [0, 1]. Prints one line per
 * measure, or one JSON object with `--json`. `--samples` also writes the first 32 generated images as an 8 × 4 grid
 * (no truncation, the measured ones; refused when the file exists, unless `--force`). Exit status 0 measured, 2
 * bad usage.
 *
 * @module
 */

import { EXIT_OK, runCommand, UsageError } from "../io/command_line.ts";
import { checkInputFile, checkOutputFile } from "../io/output_check.ts";
import { DEVICE_NAMES } from "../runtime/devices.ts";
import { checkDevice } from "./_device.ts";
import { loadHyperInverter } from "../model/load.ts";
import { AttributeModel } from "../editing/attribute_model.ts";
import { modelClassifierPath } from "../editing/classifier_features.ts";
import { resolveDataSource } from "../train/data/source.ts";
import {
  hyperInverterSamples,
  measureGeneratorQuality,
  withGeneratorRun,
} from "../experiments/generator_quality.ts";
import { ProgressBar } from "./_progress.ts";
import { imageGrid } from "../io/image_grid.ts";
import { writePng } from "../io/image.ts";
import type { ImageGenerator } from "../experiments/generator_quality.ts";

/** The first 32 generated images as 4 rows of 8, written as one PNG. */
async function writeSampleGrid(path: string, generate: ImageGenerator, size: number): Promise<void> {
  const [columns, rows] = [8, 4];
  const images = await generate(0, columns * rows); // [32, 3, R, R]
  const tile = 3 * size * size;
  const tiles = Array.from(
    { length: rows },
    (_, r) =>
      Array.from(
        { length: columns },
        (_, c) => images.subarray((r * columns + c) * tile, (r * columns + c + 1) * tile),
      ),
  );
  const grid = imageGrid(tiles, size);
  await writePng(path, grid.data, grid.shape);
}

const SPEC = {
  name: "generator-quality",
  usage:
    "deno task generator-quality [--model M] [--count 10000] [--seed 1] [--data SPEC] [--classifier FILE] " +
    "[--generator RUN] [--batch 250] [--samples FILE] [--force] [--json] [--device cpu]",
  description: "Fréchet feature distance (our classifier, not Inception) and channel spread of a generator.",
  flags: {
    model: {
      type: "string",
      valueName: "M",
      default: "data/models/default/model.json",
      description: "model.json whose generator is measured",
    },
    count: { type: "integer", min: 2, max: 100_000, default: 10_000, description: "images on each side" },
    seed: { type: "integer", min: 0, default: 1, description: "seed of the generated z sequence" },
    data: {
      type: "string",
      valueName: "SPEC",
      default: "fashion-mnist",
      description: "held-out images: the test split of this data source",
    },
    generator: {
      type: "string",
      valueName: "RUN",
      description: "measure this train-generator run's newest EMA generator instead of the model's",
    },
    classifier: {
      type: "string",
      valueName: "FILE",
      description: "feature network (default: <model folder>/attributes/conv.safetensors)",
    },
    batch: { type: "integer", min: 1, max: 4096, default: 250, description: "images per run" },
    samples: {
      type: "string",
      valueName: "FILE",
      description: "also write the first 32 generated images as an 8 × 4 PNG grid",
    },
    force: { type: "boolean", description: "overwrite the --samples file" },
    json: { type: "boolean", description: "print one JSON object" },
    device: { type: "string", choices: DEVICE_NAMES, default: "cpu", description: "where to run" },
  },
} as const;

/**
 * The command.
 *
 * @param args command-line arguments
 * @returns exit status (0 measured, 2 bad usage)
 */
export function main(args: readonly string[]): Promise<number> {
  return runCommand(SPEC, args, async (flags) => {
    const classifierPath = flags.classifier ?? modelClassifierPath(flags.model);
    checkDevice(flags.device);
    await checkInputFile(flags.model, "model");
    await checkInputFile(
      classifierPath,
      "classifier (run deno task learn-directions first, or pass --classifier)",
    );
    if (flags.samples) await checkOutputFile(flags.samples, { force: flags.force });
    const source = await resolveDataSource(flags.data, { base: `${Deno.cwd()}/` });
    const loaded = await loadHyperInverter(flags.model, { device: flags.device });
    const fromRun = flags.generator ? await withGeneratorRun(loaded, flags.generator) : null;
    const model = fromRun?.model ?? loaded;
    const { test } = await source.open({ resolution: model.resolution, channels: 3 });
    if (test.count < flags.count) {
      throw new UsageError(
        `--count ${flags.count} is more than the ${test.count} held-out images of ${source.name}`,
      );
    }
    const classifier = await AttributeModel.load(classifierPath);
    const bar = flags.json ? null : new ProgressBar(2 * flags.count, "generator quality");
    let reported = 0;
    const started = performance.now();
    const generate = hyperInverterSamples(model, flags.seed);
    if (flags.samples) await writeSampleGrid(flags.samples, generate, model.resolution);
    const quality = await measureGeneratorQuality(generate, test, classifier, {
      count: flags.count,
      batch: flags.batch,
      onProgress: (done) => {
        bar?.tick(done <= flags.count ? "generated" : "held-out", done - reported);
        reported = done;
      },
    });
    bar?.finish();
    const report = {
      model: flags.model,
      ...(fromRun ? { generator: `${flags.generator} step ${fromRun.step} (EMA)` } : {}),
      classifier: classifierPath,
      data: `${source.name} (test split, first ${flags.count})`,
      seed: flags.seed,
      ...quality,
      seconds: Math.round((performance.now() - started) / 100) / 10,
    };
    if (flags.json) {
      console.log(JSON.stringify(report));
    } else {
      console.log(
        `Fréchet feature distance ${quality.frechetFeatureDistance.toFixed(3)} ` +
          `(${quality.featureSize} hidden features of ${classifierPath}; not an FID)\n` +
          `channel spread on [0, 1]: generated ${quality.channelSpreadGenerated.toFixed(4)}, ` +
          `held-out ${quality.channelSpreadReference.toFixed(4)}\n` +
          `${flags.count} + ${flags.count} images in ${report.seconds} s`,
      );
    }
    return EXIT_OK;
  });
}

if (import.meta.main) Deno.exit(await main(Deno.args));
