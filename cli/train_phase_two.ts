/**
 * `deno run -A cli/train_phase_two.ts [--config train/configs/phase_two_fmnist32.json]
 * [--generator runs/generator-fmnist32] [--phase-one runs/phase-one-fmnist32] [--run runs/phase-two-fmnist32]
 * [--steps N]`: trains phase II (spec §5: the layer-wise encoder E2 and the hypernetwork) with E1 and G frozen.
 * G is the EMA generator of a generator run (its latest checkpoint's `ema/<name>` tensors, `mapping.w_avg`
 * included) and D starts from that run's discriminator (`D.*`); E1 is the phase-one run's best checkpoint
 * (`w_encoder.*`); or `--base M` takes E1 and G from a model folder (`model.json`, or `reference:<name>`) and
 * starts D seeded. Data: Fashion-MNIST padded to 32², grey replicated to RGB (Debian package
 * `dataset-fashion-mnist`); validation on the first `validationImages` of the validation split. Resumes from the
 * run folder's last checkpoint when there is one; logs to `<run>/log.jsonl`; the best validation checkpoint is
 * `<run>/best.safetensors`. Exit status 0 trained, 2 bad usage or nothing done.
 *
 * @module
 */

import { trainUntilSigterm } from "./_stop_on_sigterm.ts";
import { readTrainingConfig } from "../train/config_file.ts";
import { loadPhaseTwoInputs, loadPhaseTwoInputsFromModel } from "../train/phase_two_inputs.ts";
import { resolveArchitecture } from "../model/architecture.ts";
import { resolveHypernetPlugins } from "../hypernet/plugins.ts";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { type PhaseTwoTrainingConfig, trainPhaseTwo } from "../train/phase_two_trainer.ts";
import { openTrainingData } from "../train/data/training_data.ts";
import { parseDataSpec } from "../train/data/source.ts";
import { checkDevice } from "./_device.ts";
import { runCommand, UsageError } from "../io/command_line.ts";
import { prepareOutputFolder } from "../io/output_check.ts";
import { TrainingProgress } from "./_progress.ts";
import { FASHION_MNIST_ENCODER } from "./_fashion_mnist_encoder.ts";
import { TRAINER_FLAGS } from "./_trainer_flags.ts";
import { ID_NETWORK_FLAG, idNetworkFor } from "./_id_network.ts";

const ENCODER = { ...FASHION_MNIST_ENCODER, inputSize: 32, wDim: 512 };

/** The hypernetwork of a config that names none. */
const DEFAULT_HYPERNET = { hiddenDim: 16, featureChannels: 64, featureSize: 2 };

const DEFAULTS = {
  architecture: {
    generator: { resolution: 32, channelBase: 2048, channelMax: 128, mappingLayers: 4, zDim: 512, wDim: 512 },
    wEncoder: ENCODER,
    layerWiseEncoder: ENCODER,
    /**
     * Passed through whole (any key of hypernet/config.ts: fusion, sharing, target layers, plug-in operators
     * named "<module>#<export>" relative to the config file), checked by resolveArchitecture; absent:
     * {@linkcode DEFAULT_HYPERNET}.
     */
    hypernet: null as unknown,
    refinementPasses: 1,
  },
  batch: 8,
  adversarialBatch: 4,
  learningRate: 1e-4,
  /** Step decay { atSteps, factor } of the learning rate (null: constant; train/learning_rate.ts). */
  learningRateDecay: null as unknown,
  discriminatorLearningRate: 1e-4,
  weights: { l2: 1, lpips: 0, adversarial: 0.005, msSsim: 0, id: 0 },
  /** The identity loss's feature network, relative to the config file (used when weights.id > 0). */
  idNetwork: null as unknown,
  adversarialFromStep: 10000,
  /** The best checkpoint's tracker restarts again this many steps after the switch (official: 20000 / 10000). */
  coldSteps: 0,
  r1Gamma: 0.1,
  r1Every: 16,
  steps: 20000,
  checkpointEvery: 500,
  validateEvery: 500,
  validationImages: 512,
  seed: 2107,
  /** Memory for phase-I outputs (w, x̂_w) kept per training image, MiB; 0 recomputes them every step. */
  phaseOneCacheMiB: 2048,
  /** Mirror training images left–right with probability ½ (the official recipe: true). */
  horizontalFlip: false,
  /** Training images (null: Fashion-MNIST; a folder; "<module>#<export>"; see train/data/source.ts). */
  data: null as unknown,
};

const SPEC = {
  name: "train-phase-two",
  usage:
    "deno task train-phase-two [--config F] [--generator RUN --phase-one RUN | --base M] [--run DIR] [--steps N] [--data SRC] [--device D]",
  description: "Trains phase II (E2 and the hypernetwork) with E1 and G frozen.",
  flags: {
    config: {
      type: "string",
      valueName: "F",
      default: new URL("../train/configs/phase_two_fmnist32.json", import.meta.url).pathname,
      description: "training config (JSON)",
    },
    generator: {
      type: "string",
      valueName: "RUN",
      default: "runs/generator-fmnist32",
      description: "generator run folder (EMA G and D of its latest checkpoint)",
    },
    "phase-one": {
      type: "string",
      valueName: "RUN",
      default: "runs/phase-one-fmnist32",
      description: "phase-one run folder (E1 of its best checkpoint)",
    },
    base: {
      type: "string",
      valueName: "M",
      description:
        "instead of --generator and --phase-one: E1 and G from a model folder's model.json (or reference:<name>); D starts seeded",
    },
    run: { type: "string", valueName: "DIR", default: "runs/phase-two-fmnist32", description: "run folder" },
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
    const runFlags = args.filter((a) => /^--(generator|phase-one)(=|$)/.test(a));
    if (flags.base && runFlags.length) {
      throw new UsageError(
        `--base replaces ${runFlags.map((a) => a.split("=")[0]).join(" and ")}: give one or the other`,
      );
    }
    const { data, idNetwork: configuredIdNetwork, ...read } = await readTrainingConfig(
      flags.config,
      DEFAULTS,
      {
        validate: (c) => {
          const architecture = (c as PhaseTwoTrainingConfig).architecture;
          architecture.hypernet ??= { ...DEFAULT_HYPERNET };
          resolveArchitecture(architecture);
          parseDataSpec(c.data);
        },
      },
    );
    const config = read as PhaseTwoTrainingConfig;
    // Fusion / sharing plug-ins the config names are the user's code, chosen in their config: imported here
    // (announced, relative to the config file) so that the graph builders find them.
    await resolveHypernetPlugins(config.architecture.hypernet, {
      base: pathToFileURL(resolve(flags.config)),
      onPluginLoad: (message) => console.log(message),
    });
    const steps = flags.steps ?? config.steps;
    const run = flags.run;
    await prepareOutputFolder(run);
    const { frozenWeights, discriminator } = flags.base
      ? await loadPhaseTwoInputsFromModel(flags.base)
      : await loadPhaseTwoInputs(flags.generator, flags["phase-one"]);
    if (flags.base) {
      console.log(`E1 and G from ${flags.base}; D starts from seeded values (a model holds no D)`);
    }
    const resolution = resolveArchitecture(config.architecture).generator.resolution;
    const idNetwork = await idNetworkFor(
      config.weights?.id ?? 0,
      flags["id-network"],
      configuredIdNetwork,
      flags.config,
    );
    const { source, splits: { train, validation } } = await openTrainingData({
      flag: flags.data,
      config: data,
      configPath: flags.config,
      resolution: resolution,
      channels: 3,
    });
    console.log(`data: ${source.name} (${train.count} training, ${validation.count} validation images)`);
    const progress = new TrainingProgress(steps, "train E2+H");
    const { report, status } = await trainUntilSigterm(() =>
      trainPhaseTwo({ ...config, steps }, {
        train,
        validation,
      }, {
        directory: run,
        frozenWeights,
        idNetwork,
        device: flags.device,
        initialDiscriminator: discriminator.size ? discriminator : undefined,
        onStart: progress.onStart,
        onStep(step, losses, v) {
          const adv = losses.d === undefined
            ? ""
            : ` adv ${losses.adversarial!.toFixed(3)} D ${losses.d.toFixed(3)}`;
          progress.step((perStep) => `step ${step} loss ${losses.loss.toFixed(4)}${adv} ${perStep}`);
          if (v) {
            progress.note(
              `step ${step}: validation L2/PSNR phase I ${v.l2PhaseOne.toFixed(4)}/${
                v.psnrPhaseOne.toFixed(2)
              } dB, phase II ${v.l2PhaseTwo.toFixed(4)}/${v.psnrPhaseTwo.toFixed(2)} dB${
                v.best ? " (best)" : ""
              }`,
            );
          }
        },
      }), run);
    progress.finish();
    console.log(`trained to step ${report.step}; checkpoints, best.safetensors and log.jsonl in ${run}`);
    const cache = report.phaseOneCache;
    console.log(
      `phase I (E1, x̂_w): ${cache.misses} batches computed, ${cache.hits} served from ${cache.images} kept images ` +
        `(${(cache.bytes / 2 ** 20).toFixed(0)} MiB; config "phaseOneCacheMiB")`,
    );
    return status;
  });
}

if (import.meta.main) Deno.exit(await main(Deno.args));
