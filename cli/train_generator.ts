/**
 * `deno task train-generator [--config train/configs/generator_fmnist32.json] [--run runs/generator-fmnist32]
 * [--steps N]`: trains the project's own StyleGAN2 generator on Fashion-MNIST (padded to 32², grey replicated to
 * RGB; Debian package `dataset-fashion-mnist`), resuming from the run folder's last checkpoint when there is one.
 * Shows progress, logs losses to `<run>/log.jsonl`, checkpoints every `checkpointEvery` steps. Exit status 0
 * trained, 2 bad usage or nothing done.
 *
 * @module
 */

import { readTrainingConfig } from "../train/config_file.ts";
import { type GeneratorTrainingConfig, trainGenerator } from "../train/generator_trainer.ts";
import { loadFashionMnist, toTensorBatch } from "../train/data/fashion_mnist.ts";
import { EXIT_OK, runCommand } from "../io/command_line.ts";
import { prepareOutputFolder } from "../io/output_check.ts";
import { ProgressBar } from "./_progress.ts";

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

const SPEC = {
  name: "train-generator",
  usage: "deno task train-generator [--config F] [--run DIR] [--steps N]",
  description: "Trains our StyleGAN2 on Fashion-MNIST 32², resuming from the run folder's last checkpoint.",
  flags: {
    config: {
      type: "string",
      valueName: "F",
      default: new URL("../train/configs/generator_fmnist32.json", import.meta.url).pathname,
      description: "training config (JSON)",
    },
    run: { type: "string", valueName: "DIR", default: "runs/generator-fmnist32", description: "run folder" },
    steps: {
      type: "integer",
      min: 1,
      max: 10_000_000,
      description: "train up to this step (default: the config's steps)",
    },
  },
} as const;

/**
 * The command.
 *
 * @param args command-line arguments
 * @returns exit status (0 trained, 2 bad usage or nothing done)
 */
export function main(args: readonly string[]): Promise<number> {
  return runCommand(SPEC, args, async (flags) => {
    const config = await readTrainingConfig(flags.config, DEFAULTS);
    const steps = flags.steps ?? config.steps;
    await prepareOutputFolder(flags.run);
    const { train } = await loadFashionMnist({ padTo: config.generator.resolution });
    let progress: ProgressBar | undefined;
    let last = performance.now();
    const report = await trainGenerator({ ...config, steps } as GeneratorTrainingConfig, {
      count: train.count,
      batch: (indices) => toTensorBatch(train, indices, { channels: 3 }),
    }, {
      directory: flags.run,
      onStart(step) {
        // A resumed run counts from its checkpoint's step (46/60, not 1/60).
        progress = new ProgressBar(steps, "train G", { start: step });
        if (step > 0) console.log(`resuming from step ${step}`);
        last = performance.now();
      },
      onStep(step, losses) {
        const now = performance.now();
        progress!.tick(
          `step ${step} G ${losses.g.toFixed(3)} D ${losses.d.toFixed(3)} ${(now - last).toFixed(0)} ms/step`,
        );
        last = now;
      },
    });
    progress?.finish();
    console.log(`trained to step ${report.step}; checkpoints and log.jsonl in ${flags.run}`);
    return EXIT_OK;
  });
}

if (import.meta.main) Deno.exit(await main(Deno.args));
