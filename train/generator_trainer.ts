/**
 * A StyleGAN2 generator trainer (enough to train the project's own small generator on a CPU): the non-saturating
 * logistic loss, lazy R1 on the discriminator (every `r1Every` steps, with ADA's learning-rate and β adjustment),
 * the running `mapping.w_avg`, and an EMA copy of G. Resumable: checkpoints (parameters, both optimizers, EMA,
 * sampler state) are written atomically every `checkpointEvery` steps, a JSONL log records the losses, and a killed
 * run continues from the last checkpoint with the same batches and noise.
 *
 * Each step runs three graphs (each one ONNX session): G (z → G → D → loss, gradients of G), D (real and G(z) →
 * logistic loss, gradients of D) and, every `r1Every` steps, R1 (real → D → γ/2·‖∇D‖²·r1Every, double backprop).
 *
 * @module
 */

import { GraphBuilder } from "../graph/builder.ts";
import {
  type GeneratorConfig,
  isPowerOfTwo,
  MAX_RESOLUTION,
  MIN_RESOLUTION,
  resolveGeneratorConfig,
} from "../generator/config.ts";
import { buildMapping } from "../generator/mapping.ts";
import { buildSynthesis } from "../generator/synthesis.ts";
import { type DiscriminatorConfig, resolveDiscriminatorConfig } from "../generator/discriminator.ts";
import { nonSaturatingLoss } from "../losses/adversarial.ts";
import { prngFill } from "../io/prng.ts";
import { Adam, combineOptimizers, type TrainableParameter } from "./optimizers.ts";
import { addTrainingOutputs, Trainer } from "./training_step.ts";
import { runSettings } from "./resume.ts";
import { BatchSampler } from "./data/batches.ts";
import {
  addDiscriminatorStep,
  lazyRegularizedAdam,
  r1StepGraph,
  scopedDiscriminator,
} from "./discriminator_steps.ts";
import { runTrainingLoop } from "./training_loop.ts";

/**
 * The one place the generator trainer's defaults live: `trainGenerator` fills a config's missing fields from it,
 * and `cli/train_generator.ts` reads JSON configs over it (a key it lacks is refused, naming the valid keys), so
 * the trainer, the command line and the JSON configs cannot disagree. `train/configs/generator_fmnist32.json`
 * spells these values out.
 */
export const GENERATOR_TRAINING_DEFAULTS = Object.freeze({
  /** Generator architecture: the 32² Fashion-MNIST generator (resolution a power of two in 8..1024). */
  generator: Object.freeze({
    resolution: 32,
    channelBase: 2048,
    channelMax: 128,
    mappingLayers: 4,
    zDim: 512,
    wDim: 512,
    /** 3 for RGB, 1 for grayscale: the channels asked of the data source. */
    imgChannels: 3,
  }),
  /** Images per step. */
  batch: 16,
  /** Adam learning rate for G and D (ADA's 0.0025). */
  learningRate: 0.0025,
  /** R1 γ (small images want a small γ; ADA's heuristic is 0.0002·R²/batch). */
  r1Gamma: 0.1,
  /** Lazy R1 interval in steps. */
  r1Every: 16,
  /** EMA half-life of G, in images. */
  emaHalfLifeImages: 5000,
  /** Total steps. */
  steps: 20000,
  /** Checkpoint interval in steps. */
  checkpointEvery: 200,
  /** Seed of the noise and the batch order. */
  seed: 1,
});

/** Configuration of {@linkcode trainGenerator}; every field but `generator.resolution` and `steps` defaults to
 * {@linkcode GENERATOR_TRAINING_DEFAULTS}. */
export interface GeneratorTrainingConfig {
  /** Generator architecture (resolution required; `imgChannels` 3 for RGB or 1 for grayscale). */
  generator: Partial<GeneratorConfig> & { resolution: number };
  /** Discriminator channels (default: the generator's channelBase / channelMax). */
  discriminator?: { channelBase?: number; channelMax?: number };
  /** Images per step. */
  batch?: number;
  /** Adam learning rate for G and D. */
  learningRate?: number;
  /** R1 γ. */
  r1Gamma?: number;
  /** Lazy R1 interval. */
  r1Every?: number;
  /** EMA half-life of G in images. */
  emaHalfLifeImages?: number;
  /** Total steps. */
  steps: number;
  /** Checkpoint interval in steps. */
  checkpointEvery?: number;
  /** Seed of the noise and the batch order. */
  seed?: number;
}

/**
 * Checks what the generator trainer supports: a power-of-two resolution in 8..1024, 1 or 3 image channels,
 * positive integer batch, steps, intervals, and non-negative rates.
 *
 * @param config a training config
 * @throws {RangeError} naming the field and value
 * @example
 * ```ts
 * import { checkGeneratorTrainingConfig } from "./generator_trainer.ts";
 * try {
 *   checkGeneratorTrainingConfig({ generator: { resolution: 48 }, steps: 1 });
 * } catch (error) {
 *   console.log((error as Error).message); // generator.resolution must be a power of two in 8..1024, got 48
 * }
 * ```
 */
export function checkGeneratorTrainingConfig(config: GeneratorTrainingConfig): void {
  const r = config.generator.resolution;
  if (!isPowerOfTwo(r) || r < MIN_RESOLUTION || r > MAX_RESOLUTION) {
    throw new RangeError(
      `generator.resolution must be a power of two in ${MIN_RESOLUTION}..${MAX_RESOLUTION}, got ${r}`,
    );
  }
  const channels = config.generator.imgChannels ?? GENERATOR_TRAINING_DEFAULTS.generator.imgChannels;
  if (channels !== 1 && channels !== 3) {
    throw new RangeError(`generator.imgChannels must be 1 (grayscale) or 3 (RGB), got ${channels}`);
  }
  for (const key of ["batch", "r1Every", "steps", "checkpointEvery"] as const) {
    const value = config[key];
    if (value !== undefined && !(Number.isInteger(value) && value >= 1)) {
      throw new RangeError(`${key} must be a positive integer, got ${value}`);
    }
  }
  for (const key of ["learningRate", "r1Gamma", "emaHalfLifeImages"] as const) {
    const value = config[key];
    if (value !== undefined && !(Number.isFinite(value) && value >= 0)) {
      throw new RangeError(`${key} must be a finite number ≥ 0, got ${value}`);
    }
  }
}

type Parameters = Map<string, TrainableParameter>;

function isGeneratorParameter(name: string): boolean {
  return name.startsWith("mapping.") || name.startsWith("synthesis.");
}

/** The three step graphs. */
export function generatorTrainingGraphs(
  generator: GeneratorConfig,
  discriminator: DiscriminatorConfig,
  batch: number,
  r1: { gamma: number; every: number },
): { gStep: GraphBuilder; dStep: GraphBuilder; r1Step: GraphBuilder } {
  const size = generator.resolution, channels = generator.imgChannels;
  const fake = (g: GraphBuilder, z: ReturnType<GraphBuilder["input"]>) => {
    const ws = buildMapping(g, generator, z); // [B, numWs, wDim]
    return { ws, img: buildSynthesis(g, generator, ws) }; // [B, C, R, R]
  };

  const gStep = new GraphBuilder("train_g");
  {
    const z = gStep.input("z", [batch, generator.zDim]);
    const { ws, img } = fake(gStep, z);
    const loss = nonSaturatingLoss(gStep, scopedDiscriminator(gStep, img, discriminator));
    addTrainingOutputs(gStep, loss, { trainable: (n) => isGeneratorParameter(n) && n !== "mapping.w_avg" });
    const firstRow = gStep.reshape(gStep.slice(ws, [1], [0], [1]), [batch, generator.wDim]); // [B, wDim]
    gStep.output(gStep.reduceMean(firstRow, [0], false), "w_mean"); // for the running w_avg
  }
  const dStep = new GraphBuilder("train_d");
  {
    const real = dStep.input("real", [batch, channels, size, size]);
    const z = dStep.input("z", [batch, generator.zDim]);
    addDiscriminatorStep(dStep, real, () => fake(dStep, z).img, discriminator);
  }
  const r1Step = r1StepGraph("train_r1", [batch, channels, size, size], discriminator, r1);
  return { gStep, dStep, r1Step };
}

/** Losses of one step. */
export interface GeneratorStepLosses {
  step: number;
  /** G's non-saturating loss. */
  g: number;
  /** D's logistic loss. */
  d: number;
  /** The R1 loss, on lazy-R1 steps. */
  r1?: number;
}

/** What a training run reports. */
export interface GeneratorTrainingReport {
  /** Step reached. */
  step: number;
  /** Losses of each step run in this call. */
  losses: GeneratorStepLosses[];
  /** The EMA generator weights (what to ship). */
  ema: Map<string, Float32Array>;
  /** Every parameter (G and D), live. */
  parameters: Parameters;
}

/**
 * Trains (or resumes training) a generator: one phase whose step is a G step, a D step, every `r1Every` steps a
 * lazy R1 step, and the `w_avg` and EMA updates, run by train/training_loop.ts.
 *
 * @param config training configuration
 * @param data `(indices) → Float32Array [B, C, R, R]` in [−1, 1] (C = `generator.imgChannels`), and the number of
 *   training images (a split of a `DataSource` opened at the generator's resolution and channels)
 * @param options `directory` for checkpoints and `log.jsonl`; `stopAfter`: stop after this many steps of this
 *   call (to simulate a kill); `onStart` receives the step the run continues from (0 for a fresh run) before the
 *   first step; `onStep` progress callback; `onWarning` receives each resume warning (default `console.warn`)
 * @returns the report
 * @throws {RangeError} for a config the trainer does not support ({@linkcode checkGeneratorTrainingConfig})
 * @throws {Error} naming the step, and the checkpoint after a resume, when a step fails (a NaN loss)
 */
export async function trainGenerator(
  config: GeneratorTrainingConfig,
  data: { count: number; batch: (indices: Int32Array) => Float32Array },
  options: {
    directory: string;
    /** Where the steps run (`cpu`, `cuda`, `webgpu`, `auto`; default `cpu`). */
    device?: string;
    stopAfter?: number;
    onStart?: (step: number) => void;
    onStep?: (step: number, losses: Record<string, number>) => void;
    onWarning?: (message: string) => void;
  },
): Promise<GeneratorTrainingReport> {
  checkGeneratorTrainingConfig(config);
  const defaults = GENERATOR_TRAINING_DEFAULTS;
  const generator = resolveGeneratorConfig({ ...defaults.generator, ...config.generator });
  const batch = config.batch ?? defaults.batch;
  const discriminator = resolveDiscriminatorConfig({
    resolution: generator.resolution,
    imgChannels: generator.imgChannels,
    channelBase: config.discriminator?.channelBase ?? generator.channelBase,
    channelMax: config.discriminator?.channelMax ?? generator.channelMax,
    mbstdGroupSize: Math.min(4, batch),
  });
  const r1Every = config.r1Every ?? defaults.r1Every;
  const r1Gamma = config.r1Gamma ?? defaults.r1Gamma;
  const emaHalfLifeImages = config.emaHalfLifeImages ?? defaults.emaHalfLifeImages;
  const graphs = generatorTrainingGraphs(generator, discriminator, batch, {
    gamma: r1Gamma,
    every: r1Every,
  });
  const seed = config.seed ?? defaults.seed;
  const lr = config.learningRate ?? defaults.learningRate;
  const gOptimizer = new Adam({ lr, beta1: 0, beta2: 0.99, eps: 1e-8 });
  const dOptimizer = lazyRegularizedAdam(lr, r1Every);

  // Parameters: every tensor of the three graphs, seeded as StyleGAN2 initialises them (N(0,1)-like raw weights,
  // biases 0, affine biases 1, mapping weights 1/lr_mul scale).
  const parameters: Parameters = new Map();
  let k = 0;
  for (const graph of [graphs.gStep, graphs.dStep, graphs.r1Step]) {
    for (const p of graph.parameters) {
      if (parameters.has(p.name)) continue;
      const name = p.name;
      const data = name.endsWith("affine.bias")
        ? new Float32Array(p.size).fill(1)
        : name.endsWith(".bias") || name.endsWith("noise_strength") || name.endsWith("w_avg")
        ? new Float32Array(p.size)
        : prngFill(
          seed + 17,
          k++,
          p.size,
          0,
          Math.sqrt(3) * (name.startsWith("mapping.fc") ? 1 / generator.mappingLrMultiplier : 1),
        );
      parameters.set(name, { data, shape: p.shape });
    }
  }
  const sampler = new BatchSampler(data.count, batch, seed, { dropLast: true });
  // The EMA of G starts at the live weights (a resume replaces it with the checkpoint's).
  const ema = new Map<string, Float32Array>();
  const emaFromLive = () => {
    for (const [name, p] of parameters) {
      if (isGeneratorParameter(name) && !ema.has(name)) ema.set(name, p.data.slice());
    }
  };
  emaFromLive();

  const device = { device: options.device };
  const gTrainer = new Trainer(graphs.gStep, parameters, gOptimizer, device);
  const dTrainer = new Trainer(graphs.dStep, parameters, dOptimizer, device);
  const r1Trainer = new Trainer(graphs.r1Step, parameters, dOptimizer, device);
  const emaBeta = 0.5 ** (batch / emaHalfLifeImages);
  const wAvg = parameters.get("mapping.w_avg")!.data;
  const z = (step: number, salt: number) =>
    prngFill(seed, 2 * step + salt, batch * generator.zDim, 0, Math.sqrt(3));
  const ganStep = async (step: number): Promise<GeneratorStepLosses> => {
    const g = await gTrainer.step({ z: z(step, 0) });
    const wMean = g.outputs.w_mean.data as Float32Array;
    for (let i = 0; i < wAvg.length; i++) wAvg[i] = wMean[i] + generator.wAvgBeta * (wAvg[i] - wMean[i]);
    const real = data.batch(sampler.next());
    const d = await dTrainer.step({ real, z: z(step, 1) });
    const losses: GeneratorStepLosses = { step, g: g.loss, d: d.loss };
    if (step % r1Every === 0) losses.r1 = (await r1Trainer.step({ real })).loss;
    return losses;
  };

  const run = await runTrainingLoop<GeneratorStepLosses, { loss: number }>({
    directory: options.directory,
    steps: config.steps,
    // What a resume must keep to continue the run exactly (not `steps`: a resume may extend the run).
    settings: runSettings({
      generator,
      discriminator: config.discriminator,
      batch,
      learningRate: lr,
      r1Gamma,
      r1Every,
      emaHalfLifeImages,
      seed,
      trainImages: data.count,
    }),
    phases: [{ name: "adversarial", step: ganStep }],
    checkpointEvery: config.checkpointEvery ?? defaults.checkpointEvery,
    checkpoint: {
      parameters,
      optimizer: combineOptimizers({ G: gOptimizer, D: dOptimizer }),
      state: () => ({ sampler: { ...sampler.state() } }),
      extra: () => Object.fromEntries([...ema].map(([name, value]) => [`ema/${name}`, value])),
      restore(loaded) {
        ema.clear();
        for (const [name, value] of loaded.extra) ema.set(name.replace(/^ema\//, ""), value.slice());
        emaFromLive();
        sampler.restore((loaded.state as { sampler: { epoch: number; position: number } }).sampler);
      },
    },
    afterStep() {
      for (const [name, shadow] of ema) {
        const live = parameters.get(name)!.data;
        for (let i = 0; i < shadow.length; i++) shadow[i] = live[i] + emaBeta * (shadow[i] - live[i]);
      }
    },
    logRecord: (losses) => ({
      g: losses.g,
      d: losses.d,
      ...(losses.r1 === undefined ? {} : { r1: losses.r1 }),
    }),
    stopAfter: options.stopAfter,
    onStart: options.onStart,
    onStep: (step, losses) => options.onStep?.(step, { g: losses.g, d: losses.d }),
    onWarning: options.onWarning,
  });
  return { step: run.step, losses: run.losses, ema, parameters };
}
