/**
 * Phase-I trainer (spec §2): a W encoder E1 (`w_encoder.*`) learns to invert a frozen generator, so that
 * `G(E1(x) + w_avg)` (the w code repeated over every synthesis row) reconstructs `x`. Loss
 * `λ_l2 · L2 + λ_msSsim · (1 − MS-SSIM) + λ_id · (1 − cos f)` (losses/reconstruction.ts; pSp uses L2, LPIPS and
 * the identity loss; the last two are 0 by default here), Ranger
 * (pSp's optimizer, lr 1e-4 by default). Resumable, through the loop all trainers share
 * (train/training_loop.ts): checkpoints (encoder
 * parameters, Ranger state, sampler state, best validation loss) are written atomically every
 * `checkpointEvery` steps and at every validation, a JSONL log records the losses, and a killed run continues
 * from the last checkpoint with the same batches, bit for bit. Every `validateEvery` steps the mean loss over
 * the validation images is computed and logged; an improvement is saved with `markBest` (`best.safetensors`).
 *
 * What is left out at small sizes, on purpose:
 * - LPIPS (pSp's λ_lpips 0.8) needs images of at least 63² (AlexNet's feature pyramid), so it is not used at
 *   32²; at 32² the perceptual term would act on 1×1 maps.
 * - The identity loss (faces: ArcFace; other domains: MoCo features) needs a pretrained feature network: give
 *   one as `options.idNetwork` (the default model uses its Fashion-MNIST `conv` classifier,
 *   editing/classifier_features.ts); `lambdaId` > 0 without one is an error.
 * - Batch norm is the eval-mode, folded BN of encoders/batch_norm.ts: `running_mean`/`running_var` stay at
 *   (0, 1) and are not trained; `weight`/`bias` are (an affine per channel). Fine for a shallow encoder.
 *
 * @module
 */

import { GraphBuilder } from "../graph/builder.ts";
import type { Tensor } from "../graph/tensor.ts";
import { type GeneratorConfig, numWs, resolveGeneratorConfig } from "../generator/config.ts";
import { buildSynthesis } from "../generator/synthesis.ts";
import { type EncoderConfig, type EncoderConfigInput, resolveEncoderConfig } from "../encoders/config.ts";
import { buildWEncoder } from "../encoders/w_encoder.ts";
import { checkReconstructionWeights, reconstructionLoss } from "../losses/reconstruction.ts";
import type { FeatureExtractor } from "../losses/identity.ts";
import { prngFill } from "../io/prng.ts";
import { Ranger, type TrainableParameter } from "./optimizers.ts";
import { addTrainingOutputs, Trainer } from "./training_step.ts";
import { runSettings } from "./resume.ts";
import { BatchSampler } from "./data/batches.ts";
import { runTrainingLoop } from "./training_loop.ts";
import { checkLearningRateDecay, learningRateAt, type LearningRateDecay } from "./learning_rate.ts";
import { type IndexedImages, validationBatchCount, validationBatches } from "./validation_batches.ts";

/** Configuration of {@linkcode trainPhaseOne}. */
export interface PhaseOneTrainingConfig {
  /** Architecture of the frozen generator (resolution required; must match the weights). */
  generator: Partial<GeneratorConfig> & { resolution: number };
  /**
   * The W encoder. `inputSize` defaults to the generator's resolution, `inputChannels` to its imgChannels,
   * `wDim` to its wDim; everything else as {@linkcode resolveEncoderConfig} (the layer-wise fields `nStyles`,
   * `featureSize` are validated there even though E1 does not use them).
   */
  encoder: EncoderConfigInput;
  /** Images per step (default 8, pSp's batch size). */
  batch?: number;
  /** Ranger learning rate (default 1e-4, pSp's). */
  learningRate?: number;
  /** Step decay of the learning rate (default: constant; train/learning_rate.ts). */
  learningRateDecay?: LearningRateDecay | null;
  /** Weight of the pixel L2 loss (default 1). */
  lambdaL2?: number;
  /** Weight of 1 − MS-SSIM (default 0; losses/reconstruction.ts). */
  lambdaMsSsim?: number;
  /** Weight of the identity loss 1 − cos(f(ŷ), f(x)) (default 0; needs `options.idNetwork`). */
  lambdaId?: number;
  /** Total steps. */
  steps: number;
  /** Checkpoint interval in steps (default 200). */
  checkpointEvery?: number;
  /** Validation interval in steps (default: checkpointEvery); a checkpoint is also saved at each validation. */
  validateEvery?: number;
  /** At most this many validation images are used, the first ones, in whole batches (default: all). */
  validationImages?: number;
  /** Seed of the initialisation and the batch order (default 1). */
  seed?: number;
}

/** Images by index: `(indices) → Float32Array [B, C, R, R]` in [−1, 1], and how many there are. */
export type ImageSource = IndexedImages;

/** What {@linkcode trainPhaseOne} reports. */
export interface PhaseOneTrainingReport {
  /** Step reached. */
  step: number;
  /** Training losses of the steps run in this call. */
  losses: { step: number; loss: number }[];
  /** Validation losses computed in this call. */
  validations: { step: number; loss: number }[];
  /** The best validation loss so far (over the whole run, resumes included), or null. */
  bestValidation: number | null;
  /** The encoder parameters (`w_encoder.*`), live. */
  parameters: Map<string, TrainableParameter>;
  /** The resolved encoder configuration. */
  encoder: EncoderConfig;
}

const isEncoderParameter = (name: string) => name.startsWith("w_encoder.");
const isTrainable = (name: string) =>
  isEncoderParameter(name) && !name.endsWith(".running_mean") && !name.endsWith(".running_var");

/**
 * Resolves the encoder configuration against the generator (input size, channels and wDim follow G).
 *
 * @param config phase-I configuration
 * @returns the generator and encoder configurations
 * @throws {RangeError} / {TypeError} from the resolvers, or when the encoder does not fit the generator
 * @example
 * ```ts
 * import { resolvePhaseOneConfigs } from "./phase_one_trainer.ts";
 * const { encoder } = resolvePhaseOneConfigs({
 *   generator: { resolution: 32, channelBase: 2048, channelMax: 128 },
 *   encoder: { preset: "tiny64", nStyles: 8, featureSize: 2 },
 * });
 * console.log(encoder.inputSize, encoder.wDim); // 32 512
 * ```
 */
export function resolvePhaseOneConfigs(
  config: Pick<PhaseOneTrainingConfig, "generator" | "encoder">,
): { generator: GeneratorConfig; encoder: EncoderConfig } {
  const generator = resolveGeneratorConfig(config.generator);
  const encoder = resolveEncoderConfig({
    inputSize: generator.resolution,
    inputChannels: generator.imgChannels,
    wDim: generator.wDim,
    ...config.encoder,
  });
  if (
    encoder.inputSize !== generator.resolution || encoder.inputChannels !== generator.imgChannels ||
    encoder.wDim !== generator.wDim
  ) {
    throw new RangeError(
      `The encoder (input ${encoder.inputChannels}×${encoder.inputSize}², wDim ${encoder.wDim}) does not fit the ` +
        `generator (${generator.imgChannels}×${generator.resolution}², wDim ${generator.wDim})`,
    );
  }
  return { generator, encoder };
}

/**
 * The phase-I forward graph: x → E1 → + w_avg → repeated over numWs rows → synthesis → the reconstruction loss.
 * Inputs: `x` [B, C, R, R]; parameters `w_encoder.*`, `mapping.w_avg`, `synthesis.*` (and the identity
 * network's); outputs `loss`, each loss term as `loss_<term>` (unweighted) and, when `train`, the gradients of
 * the trainable encoder parameters.
 *
 * @param generator generator configuration
 * @param encoder encoder configuration
 * @param batch batch size
 * @param options the loss weights (`lambdaL2` default 1, `lambdaMsSsim`, `lambdaId` default 0), the identity
 *   network, and `train` (adds the gradient outputs)
 * @returns the graph
 */
export function phaseOneGraph(
  generator: GeneratorConfig,
  encoder: EncoderConfig,
  batch: number,
  options: {
    lambdaL2?: number;
    lambdaMsSsim?: number;
    lambdaId?: number;
    idNetwork?: FeatureExtractor;
    train?: boolean;
  } = {},
): GraphBuilder {
  const g = new GraphBuilder(options.train ? "train_phase_one" : "validate_phase_one");
  const size = generator.resolution;
  const x = g.input("x", [batch, generator.imgChannels, size, size]);
  const offset = g.scope("w_encoder", () => buildWEncoder(g, encoder, x)); // [B, wDim]
  const wAvg = g.scope("mapping", () => g.parameter("w_avg", [generator.wDim])); // [wDim]
  const w = g.reshape(g.add(offset, wAvg), [batch, 1, generator.wDim]); // [B, 1, wDim]
  const ws = g.expand(w, [batch, numWs(generator), generator.wDim]); // [B, numWs, wDim]
  const image: Tensor = buildSynthesis(g, generator, ws); // [B, C, R, R]
  const weights = { l2: options.lambdaL2 ?? 1, msSsim: options.lambdaMsSsim ?? 0, id: options.lambdaId ?? 0 };
  const { loss, terms } = reconstructionLoss(g, image, x, weights, { idNetwork: options.idNetwork }); // []
  for (const [term, value] of terms) g.output(g.identity(value), `loss_${term}`);
  if (options.train) addTrainingOutputs(g, loss, { trainable: isTrainable });
  else g.output(loss, "loss");
  return g;
}

/**
 * Seeded initial value of an encoder parameter: BN weight 1, bias 0, running mean 0, running variance 1;
 * PReLU slopes 0.25 (torch's default); conv weights U(±√(6/fan_in)) (He/kaiming-uniform for ReLU-like units);
 * the EqualLinear `linear.weight` U(±√3) (unit variance: EqualLinear scales by 1/√fan_in at run time); biases 0.
 */
function initialValue(
  name: string,
  shape: readonly number[],
  batchNorm: boolean,
  seed: number,
  k: number,
): Float32Array {
  const size = shape.reduce((a, b) => a * b, 1);
  const leaf = name.slice(name.lastIndexOf(".") + 1);
  if (leaf === "running_var") return new Float32Array(size).fill(1);
  if (leaf === "running_mean" || leaf === "bias") return new Float32Array(size);
  if (shape.length === 1) return new Float32Array(size).fill(batchNorm ? 1 : 0.25); // BN weight / PReLU slope
  if (shape.length === 4) return prngFill(seed, k, size, 0, Math.sqrt(6 / (shape[1] * shape[2] * shape[3])));
  return prngFill(seed, k, size, 0, Math.sqrt(3)); // EqualLinear weight
}

/**
 * Trains (or resumes training) a phase-I W encoder against a frozen generator.
 *
 * @param config training configuration
 * @param data `train` and `validation` images ([B, C, R, R] in [−1, 1])
 * @param options `directory` for checkpoints and `log.jsonl`; `generatorWeights`: every `synthesis.*` tensor and
 *   `mapping.w_avg` of the frozen G (e.g. the EMA weights of a generator run); `stopAfter`: stop after this
 *   many steps of this call (to simulate a kill); `onStart` receives the step the run continues from (0 for a
 *   fresh run) before the first step; `onStep` / `onValidation` progress callbacks; `onWarning` receives each
 *   resume warning (default `console.warn`)
 * @returns the report
 * @throws {TypeError} when a generator weight is missing or has the wrong size
 * @throws {Error} naming the step, and the checkpoint after a resume, when a step fails (a NaN loss)
 */
export async function trainPhaseOne(
  config: PhaseOneTrainingConfig,
  data: { train: ImageSource; validation: ImageSource },
  options: {
    directory: string;
    generatorWeights: ReadonlyMap<string, Float32Array>;
    /** The identity loss's feature network and its frozen weights (required when `lambdaId` > 0). */
    idNetwork?: {
      extractor: FeatureExtractor;
      weights: ReadonlyMap<string, Float32Array>;
      description: string;
    };
    /** Where the steps and the validation run (`cpu`, `cuda`, `webgpu`, `auto`; default `cpu`). */
    device?: string;
    stopAfter?: number;
    onStart?: (step: number) => void;
    onStep?: (step: number, loss: number) => void;
    onValidation?: (step: number, loss: number, best: boolean) => void;
    onWarning?: (message: string) => void;
  },
): Promise<PhaseOneTrainingReport> {
  const { generator, encoder } = resolvePhaseOneConfigs(config);
  const batch = config.batch ?? 8;
  const seed = config.seed ?? 1;
  const checkpointEvery = config.checkpointEvery ?? 200;
  const validateEvery = config.validateEvery ?? checkpointEvery;
  const lambdaL2 = config.lambdaL2 ?? 1;
  const lambdaMsSsim = config.lambdaMsSsim ?? 0;
  const lambdaId = config.lambdaId ?? 0;
  checkReconstructionWeights({ l2: lambdaL2, msSsim: lambdaMsSsim, id: lambdaId }, "phase-I loss weights");
  if (lambdaId > 0 && !options.idNetwork) {
    throw new TypeError("lambdaId > 0 needs an identity feature network (options.idNetwork / --id-network)");
  }
  for (const [key, value] of Object.entries({ batch, checkpointEvery, validateEvery, steps: config.steps })) {
    if (!Number.isInteger(value) || value < 1) {
      throw new RangeError(`${key} must be a positive integer, got ${value}`);
    }
  }
  if (data.train.count < batch) {
    throw new RangeError(`The training set has ${data.train.count} images, fewer than one batch of ${batch}`);
  }
  const validationBatchesUsed = validationBatchCount(data.validation, batch, config.validationImages);
  if (validationBatchesUsed < 1) {
    throw new RangeError(
      `The validation set has fewer images (${data.validation.count}) than one batch of ${batch}`,
    );
  }
  const idNetwork = lambdaId > 0 ? options.idNetwork!.extractor : undefined;
  const lossOptions = { lambdaL2, lambdaMsSsim, lambdaId, idNetwork };
  const trainGraph = phaseOneGraph(generator, encoder, batch, { ...lossOptions, train: true });
  const validationGraph = phaseOneGraph(generator, encoder, batch, lossOptions);

  // Frozen generator tensors (checked) and seeded encoder parameters.
  const all = new Map<string, TrainableParameter>();
  const encoderParameters = new Map<string, TrainableParameter>();
  const problems: string[] = [];
  const batchNormScopes = new Set(
    trainGraph.parameters.filter((p) => p.name.endsWith(".running_var")).map((p) => p.name.slice(0, -12)),
  );
  let k = 0;
  for (const p of trainGraph.parameters) {
    if (isEncoderParameter(p.name)) {
      const scope = p.name.slice(0, p.name.lastIndexOf("."));
      const value = initialValue(p.name, p.shape, batchNormScopes.has(scope), seed + 31, k++);
      const parameter = { data: value, shape: p.shape };
      encoderParameters.set(p.name, parameter);
      all.set(p.name, parameter);
    } else {
      const weight = options.generatorWeights.get(p.name) ?? options.idNetwork?.weights.get(p.name);
      if (!weight) problems.push(`"${p.name}" is missing`);
      else if (weight.length !== p.size) {
        problems.push(`"${p.name}" has ${weight.length} values, expected ${p.size}`);
      } else all.set(p.name, { data: weight as Float32Array, shape: p.shape });
    }
  }
  if (problems.length) {
    throw new TypeError(
      `The frozen weights (generator${
        idNetwork ? ", identity network" : ""
      }) do not fit the configuration (${problems.length} problem(s)):\n  ` +
        problems.join("\n  "),
    );
  }

  const learningRate = config.learningRate ?? 1e-4;
  checkLearningRateDecay(config.learningRateDecay, "learningRateDecay");
  const optimizer = new Ranger({ lr: learningRate });
  const sampler = new BatchSampler(data.train.count, batch, seed, { dropLast: true });
  const trainer = new Trainer(trainGraph, all, optimizer, { device: options.device });
  /** The unweighted terms of a step's loss, when it has more than the L2 term (for the log). */
  const termsOf = (outputs: Record<string, { data: unknown }>): Record<string, number> | undefined => {
    const names = Object.keys(outputs).filter((name) => name.startsWith("loss_"));
    if (names.length < 2) return undefined;
    return Object.fromEntries(names.map((name) => [name.slice(5), (outputs[name].data as Float32Array)[0]]));
  };
  const validate = async (): Promise<{ loss: number; terms?: Record<string, number> }> => {
    let sum = 0;
    let terms: Record<string, number> | undefined;
    const batches = { batch, batches: validationBatchesUsed, input: "x", device: options.device };
    for await (const { outputs } of validationBatches(validationGraph, all, data.validation, batches)) {
      sum += (outputs.loss.data as Float32Array)[0];
      for (const [name, value] of Object.entries(termsOf(outputs) ?? {})) {
        terms ??= {};
        terms[name] = (terms[name] ?? 0) + value / validationBatchesUsed;
      }
    }
    return terms ? { loss: sum / validationBatchesUsed, terms } : { loss: sum / validationBatchesUsed };
  };

  type StepLosses = { step: number; loss: number; terms?: Record<string, number> };
  const run = await runTrainingLoop<StepLosses, { loss: number; terms?: Record<string, number> }>({
    directory: options.directory,
    steps: config.steps,
    // What a resume must keep to continue the run exactly (not `steps`: a resume may extend the run).
    settings: runSettings({
      generator,
      encoder,
      batch,
      learningRate,
      ...(config.learningRateDecay ? { learningRateDecay: config.learningRateDecay } : {}),
      lambdaL2,
      ...(lambdaMsSsim > 0 ? { lambdaMsSsim } : {}),
      ...(lambdaId > 0 ? { lambdaId, idNetwork: options.idNetwork!.description } : {}),
      validateEvery,
      validationBatches: validationBatchesUsed,
      seed,
      trainImages: data.train.count,
    }),
    phases: [{
      name: "reconstruction",
      step: async (step) => {
        optimizer.setLearningRate(learningRateAt(learningRate, step, config.learningRateDecay));
        const { loss, outputs } = await trainer.step({ x: data.train.batch(sampler.next()) });
        const terms = termsOf(outputs);
        return terms ? { step, loss, terms } : { step, loss };
      },
    }],
    checkpointEvery,
    validation: { every: validateEvery, run: validate, checkpoint: "every" },
    checkpoint: {
      parameters: encoderParameters,
      optimizer,
      // `bestValidation` is what readers of phase-I checkpoints look for (the loop also records `best`).
      state: (best) => ({ sampler: { ...sampler.state() }, bestValidation: best?.loss ?? null }),
      restore(loaded) {
        const state = loaded.state as {
          step: number;
          sampler: { epoch: number; position: number };
          bestValidation: number | null;
        };
        sampler.restore(state.sampler);
        return state.bestValidation === null ? null : { loss: state.bestValidation, step: state.step };
      },
    },
    logRecord: (losses, validation) => ({
      // `l2` is the whole loss (its historical name: L2 was the only term); `term_<name>` each term unweighted.
      l2: losses.loss,
      ...Object.fromEntries(
        Object.entries(losses.terms ?? {}).map(([name, value]) => [`term_${name}`, value]),
      ),
      ...(validation ? { validation: validation.loss } : {}),
      ...Object.fromEntries(
        Object.entries(validation?.terms ?? {}).map(([name, value]) => [`validation_${name}`, value]),
      ),
    }),
    stopAfter: options.stopAfter,
    onStart: options.onStart,
    onStep(step, losses, validation) {
      options.onStep?.(step, losses.loss);
      if (validation) options.onValidation?.(step, validation.loss, validation.best);
    },
    onWarning: options.onWarning,
  });
  return {
    step: run.step,
    losses: run.losses.map(({ step, loss }) => ({ step, loss })),
    validations: run.validations.map(({ step, loss }) => ({ step, loss })),
    bestValidation: run.best?.loss ?? null,
    parameters: encoderParameters,
    encoder,
  };
}
