/**
 * `deno task train-generator [--config train/configs/generator_fmnist32.json] [--run runs/generator-fmnist32]
 * [--steps N]`: trains the project's own StyleGAN2 generator on Fashion-MNIST (padded to 32², grey replicated to
 * RGB; Debian package `dataset-fashion-mnist`), resuming from the run folder's last checkpoint when there is one.
 * Shows progress, logs losses to `<run>/log.jsonl`, checkpoints every `checkpointEvery` steps.
 *
 * @module
 */

import { readTrainingConfig } from "../train/config_file.ts";
import { type GeneratorTrainingConfig, trainGenerator } from "../train/generator_trainer.ts";
import { loadFashionMnist, toTensorBatch } from "../train/data/fashion_mnist.ts";
import { ProgressBar } from "./_progress.ts";
import { option } from "./_args.ts";

const DEFAULTS = {
  generator: { resolution: 32, channelBase: 2048, channelMax: 128, mappingLayers: 4, zDim: 512, wDim: 512 },
  batch: 16,
  learningRate: 0.0025,
  r1Gamma: 0.1,
  r1Every: 16,
  emaHalfLifeImages: 5000,
  steps: 20000,
  checkpointEvery: 200,
  seed: 1,
};

if (import.meta.main) {
  const configPath = option(Deno.args, "config") ??
    new URL("../train/configs/generator_fmnist32.json", import.meta.url).pathname;
  const run = option(Deno.args, "run") ?? "runs/generator-fmnist32";
  const config = await readTrainingConfig(configPath, DEFAULTS);
  const steps = option(Deno.args, "steps") ? Number(option(Deno.args, "steps")) : config.steps;
  await Deno.mkdir(run, { recursive: true });
  const { train } = await loadFashionMnist({ padTo: config.generator.resolution });
  const progress = new ProgressBar(steps, "train G");
  let last = performance.now();
  const report = await trainGenerator({ ...config, steps } as GeneratorTrainingConfig, {
    count: train.count,
    batch: (indices) => toTensorBatch(train, indices, { channels: 3 }),
  }, {
    directory: run,
    onStep(step, losses) {
      const now = performance.now();
      progress.tick(
        `step ${step} G ${losses.g.toFixed(3)} D ${losses.d.toFixed(3)} ${(now - last).toFixed(0)} ms/step`,
      );
      last = now;
    },
  });
  progress.finish();
  console.log(`trained to step ${report.step}; checkpoints and log.jsonl in ${run}`);
}
