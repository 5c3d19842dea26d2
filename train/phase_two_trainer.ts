/**
 * The phase-II trainer (spec §5): Adam (lr 1e-4) on the layer-wise encoder E2 (`w_bar_encoder.*`) and the
 * hypernetwork (`hypernet.*`) with E1 (`w_encoder.*`) and G (`synthesis.*`, `mapping.w_avg`) frozen. The loss is
 * λ_l2·MSE(P(ŷ), P(x)) + λ_msSsim·(1 − MS-SSIM) + λ_id·(1 − cos f) + λ_lpips·LPIPS (losses/reconstruction.ts; a
 * zero weight leaves its term out: LPIPS needs frozen `lpips.*` weights, the identity term an `idNetwork`). After
 * `adversarialFromStep` steps the batch switches to `adversarialBatch`, the generator-side loss gains
 * λ_adv·softplus(−D(ŷ)) and D is trained (logistic loss on real vs the step's final images, lazy R1 every
 * `r1Every` steps, Adam β1 0 / β2 0.99 with ADA's lazy-regularisation correction).
 *
 * Every `validateEvery` steps the validation set is inverted and the L2 / PSNR (on [0, 1] images, as metrics.json)
 * of phase I (`w_images`) and phase II (`final_images`) are logged (`val_l2PhaseOne_01`, `val_psnrPhaseOne_dB`,
 * …); the validation loss (phase-II L2, LPIPS left out) picks the best checkpoint (`best.*`, via `markBest`); the best-loss tracker restarts at the adversarial switch, as in the official coach.
 *
 * Resumable exactly (train/training_loop.ts, the loop every trainer shares; the plain and adversarial parts are
 * its two phases): checkpoints hold E2, the hypernet, D, both optimizers, both samplers and the best loss (E1
 * and G are not saved: they are inputs of the run), and a killed run continues with the same batches.
 *
 * Random horizontal flips (the official train transform) with `horizontalFlip: true`, seeded per step; the
 * official cold steps (`coldSteps`: the best tracker restarts again that many steps after the switch).
 *
 * @module
 */

import { GraphBuilder, type ParameterInit } from "../graph/builder.ts";
import type { Tensor } from "../graph/tensor.ts";
import { type ArchitectureJson, resolveArchitecture } from "../model/architecture.ts";
import { type HyperInverterArchitecture, hyperInverterGraph } from "../model/pipeline_graph.ts";
import { type DiscriminatorConfig, resolveDiscriminatorConfig } from "../generator/discriminator.ts";
import { nonSaturatingLoss } from "../losses/adversarial.ts";
import {
  checkReconstructionWeights,
  reconstructionLoss as weightedReconstruction,
} from "../losses/reconstruction.ts";
import type { FeatureExtractor } from "../losses/identity.ts";
import { faceAveragePool } from "../losses/face_pool.ts";
import { l2AndPsnrOnUnitRange } from "../losses/psnr.ts";
import { prngFill } from "../io/prng.ts";
import { Adam, combineOptimizers, type TrainableParameter } from "./optimizers.ts";
import { addTrainingOutputs, Trainer } from "./training_step.ts";
import { runSettings } from "./resume.ts";
import { BatchSampler } from "./data/batches.ts";
import { flipDecisions, flipHorizontally } from "./data/horizontal_flip.ts";
import {
  addDiscriminatorStep,
  isDiscriminatorParameter as isDiscriminator,
  lazyRegularizedAdam,
  r1StepGraph,
  scopedDiscriminator,
} from "./discriminator_steps.ts";
import { PhaseOneCache, type PhaseOneCacheStats } from "./phase_one_cache.ts";
import { runTrainingLoop } from "./training_loop.ts";
import { checkLearningRateDecay, learningRateAt, type LearningRateDecay } from "./learning_rate.ts";
import { type IndexedImages, validationBatchCount, validationBatches } from "./validation_batches.ts";

/** Configuration of {@linkcode trainPhaseTwo}; defaults follow the official FFHQ recipe where it applies. */
export interface PhaseTwoTrainingConfig {
  /** The model's architecture (as in a manifest). */
  architecture: ArchitectureJson;
  /** Discriminator channels (default: the generator's channelBase / channelMax). */
  discriminator?: { channelBase?: number; channelMax?: number };
  /** Images per step before the adversarial switch (default 8). */
  batch?: number;
  /** Images per step from the adversarial switch on (default 4). */
  adversarialBatch?: number;
  /** Adam learning rate of E2 + hypernet (default 1e-4, default betas). */
  learningRate?: number;
  /** Step decay of the E2 + hypernet learning rate (default: constant; train/learning_rate.ts). */
  learningRateDecay?: LearningRateDecay | null;
  /** Adam learning rate of D (default 1e-4; β1 0, β2 0.99, lazy-R1 corrected). */
  discriminatorLearningRate?: number;
  /**
   * Loss weights: l2 (1), lpips (0.8 at resolution ≥ 64, else 0), adversarial (0.005), msSsim (0) and id (0,
   * needs `PhaseTwoOptions.idNetwork`).
   */
  weights?: { l2?: number; lpips?: number; adversarial?: number; msSsim?: number; id?: number };
  /** Steps run before the adversarial loss and D training start (default: never, i.e. `steps`). */
  adversarialFromStep?: number;
  /**
   * The official `num_cold_steps` (20 000 faces, 10 000 churches; default 0 = none): the best-checkpoint tracker
   * restarts again this many steps after the adversarial switch, when D has warmed up.
   */
  coldSteps?: number;
  /** R1 γ (default 10). */
  r1Gamma?: number;
  /** Lazy R1 interval (default 16). */
  r1Every?: number;
  /** Total steps. */
  steps: number;
  /** Checkpoint interval in steps (default 1000). */
  checkpointEvery?: number;
  /** Validation interval in steps (default 1000). */
  validateEvery?: number;
  /** At most this many validation images are used, the first ones, in whole batches (default: all). */
  validationImages?: number;
  /** Seed of the initialisation and the batch order (default 2107). */
  seed?: number;
  /**
   * Memory for phase-I outputs kept per training image, MiB (default 2048; 0: recompute them in every step, as
   * the official code does). E1 and G are frozen, so a kept w and x̂_w are the ones a step would compute
   * (train/phase_one_cache.ts): church-256 spends ≈ 0.8 MiB per image and saves ≈ 0.75 s per kept image per step.
   */
  phaseOneCacheMiB?: number;
  /**
   * Mirror each training image left–right with probability ½ (default false), the official recipe's
   * `RandomHorizontalFlip(0.5)`; seeded by (seed, step, position), so a resumed run flips the same images.
   */
  horizontalFlip?: boolean;
}

/** A data set: its size and `(indices) → Float32Array [B, 3, R, R]` in [−1, 1]. */
export type ImageSet = IndexedImages;

/** One validation pass. */
export interface PhaseTwoValidation {
  step: number;
  /** Mean MSE on [0, 1] images (the unit of `metrics.json`) of phase I (`w_images`) and phase II (`final_images`). */
  l2PhaseOne: number;
  l2PhaseTwo: number;
  /** Mean per-image PSNR in dB (images mapped to [0, 1]). */
  psnrPhaseOne: number;
  psnrPhaseTwo: number;
  /** The validation loss (λ_l2 × phase-II MSE on [−1, 1], the training objective's unit: 4·λ_l2·`l2PhaseTwo`). */
  loss: number;
  /** Whether it became the best checkpoint. */
  best: boolean;
}

/** Losses of one step. */
export interface PhaseTwoStepLosses {
  step: number;
  /** The generator-side loss (reconstruction + λ_adv·adversarial). */
  loss: number;
  /** The reconstruction part. */
  reconstruction: number;
  /** softplus(−D(ŷ)) mean, on adversarial steps. */
  adversarial?: number;
  /** D logistic loss, on adversarial steps. */
  d?: number;
  /** R1 loss, on R1 steps. */
  r1?: number;
}

/** What a run reports. */
export interface PhaseTwoReport {
  step: number;
  losses: PhaseTwoStepLosses[];
  validations: PhaseTwoValidation[];
  /** Every parameter (frozen ones included), live. */
  parameters: Map<string, TrainableParameter>;
  /** What the phase-I cache did in this call (batches served from it, batches that ran phase I, images kept). */
  phaseOneCache: PhaseOneCacheStats;
}

/** Options of {@linkcode trainPhaseTwo}. */
export interface PhaseTwoOptions {
  /** Checkpoints and `log.jsonl`. */
  directory: string;
  /** E1 (`w_encoder.*`), G (`synthesis.*`, `mapping.w_avg`), and `lpips.*` when LPIPS is on. */
  frozenWeights: Map<string, Float32Array>;
  /** The identity loss's feature network and its frozen weights (required when `weights.id` > 0). */
  idNetwork?: {
    extractor: FeatureExtractor;
    weights: ReadonlyMap<string, Float32Array>;
    description: string;
  };
  /** Initial D (`D.*` names as in the generator trainer's checkpoints, or without the `D.` prefix). */
  initialDiscriminator?: Map<string, Float32Array>;
  /** Initial E2 / hypernet weights (else seeded); names as in the graph. */
  initialTrainable?: Map<string, Float32Array>;
  /** Where the steps and the validation run (`cpu`, `cuda`, `webgpu`, `auto`; default `cpu`). */
  device?: string;
  /** Stop after this many steps of this call (to simulate a kill). */
  stopAfter?: number;
  /** Receives the step the run continues from (0 for a fresh run), before the first step. */
  onStart?: (step: number) => void;
  /** Progress callback. */
  onStep?: (step: number, losses: PhaseTwoStepLosses, validation?: PhaseTwoValidation) => void;
  /** Receives each resume warning (default `console.warn`). */
  onWarning?: (message: string) => void;
}

const isTrainable = (name: string) => name.startsWith("w_bar_encoder.") || name.startsWith("hypernet.");

/** Resolved loss weights. */
type PhaseTwoWeights = { l2: number; lpips: number; adversarial: number; msSsim: number; id: number };

/** Loss weights as {@linkcode phaseTwoTrainingGraphs} takes them (the later terms may be left out: 0). */
type GraphWeights = Omit<PhaseTwoWeights, "msSsim" | "id"> & Partial<Pick<PhaseTwoWeights, "msSsim" | "id">>;

/** Resolved loss weights (checked). */
function lossWeights(
  config: PhaseTwoTrainingConfig,
  architecture: HyperInverterArchitecture,
): PhaseTwoWeights {
  const weights = {
    l2: 1,
    lpips: architecture.generator.resolution >= 64 ? 0.8 : 0,
    adversarial: 0.005,
    msSsim: 0,
    id: 0,
    ...config.weights,
  };
  const { adversarial, ...reconstruction } = weights;
  checkReconstructionWeights(reconstruction, "phase-II weights");
  if (!(Number.isFinite(adversarial) && adversarial >= 0)) {
    throw new RangeError(`phase-II weights.adversarial must be a finite number ≥ 0, got ${adversarial}`);
  }
  return weights;
}

/** The reconstruction loss on P(ŷ), P(x) (P: the face pool to ≤ 256²) on a graph from hyperInverterGraph. */
function reconstructionLoss(
  g: GraphBuilder,
  architecture: HyperInverterArchitecture,
  weights: GraphWeights,
  idNetwork: FeatureExtractor | undefined,
): { x: Tensor; final: Tensor; loss: Tensor } {
  const x = g.inputs[0]; // [B, 3, R, R]
  const final = g.outputs.find((t) => t.name === "final_images")!; // [B, 3, R, R]
  const size = Math.min(256, architecture.generator.resolution);
  const pooledFinal = faceAveragePool(g, final, size);
  const pooledTarget = faceAveragePool(g, x, size);
  const { adversarial: _, ...terms } = weights;
  const { loss } = weightedReconstruction(g, pooledFinal, pooledTarget, terms, { idNetwork }); // []
  return { x, final, loss };
}

/**
 * The phase-II step graphs: `plain` (reconstruction only, batch `batch`), `adversarial` (reconstruction +
 * λ_adv·softplus(−D(ŷ)), D frozen, batch `adversarialBatch`), `dStep` (inputs `real`, `fake` → D logistic loss,
 * gradients of `D.*`) and `r1Step` (input `real`). The generator-side graphs output `loss`, `reconstruction`,
 * (`adversarial`), the gradients of E2 and the hypernet, and the inversion outputs.
 *
 * @param architecture resolved architecture
 * @param discriminator D configuration
 * @param options batches, loss weights, R1
 * @returns the four graphs
 */
export function phaseTwoTrainingGraphs(
  architecture: HyperInverterArchitecture,
  discriminator: DiscriminatorConfig,
  options: {
    batch: number;
    adversarialBatch: number;
    weights: GraphWeights;
    r1: { gamma: number; every: number };
    /** The identity loss's feature network (when `weights.id` > 0). */
    idNetwork?: FeatureExtractor;
  },
): { plain: GraphBuilder; adversarial: GraphBuilder; dStep: GraphBuilder; r1Step: GraphBuilder } {
  const size = architecture.generator.resolution;

  // E1 and the phase-I synthesis are frozen: their outputs come in as inputs (w, w_images; PhaseOneCache).
  // E2's styles on one map share their first convolution: one transposed conv for the map's gradient. The
  // hypernet's regressors run as one stack (hypernet/regressor_stack.ts: mini step 0.203 → 0.183 s).
  const plain = hyperInverterGraph(architecture, {
    batch: options.batch,
    phaseOne: "given",
    mergeSharedInputConvs: true,
    stackRegressors: true,
  });
  {
    const { loss } = reconstructionLoss(plain, architecture, options.weights, options.idNetwork);
    plain.output(plain.identity(loss), "reconstruction");
    addTrainingOutputs(plain, loss, { trainable: isTrainable });
  }
  const adversarial = hyperInverterGraph(architecture, {
    batch: options.adversarialBatch,
    phaseOne: "given",
    mergeSharedInputConvs: true,
    stackRegressors: true,
  });
  {
    const g = adversarial;
    const { final, loss: reconstruction } = reconstructionLoss(
      g,
      architecture,
      options.weights,
      options.idNetwork,
    );
    const adv = nonSaturatingLoss(g, scopedDiscriminator(g, final, discriminator)); // []
    g.output(g.identity(reconstruction), "reconstruction");
    g.output(g.identity(adv), "adversarial");
    addTrainingOutputs(g, g.add(reconstruction, g.scale(adv, options.weights.adversarial)), {
      trainable: isTrainable,
    });
  }
  const shape = [options.adversarialBatch, 3, size, size];
  const dStep = new GraphBuilder("train_phase_two_d");
  {
    const real = dStep.input("real", shape);
    const fake = dStep.input("fake", shape);
    addDiscriminatorStep(dStep, real, () => fake, discriminator);
  }
  const r1Step = r1StepGraph("train_phase_two_r1", shape, discriminator, options.r1);
  return { plain, adversarial, dStep, r1Step };
}

/**
 * Seeded E2 / hypernet / D values. A parameter's declared init (`GraphBuilder.parameterInit`: the hypernet's
 * components declare theirs, e.g. the weight regressors a tenth of LeCun-uniform so that ΔW starts small)
 * comes first. Otherwise the documented default: BN weight 1, running_var 1; biases 0; PReLU 0.25; weights
 * LeCun-uniform over `size / shape[0]` inputs; D as the generator trainer.
 */
function seededValue(
  name: string,
  shape: readonly number[],
  seed: number,
  k: number,
  init: ParameterInit | undefined,
): Float32Array {
  const size = shape.reduce((a, b) => a * b, 1);
  if (init?.kind === "constant") return new Float32Array(size).fill(init.value);
  if (init?.kind === "uniform") return prngFill(seed + 23, k, size, 0, init.scale);
  if (init?.kind === "fanIn") {
    return prngFill(seed + 23, k, size, 0, Math.sqrt(3 / (size / shape[0])) * init.gain);
  }
  if (name.endsWith("running_var")) return new Float32Array(size).fill(1);
  if (name.endsWith("running_mean") || name.endsWith("num_batches_tracked")) return new Float32Array(size);
  if (/(bn\d?|input_layer\.1|res_layer\.[04]|shortcut_layer\.1)\.weight$/.test(name)) {
    return new Float32Array(size).fill(1);
  }
  if (name.endsWith("affine.bias")) return new Float32Array(size).fill(1);
  if (name.endsWith(".bias") || /\.b\d$/.test(name)) return new Float32Array(size);
  if (shape.length === 1) return new Float32Array(size).fill(0.25); // PReLU slopes
  if (isDiscriminator(name)) return prngFill(seed + 29, k, size, 0, Math.sqrt(3)); // equalized-lr layers
  const fanIn = size / shape[0];
  return prngFill(seed + 23, k, size, 0, Math.sqrt(3 / fanIn));
}

type SamplerPositions = {
  plain: { epoch: number; position: number };
  adversarial: { epoch: number; position: number };
};

/**
 * Trains (or resumes training) phase II.
 *
 * Step `s` (1-based) is adversarial when `s > adversarialFromStep`.
 *
 * @param config training configuration
 * @param data training and validation images
 * @param options directory, frozen weights, initial D, kill simulation, progress
 * @returns the report
 * @throws {TypeError} when frozen weights are missing or mis-sized
 * @throws {Error} naming the step, and the checkpoint after a resume, when a step fails (a NaN loss)
 */
export async function trainPhaseTwo(
  config: PhaseTwoTrainingConfig,
  data: { train: ImageSet; validation: ImageSet },
  options: PhaseTwoOptions,
): Promise<PhaseTwoReport> {
  const architecture = resolveArchitecture(config.architecture);
  const batch = config.batch ?? 8;
  const adversarialBatch = config.adversarialBatch ?? 4;
  const steps = config.steps;
  const adversarialFrom = config.adversarialFromStep ?? steps;
  const r1Every = config.r1Every ?? 16;
  const seed = config.seed ?? 2107;
  const weights = lossWeights(config, architecture);
  if (weights.id > 0 && !options.idNetwork) {
    throw new TypeError(
      "weights.id > 0 needs an identity feature network (options.idNetwork / --id-network)",
    );
  }
  const discriminator = resolveDiscriminatorConfig({
    resolution: architecture.generator.resolution,
    channelBase: config.discriminator?.channelBase ?? architecture.generator.channelBase,
    channelMax: config.discriminator?.channelMax ?? architecture.generator.channelMax,
    mbstdGroupSize: Math.min(4, adversarialBatch),
  });
  const withAdversarial = adversarialFrom < steps;
  const coldSteps = config.coldSteps ?? 0;
  if (!(Number.isInteger(coldSteps) && coldSteps >= 0)) {
    throw new RangeError(`coldSteps must be an integer ≥ 0, got ${coldSteps}`);
  }
  const graphs = phaseTwoTrainingGraphs(architecture, discriminator, {
    batch,
    adversarialBatch,
    weights,
    r1: { gamma: config.r1Gamma ?? 10, every: r1Every },
    idNetwork: weights.id > 0 ? options.idNetwork!.extractor : undefined,
  });
  const validationBatch = batch;
  const validationGraph = hyperInverterGraph(architecture, { batch: validationBatch });
  if (Math.min(data.validation.count, config.validationImages ?? Infinity) < validationBatch) {
    throw new RangeError(`Fewer validation images than a batch (${batch})`);
  }

  // Parameters: frozen ones from options, trained ones seeded (or given).
  const parameters = new Map<string, TrainableParameter>();
  const saved = new Map<string, TrainableParameter>(); // what checkpoints hold
  const problems: string[] = [];
  const usedGraphs = withAdversarial
    ? [graphs.plain, graphs.adversarial, graphs.dStep, graphs.r1Step, validationGraph]
    : [graphs.plain, validationGraph];
  let k = 0;
  for (const graph of usedGraphs) {
    for (const p of graph.parameters) {
      if (parameters.has(p.name)) continue;
      const name = p.name;
      let value: Float32Array | undefined;
      if (isTrainable(name)) {
        value = options.initialTrainable?.get(name)?.slice() ??
          seededValue(name, p.shape, seed, k, graph.parameterInit(p));
      } else if (isDiscriminator(name)) {
        value = (options.initialDiscriminator?.get(name) ?? options.initialDiscriminator?.get(name.slice(2)))
          ?.slice() ?? seededValue(name, p.shape, seed, k, graph.parameterInit(p));
      } else {
        value = options.frozenWeights.get(name) ?? options.idNetwork?.weights.get(name);
        if (!value) {
          problems.push(`missing frozen weight "${name}"`);
          continue;
        }
      }
      k++;
      if (value.length !== p.size) {
        problems.push(`"${name}" has ${value.length} values, expected ${p.size} [${p.shape.join(", ")}]`);
        continue;
      }
      const parameter = { data: value, shape: p.shape };
      parameters.set(name, parameter);
      if (isTrainable(name) || isDiscriminator(name)) saved.set(name, parameter);
    }
  }
  if (problems.length) throw new TypeError(`Phase-II weights: ${problems.join("; ")}`);

  const learningRate = config.learningRate ?? 1e-4;
  checkLearningRateDecay(config.learningRateDecay, "learningRateDecay");
  const eOptimizer = new Adam({ lr: learningRate });
  const scheduleFor = (step: number) =>
    eOptimizer.setLearningRate(learningRateAt(learningRate, step, config.learningRateDecay));
  const dOptimizer = lazyRegularizedAdam(config.discriminatorLearningRate ?? 1e-4, r1Every);
  const samplers = {
    plain: new BatchSampler(data.train.count, batch, seed, { dropLast: true }),
    adversarial: new BatchSampler(data.train.count, adversarialBatch, seed + 1, { dropLast: true }),
  };

  const device = { device: options.device };
  const plainTrainer = new Trainer(graphs.plain, parameters, eOptimizer, device);
  const advTrainer = withAdversarial
    ? new Trainer(graphs.adversarial, parameters, eOptimizer, device)
    : undefined;
  const dTrainer = withAdversarial ? new Trainer(graphs.dStep, parameters, dOptimizer, device) : undefined;
  const r1Trainer = withAdversarial ? new Trainer(graphs.r1Step, parameters, dOptimizer, device) : undefined;
  const flip = config.horizontalFlip === true;
  const phaseOne = new PhaseOneCache(architecture, parameters, {
    budgetMiB: config.phaseOneCacheMiB,
    device: options.device,
    // With flips a key is 2·index + flipped: the two mirror images have their own phase-I outputs.
    describeKey: flip ? (key) => `training image ${key >> 1}${key & 1 ? " (flipped)" : ""}` : undefined,
  });
  const resolution = architecture.generator.resolution;
  /** A step's images (flipped where drawn) and their phase-I outputs, the step graphs' inputs. */
  const stepInputs = async (indices: Int32Array, step: number) => {
    let x = data.train.batch(indices);
    let keys: ArrayLike<number> = indices;
    if (flip) {
      const flips = flipDecisions(seed, step, indices.length);
      // A copy: an image set (a plug-in's too) may hand out its own array.
      x = flipHorizontally(x.slice(), [indices.length, 3, resolution, resolution], flips);
      keys = Array.from(indices, (index, b) => 2 * index + (flips[b] ? 1 : 0));
    }
    const { w, wImages } = await phaseOne.outputs(keys, x);
    return { x, w, w_images: wImages };
  };
  const plainStep = async (step: number): Promise<PhaseTwoStepLosses> => {
    scheduleFor(step);
    const result = await plainTrainer.step(await stepInputs(samplers.plain.next(), step));
    return { step, loss: result.loss, reconstruction: result.loss };
  };
  const adversarialStep = async (step: number): Promise<PhaseTwoStepLosses> => {
    scheduleFor(step);
    const inputs = await stepInputs(samplers.adversarial.next(), step);
    const x = inputs.x;
    const result = await advTrainer!.step(inputs);
    const losses: PhaseTwoStepLosses = {
      step,
      loss: result.loss,
      reconstruction: (result.outputs.reconstruction.data as Float32Array)[0],
      adversarial: (result.outputs.adversarial.data as Float32Array)[0],
    };
    const fake = result.outputs.final_images.data as Float32Array;
    losses.d = (await dTrainer!.step({ real: x, fake })).loss;
    if (step % r1Every === 0) losses.r1 = (await r1Trainer!.step({ real: x })).loss;
    return losses;
  };

  type Validation = Omit<PhaseTwoValidation, "step" | "best">;
  const validate = async (): Promise<Validation> => {
    const sums = { l2One: 0, l2Two: 0, psnrOne: 0, psnrTwo: 0 };
    const batches = validationBatchCount(data.validation, validationBatch, config.validationImages);
    const input = validationGraph.inputs[0].name;
    const runs = validationBatches(validationGraph, parameters, data.validation, {
      batch: validationBatch,
      batches,
      input,
      device: options.device,
    });
    for await (const { x, outputs } of runs) {
      for (const [key, output] of [["One", "w_images"], ["Two", "final_images"]] as const) {
        const y = outputs[output].data as Float32Array;
        for (const image of l2AndPsnrOnUnitRange(y, x, { batch: validationBatch }).perImage) {
          sums[`l2${key}`] += image.l2; // on [0, 1]: exactly ¼ of the MSE on [−1, 1]
          sums[`psnr${key}`] += image.psnr;
        }
      }
    }
    const n = batches * validationBatch;
    return {
      l2PhaseOne: sums.l2One / n,
      l2PhaseTwo: sums.l2Two / n,
      psnrPhaseOne: sums.psnrOne / n,
      psnrPhaseTwo: sums.psnrTwo / n,
      // The training objective's unit (MSE on [−1, 1]); ×4 is exact, so the loss and the best checkpoint are unchanged.
      loss: (weights.l2 * (4 * sums.l2Two)) / n,
    };
  };

  const run = await runTrainingLoop<PhaseTwoStepLosses, Validation>({
    directory: options.directory,
    steps,
    // What a resume must keep to continue the run exactly (not `steps`: a resume may extend the run).
    settings: runSettings({
      architecture: config.architecture,
      discriminator: config.discriminator,
      batch,
      adversarialBatch,
      learningRate,
      ...(config.learningRateDecay ? { learningRateDecay: config.learningRateDecay } : {}),
      discriminatorLearningRate: config.discriminatorLearningRate ?? 1e-4,
      // Terms added later appear only when used, so that runs from before them resume without a warning.
      weights: Object.fromEntries(
        Object.entries(weights).filter(([term, value]) =>
          value > 0 || ["l2", "lpips", "adversarial"].includes(term)
        ),
      ),
      ...(weights.id > 0 ? { idNetwork: options.idNetwork!.description } : {}),
      ...(flip ? { horizontalFlip: true } : {}),
      adversarialFromStep: config.adversarialFromStep ?? null,
      ...(coldSteps > 0 ? { coldSteps } : {}),
      r1Gamma: config.r1Gamma ?? 10,
      r1Every,
      validateEvery: config.validateEvery ?? 1000,
      validationImages: config.validationImages ?? null,
      seed,
      trainImages: data.train.count,
    }),
    // Step s is adversarial when s > adversarialFromStep; the best tracker restarts at the switch and, with cold
    // steps, again at switch + coldSteps (coach.py L205-216).
    phases: [
      { name: "plain", until: adversarialFrom, step: plainStep },
      ...(coldSteps > 0
        ? [{ name: "adversarial, cold", until: adversarialFrom + coldSteps, step: adversarialStep }]
        : []),
      { name: "adversarial", step: adversarialStep },
    ],
    checkpointEvery: config.checkpointEvery ?? 1000,
    validation: { every: config.validateEvery ?? 1000, run: validate, checkpoint: "best" },
    checkpoint: {
      parameters: saved,
      optimizer: combineOptimizers({ E: eOptimizer, D: dOptimizer }),
      state: () => ({
        samplers: { plain: { ...samplers.plain.state() }, adversarial: { ...samplers.adversarial.state() } },
      }),
      // A run saved before its adversarial phase was planned (adversarialFromStep ≥ its steps) has no D: extending
      // it past the switch starts D from the initial discriminator (the generator run's), as a fresh run would.
      freshIfMissing: isDiscriminator,
      restore(loaded) {
        const state = loaded.state as { samplers: SamplerPositions };
        samplers.plain.restore(state.samplers.plain);
        samplers.adversarial.restore(state.samplers.adversarial);
      },
    },
    logRecord(losses, validation) {
      const { step: _, ...rest } = losses;
      const record: Record<string, number> = { ...rest };
      if (validation) {
        // The names say the unit: L2 on [0, 1] images (as metrics.json), PSNR in dB; val_loss is the objective's.
        record.val_l2PhaseOne_01 = validation.l2PhaseOne;
        record.val_l2PhaseTwo_01 = validation.l2PhaseTwo;
        record.val_psnrPhaseOne_dB = validation.psnrPhaseOne;
        record.val_psnrPhaseTwo_dB = validation.psnrPhaseTwo;
        record.val_loss = validation.loss;
      }
      return record;
    },
    stopAfter: options.stopAfter,
    onStart: options.onStart,
    onStep: options.onStep,
    onWarning: options.onWarning,
  });
  return {
    step: run.step,
    losses: run.losses,
    validations: run.validations,
    parameters,
    phaseOneCache: phaseOne.stats,
  };
}
