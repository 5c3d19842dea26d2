/**
 * `deno run -A cli/train_phase_one.ts [--config train/configs/phase_one_fmnist32.json]
 * [--generator runs/generator-fmnist32] [--run runs/phase-one-fmnist32] [--steps N]`: trains the phase-I W
 * encoder (spec §2) against the frozen EMA generator of a generator run (its latest checkpoint's `ema/<name>`
 * tensors, `mapping.w_avg` included), on Fashion-MNIST padded to 32² with grey replicated to RGB (Debian
 * package `dataset-fashion-mnist`); validation on the first `validationImages` of the validation split. Resumes
 * from the run folder's last checkpoint when there is one; logs to `<run>/log.jsonl`; the best validation
 * checkpoint is `<run>/best.safetensors`. Exit status 0 trained, 2 bad usage or nothing done.
 *
 * @module
 */

import { trainUntilSigterm } from "./_stop_on_sigterm.ts";
import { readTrainingConfig } from "../train/config_file.ts";
import { loadLatestCheckpoint } from "../train/checkpoint.ts";
import {
  type PhaseOneTrainingConfig,
  resolvePhaseOneConfigs,
  trainPhaseOne,
} from "../train/phase_one_trainer.ts";
import { openTrainingData } from "../train/data/training_data.ts";
import { parseDataSpec } from "../train/data/source.ts";
import { checkDevice } from "./_device.ts";
import { runCommand } from "../io/command_line.ts";
import { prepareOutputFolder } from "../io/output_check.ts";
import { TrainingProgress } from "./_progress.ts";
import { FASHION_MNIST_ENCODER } from "./_fashion_mnist_encoder.ts";
import { TRAINER_FLAGS } from "./_trainer_flags.ts";
import { ID_NETWORK_FLAG, idNetworkFor } from "./_id_network.ts";

const DEFAULTS = {
  generator: { resolution: 32, channelBase: 2048, channelMax: 128, mappingLayers: 4, zDim: 512, wDim: 512 },
  encoder: FASHION_MNIST_ENCODER,
  batch: 8,
  learningRate: 1e-4,
  /** Step decay { atSteps, factor } of the learning rate (null: constant; train/learning_rate.ts). */
  learningRateDecay: null as unknown,
  lambdaL2: 1,
  lambdaMsSsim: 0,
  lambdaId: 0,
  /** The identity loss's feature network, relative to the config file (used when lambdaId > 0). */
  idNetwork: null as unknown,
  steps: 20000,
  checkpointEvery: 500,
  validateEvery: 500,
  validationImages: 512,
  seed: 1,
  /** Training images (null: Fashion-MNIST; a folder; "<module>#<export>"; see train/data/source.ts). */
  data: null as unknown,
};

/**
 * The EMA generator weights of a generator run (`extra` tensors `ema/<name>` of its latest checkpoint).
 *
 * @param directory the generator run folder
 * @returns the weights by state-dict name
 * @throws {Deno.errors.NotFound} when the folder has no checkpoint or the checkpoint has no EMA tensors
 */
export async function loadGeneratorEma(directory: string): Promise<Map<string, Float32Array>> {
  const loaded = await loadLatestCheckpoint(directory);
  if (!loaded) throw new Deno.errors.NotFound(`No checkpoint in ${directory}: train the generator first`);
  const weights = new Map<string, Float32Array>();
  for (const [name, value] of loaded.extra) if (name.startsWith("ema/")) weights.set(name.slice(4), value);
  if (!weights.size) throw new Deno.errors.NotFound(`${loaded.file} holds no ema/* tensors`);
  return weights;
}

const SPEC = {
  name: "train-phase-one",
  usage:
    "deno task train-phase-one [--config F] [--generator RUN] [--run DIR] [--steps N] [--data SRC] [--device D]",
  description: "Trains the phase-I W encoder against the frozen EMA generator of a generator run.",
  flags: {
    config: {
      type: "string",
      valueName: "F",
      default: new URL("../train/configs/phase_one_fmnist32.json", import.meta.url).pathname,
      description: "training config (JSON)",
    },
    generator: {
      type: "string",
      valueName: "RUN",
      default: "runs/generator-fmnist32",
      description: "generator run folder (its latest checkpoint's EMA weights)",
    },
    run: { type: "string", valueName: "DIR", default: "runs/phase-one-fmnist32", description: "run folder" },
    ...TRAINER_FLAGS,
    ...ID_NETWORK_FLAG,
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
    const { data, idNetwork: configuredIdNetwork, ...read } = await readTrainingConfig(
      flags.config,
      DEFAULTS,
      {
        validate: (c) => {
          resolvePhaseOneConfigs(c as PhaseOneTrainingConfig);
          parseDataSpec(c.data);
        },
      },
    );
    const config = read as PhaseOneTrainingConfig;
    const steps = flags.steps ?? config.steps;
    const run = flags.run;
    await prepareOutputFolder(run);
    const generatorWeights = await loadGeneratorEma(flags.generator);
    const idNetwork = await idNetworkFor(
      config.lambdaId ?? 0,
      flags["id-network"],
      configuredIdNetwork,
      flags.config,
    );
    const { source, splits: { train, validation } } = await openTrainingData({
      flag: flags.data,
      config: data,
      configPath: flags.config,
      resolution: config.generator.resolution,
      channels: 3,
    });
    console.log(`data: ${source.name} (${train.count} training, ${validation.count} validation images)`);
    const progress = new TrainingProgress(steps, "train E1");
    const { report, status } = await trainUntilSigterm(() =>
      trainPhaseOne({ ...config, steps }, {
        train,
        validation,
      }, {
        directory: run,
        generatorWeights,
        idNetwork,
        device: flags.device,
        onStart: progress.onStart,
        onStep(step, loss) {
          progress.step((perStep) => `step ${step} loss ${loss.toFixed(4)} ${perStep}`);
        },
        onValidation(step, loss, best) {
          progress.note(`step ${step}: validation loss ${loss.toFixed(4)}${best ? " (best)" : ""}`);
        },
      }), flags.run);
    progress.finish();
    console.log(
      `trained to step ${report.step}; best validation loss ${
        report.bestValidation?.toFixed(4)
      }; checkpoints, ` +
        `best.safetensors and log.jsonl in ${run}`,
    );
    return status;
  });
}

if (import.meta.main) Deno.exit(await main(Deno.args));
