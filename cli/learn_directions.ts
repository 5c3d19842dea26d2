/**
 * `deno task learn-directions [--model data/models/default/model.json] [--out DIR] [--samples 10000] [--force]
 *  [--retrain-classifiers]`
 *
 * Learns InterFaceGAN directions for a Fashion-MNIST model, in three steps that each skip their work when its
 * file exists (so an interrupted run resumes):
 *
 * 1. trains two attribute classifiers on disjoint halves of the Fashion-MNIST training split (55 000 images):
 *    `conv` on the first half (it labels the samples) and `mlp` on the second (held out: it only measures edits,
 *    as the paper measures age with DEX rather than the model that labelled InterFaceGAN's samples), and
 *    reports their accuracy on the first 2 000 held-out test images → `<out>/attributes/{conv,mlp}.safetensors`;
 * 2. samples w, renders G(w) and labels each image with `conv`;
 * 3. for each attribute of `FASHION_MNIST_ATTRIBUTES`, fits the boundary between the top and bottom 10 % of
 *    samples (InterFaceGAN keeps the top and bottom 2 % of 500 000; the tails give a cleaner normal than the
 *    middle, which measured 2–4× weaker edits with 25 %) and stores its unit normal →
 *    `<out>/directions/interfacegan.safetensors`.
 *
 * `--force` learns the directions again; `--retrain-classifiers` also retrains the classifiers.
 *
 * `<out>` defaults to the model's folder. The flags, the model and the output folders are checked before anything
 * loads. Exit status 0 learned, 2 bad usage or nothing learned.
 *
 * @module
 */

import { pathExists } from "../io/atomic_write.ts";
import { loadHyperInverter } from "../model/load.ts";
import { loadFashionMnist, toTensorBatch } from "../train/data/fashion_mnist.ts";
import type { ImageSplit } from "../train/data/fashion_mnist.ts";
import { AttributeModel } from "../editing/attribute_model.ts";
import type { ClassifierKind } from "../editing/attribute_classifier.ts";
import { attributeScores, FASHION_MNIST_ATTRIBUTES } from "../editing/fashion_attributes.ts";
import { directionFromScores, labelSampledLatents } from "../editing/learn_direction.ts";
import { type StoredDirection, writeDirections } from "../editing/direction_file.ts";
import { EXIT_OK, runCommand } from "../io/command_line.ts";
import { checkInputFile, checkOutputFile, prepareOutputFolder } from "../io/output_check.ts";
import { DEVICE_NAMES } from "../runtime/devices.ts";
import { checkDevice } from "./_device.ts";
import { ProgressBar } from "./_progress.ts";

const SPEC = {
  name: "learn-directions",
  usage: "deno task learn-directions [--model M] [--out DIR] [--samples 10000] [--device cpu] [--force] " +
    "[--retrain-classifiers]",
  description:
    "Learns InterFaceGAN directions for a Fashion-MNIST model (classifiers, labelled samples, boundaries).",
  flags: {
    model: {
      type: "string",
      valueName: "M",
      default: "data/models/default/model.json",
      description: "model.json",
    },
    out: { type: "string", valueName: "DIR", description: "output folder (default: the model's folder)" },
    samples: {
      type: "integer",
      min: 100,
      max: 1_000_000,
      default: 10_000,
      description: "sampled w to label",
    },
    device: { type: "string", choices: DEVICE_NAMES, default: "cpu", description: "where to run the model" },
    force: { type: "boolean", description: "learn the directions again" },
    "retrain-classifiers": { type: "boolean", description: "also retrain the attribute classifiers" },
  },
} as const;

/** Top-1 accuracy of a classifier on the first `count` images of a split. */
export async function classifierAccuracy(
  model: AttributeModel,
  split: ImageSplit,
  count: number,
): Promise<number> {
  const n = Math.min(count, split.count);
  const images = toTensorBatch(split, Array.from({ length: n }, (_, i) => i), { channels: 3 });
  const { logits } = await model.predict(images, 100);
  const classes = model.input.classes;
  let correct = 0;
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let c = 1; c < classes; c++) if (logits[i * classes + c] > logits[i * classes + best]) best = c;
    if (best === split.labels[i]) correct++;
  }
  return correct / n;
}

/**
 * Trains (or loads) the classifier of one kind on its half of the training split.
 *
 * @param kind `conv` (first half) or `mlp` (second half)
 * @param path its safetensors file
 * @param options `steps`; `force` retrains even when the file exists
 * @returns the model
 */
export async function trainedClassifier(
  kind: ClassifierKind,
  path: string,
  options: { steps?: number; force?: boolean } = {},
): Promise<AttributeModel> {
  if (!options.force && await pathExists(path)) return await AttributeModel.load(path);
  const data = await loadFashionMnist();
  const half = Math.floor(data.train.count / 2);
  const offset = kind === "conv" ? 0 : half;
  const steps = options.steps ?? (kind === "conv" ? 1500 : 3000);
  const progress = new ProgressBar(steps, `classifier ${kind}`);
  const model = await AttributeModel.train(kind, {
    count: half,
    labels: data.train.labels.subarray(offset, offset + half),
    batch: (indices) => toTensorBatch(data.train, Array.from(indices, (i) => i + offset), { channels: 3 }),
  }, {
    steps,
    seed: kind === "conv" ? 11 : 12,
    onStep: (step, loss) => step % 100 === 0 && progress.tick(`loss ${loss.toFixed(3)}`, 100),
  });
  progress.finish();
  const accuracy = await classifierAccuracy(model, data.test, 2000);
  const trained = new AttributeModel(kind, model.weights, model.input, {
    ...model.metadata,
    trainedOn: `Fashion-MNIST training images ${offset}…${offset + half - 1}`,
    testAccuracy: accuracy.toFixed(4),
    testImages: "the first 2000 of the official test split",
  });
  await Deno.mkdir(path.slice(0, path.lastIndexOf("/")) || ".", { recursive: true });
  await trained.save(path, { overwrite: options.force });
  console.log(`classifier ${kind}: test accuracy ${(accuracy * 100).toFixed(1)} % → ${path}`);
  return trained;
}

/**
 * The command.
 *
 * @param args command-line arguments
 * @returns exit status (0 learned, 2 bad usage or nothing learned)
 */
export function main(args: readonly string[]): Promise<number> {
  return runCommand(SPEC, args, async (flags) => {
    const { model: modelPath, samples, force } = flags;
    const out = flags.out ?? (modelPath.slice(0, Math.max(0, modelPath.lastIndexOf("/"))) || ".");
    const retrain = flags["retrain-classifiers"];
    checkDevice(flags.device);
    await checkInputFile(modelPath, "model");
    const directionsPath = `${out}/directions/interfacegan.safetensors`;
    await prepareOutputFolder(`${out}/directions`);
    await prepareOutputFolder(`${out}/attributes`);
    await checkOutputFile(directionsPath, { force });
    const labeller = await trainedClassifier("conv", `${out}/attributes/conv.safetensors`, {
      force: retrain,
    });
    await trainedClassifier("mlp", `${out}/attributes/mlp.safetensors`, { force: retrain });
    const model = await loadHyperInverter(modelPath, { device: flags.device });
    const progress = new ProgressBar(samples, "label G(w) samples");
    let reported = 0;
    const labelled = await labelSampledLatents(model, labeller, {
      count: samples,
      onProgress: (done) => {
        progress.tick("", done - reported);
        reported = done;
      },
    });
    progress.finish();
    const directions = new Map<string, StoredDirection>();
    for (const attribute of FASHION_MNIST_ATTRIBUTES) {
      const scores = attributeScores(labelled.logits, labeller.input.classes, attribute);
      const learned = directionFromScores(labelled.ws, scores, { dim: labelled.dim, fraction: 0.1 });
      directions.set(attribute.name, {
        direction: learned.direction,
        about: {
          description: attribute.description,
          labelledBy: "conv classifier (attributes/conv.safetensors), log-odds of the class group",
          samples,
          keptPerSide: learned.keptPerSide,
          trainAccuracy: learned.trainAccuracy,
          validationAccuracy: learned.validationAccuracy,
          projectionStd: learned.projectionStd,
        },
      });
      console.log(
        `${attribute.name}: boundary accuracy ${
          (learned.validationAccuracy * 100).toFixed(1)
        } % (held-out 30 %), ` +
          `std of ⟨w, n⟩ ${learned.projectionStd.toFixed(3)}`,
      );
    }
    await writeDirections(directionsPath, directions, { overwrite: force });
    console.log(`→ ${directionsPath}`);
    return EXIT_OK;
  });
}

if (import.meta.main) Deno.exit(await main(Deno.args));
