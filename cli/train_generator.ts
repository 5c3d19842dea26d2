/**
 * `deno task train-generator [--config train/configs/generator_fmnist32.json] [--run runs/generator-fmnist32]
 * [--steps N] [--data DIR|NAME|MODULE#EXPORT]`: trains the project's own StyleGAN2 generator, at any power-of-two
 * resolution in 8..1024, RGB or grayscale (`generator.imgChannels`), on the config's `data` or `--data`: by default
 * Fashion-MNIST (padded to the resolution; Debian package `dataset-fashion-mnist`), or a folder of one's own images
 * (centre-cropped and resized as inference does), or a plug-in data source. Resumes from the run folder's last
 * checkpoint when there is one. The config is read over `GENERATOR_TRAINING_DEFAULTS` (the trainer's own defaults);
 * an unknown key is refused, naming the valid ones.
 * Shows progress, logs losses to `<run>/log.jsonl`, checkpoints every `checkpointEvery` steps. Exit status 0
 * trained, 2 bad usage or nothing done.
 *
 * @module
 */

import { trainUntilSigterm } from "./_stop_on_sigterm.ts";
import { readTrainingConfig } from "../train/config_file.ts";
import {
  checkGeneratorTrainingConfig,
  GENERATOR_TRAINING_DEFAULTS,
  type GeneratorTrainingConfig,
  trainGenerator,
} from "../train/generator_trainer.ts";
import { openTrainingData } from "../train/data/training_data.ts";
import { parseDataSpec } from "../train/data/source.ts";
import { checkDevice } from "./_device.ts";
import { runCommand } from "../io/command_line.ts";
import { prepareOutputFolder } from "../io/output_check.ts";
import { TrainingProgress } from "./_progress.ts";
import { TRAINER_FLAGS } from "./_trainer_flags.ts";

/** JSON config schema: the trainer's defaults, and `data` (null: Fashion-MNIST; see train/data/source.ts). */
const DEFAULTS = { ...GENERATOR_TRAINING_DEFAULTS, data: null as unknown };

const SPEC = {
  name: "train-generator",
  usage: "deno task train-generator [--config F] [--run DIR] [--steps N] [--data DIR|NAME|SPEC] [--device D]",
  description:
    "Trains our StyleGAN2 on Fashion-MNIST or your images, resuming from the run folder's last checkpoint.",
  flags: {
    config: {
      type: "string",
      valueName: "F",
      default: new URL("../train/configs/generator_fmnist32.json", import.meta.url).pathname,
      description: "training config (JSON)",
    },
    run: { type: "string", valueName: "DIR", default: "runs/generator-fmnist32", description: "run folder" },
    ...TRAINER_FLAGS,
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
    checkDevice(flags.device);
    const config = await readTrainingConfig(flags.config, DEFAULTS, {
      validate: (c) => {
        checkGeneratorTrainingConfig(c as GeneratorTrainingConfig);
        parseDataSpec(c.data);
      },
    });
    const steps = flags.steps ?? config.steps;
    await prepareOutputFolder(flags.run);
    const { source, splits: { train } } = await openTrainingData({
      flag: flags.data,
      config: config.data,
      configPath: flags.config,
      resolution: config.generator.resolution,
      channels: config.generator.imgChannels as 1 | 3,
    });
    console.log(`data: ${source.name} (${train.count} training images)`);
    const progress = new TrainingProgress(steps, "train G");
    const { data: _data, ...training } = config;
    const { report, status } = await trainUntilSigterm(
      () =>
        trainGenerator({ ...training, steps } as GeneratorTrainingConfig, train, {
          directory: flags.run,
          device: flags.device,
          onStart: progress.onStart,
          onStep(step, losses) {
            progress.step((perStep) =>
              `step ${step} G ${losses.g.toFixed(3)} D ${losses.d.toFixed(3)} ${perStep}`
            );
          },
        }),
      flags.run,
    );
    progress.finish();
    console.log(`trained to step ${report.step}; checkpoints and log.jsonl in ${flags.run}`);
    return status;
  });
}

if (import.meta.main) Deno.exit(await main(Deno.args));
