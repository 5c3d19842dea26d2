/**
 * The ablation runner: trains every `train` variant of a suite that has no model yet (phase II from scratch on
 * the base model's frozen generator and W encoder, the suite's budget for all), resuming an interrupted variant
 * from its last checkpoint in `runs/<suite>/<variant>/`, then evaluates every variant without `metrics.json`
 * (all of them with `reevaluate`, so that ms/image comes from one process) and writes the layout of
 * `experiments/README.md`.
 *
 * Safe with other runners of the same suite on a shared filesystem (Slurm array tasks, see experiments/slurm/):
 * a variant is trained or evaluated only under its lock (experiments/variant_lock.ts, `<runs>/<suite>/<variant>/
 * owner.lock`; a variant locked by a live owner is left to it), and its `progress.json` (experiments/progress.ts)
 * says where it stands: running with its step (at most once a second), evaluating, done, or failed with the
 * reason. A stop request (train/stop_request.ts, SIGTERM) checkpoints the variant in training and ends the call.
 *
 * @module
 */

import { loadHyperInverter } from "../model/load.ts";
import { readManifest } from "../model/manifest.ts";
import type { HyperInverter } from "../model/hyperinverter.ts";
import type { Weight } from "../io/weights_file.ts";
import { pathExists, writeFileAtomic } from "../io/atomic_write.ts";
import { type IdNetwork, loadIdNetwork, modelClassifierPath } from "../editing/classifier_features.ts";
import { loadBestCheckpoint, loadLatestCheckpoint } from "../train/checkpoint.ts";
import { type ImageSet, type PhaseTwoStepLosses, trainPhaseTwo } from "../train/phase_two_trainer.ts";
import { evaluateModel, type FeatureFunction } from "./evaluate.ts";
import { writeModelFolder } from "../model/model_folder.ts";
import {
  EXPERIMENTS_ROOT,
  readSuite,
  resultDirectory,
  type Suite,
  suiteModelPath,
  type VariantMetrics,
} from "./store.ts";
import { type ResolvedVariant, resolveVariant } from "./variant.ts";
import { type GitState, gitState, type PluginProvenance, pluginProvenance } from "./provenance.ts";
import { resolveHypernetPlugins } from "../hypernet/plugins.ts";
import { writeProgress } from "./progress.ts";
import {
  acquireVariantLock,
  type LockOptions,
  type VariantLock,
  VariantLockedError,
} from "./variant_lock.ts";
import { trainingStopRequested } from "../train/stop_request.ts";

/** Options of {@linkcode runSuite}. */
export interface RunSuiteOptions {
  /** Training, validation and held-out test images ([B, 3, R, R] in [−1, 1]). */
  data: { train: ImageSet; validation: ImageSet; test: ImageSet };
  /** The experiments folder: results go to `<root>/results/<suite>/` (default: `./data`, the project's own). */
  root?: string;
  /**
   * Where a relative suite `base` or `model` folder is looked up when the suite file's own folder has no model
   * there (default: the parent of `root`).
   */
  repositoryRoot?: string;
  /** The resolved name of the data source `data` came from, recorded in `variant.json` (`dataSource`). */
  dataSource?: string;
  /** Checkpoint folders (default `<repositoryRoot>/runs`): `<runs>/<suite>/<variant>/`. */
  runsRoot?: string;
  /** Only these variants (default: all). */
  variants?: readonly string[];
  /** Re-evaluate variants that already have metrics (one process measures every ms/image). */
  reevaluate?: boolean;
  /** Skip the evaluation (train only). */
  trainOnly?: boolean;
  /** Skip the training (evaluate the variants trained so far; a Slurm suite's evaluation job). */
  evaluateOnly?: boolean;
  /** How a variant's lock is judged stale (default: squeue, the owner's process, an age limit). */
  lock?: LockOptions;
  /**
   * Train again the variants that are trained (`variant.json`) but whose model folder is absent — the repository
   * does not store variant models — resuming from `runs/` when its checkpoints are there; metrics are kept unless
   * `reevaluate`.
   */
  restoreModels?: boolean;
  /** Where training and evaluation run (`cpu`, `cuda`, `webgpu`, `auto`; default `cpu`). */
  device?: string;
  /** Stop each variant's training after this many steps of this call (simulates a kill, for tests). */
  stopAfter?: number;
  /** Set indices written as samples (default: the first 6). */
  sampleIndices?: readonly number[];
  /**
   * Feature function of the feature-identity metric and its name for `metrics.json`, or a loader called when the
   * evaluation starts (after training, so that a classifier trained meanwhile is used); null leaves it null.
   */
  features?:
    | { name: string; run: FeatureFunction }
    | (() => Promise<{ name: string; run: FeatureFunction } | null>);
  /** Progress: one line per event, and the training steps. */
  onEvent?: (message: string) => void;
  onStep?: (variant: string, step: number, steps: number, losses: PhaseTwoStepLosses) => void;
}

/** What {@linkcode runSuite} did. */
export interface RunSuiteReport {
  trained: string[];
  /** Trained variants whose training stopped early (`stopAfter`): resumable. */
  unfinished: string[];
  skippedTraining: string[];
  evaluated: string[];
  skippedEvaluation: string[];
  /** Variants left alone because another live process holds their lock (e.g. a Slurm task of the suite). */
  busy: string[];
  /** Why the call stopped early (train/stop_request.ts, e.g. `SIGTERM`), if it did. */
  stoppedBy?: string;
}

const isPhaseTwo = (name: string) => name.startsWith("w_bar_encoder.") || name.startsWith("hypernet.");

async function readSeconds(path: string): Promise<number> {
  try {
    return JSON.parse(await Deno.readTextFile(path)).trainSeconds ?? 0;
  } catch {
    return 0;
  }
}

/** The base model's frozen modules (generator, W encoder) as files the variant's manifest points at. */
async function sharedModules(basePath: string): Promise<Record<"generator" | "wEncoder", string>> {
  const { manifest, directory } = await readManifest(basePath);
  const at = (file: string) => file.startsWith("/") ? file : `${directory}/${file}`;
  return { generator: at(manifest.weights.generator), wEncoder: at(manifest.weights.wEncoder) };
}

/**
 * The identity loss's feature network of a suite whose training sets `weights.id`: the base model's `conv`
 * classifier (`<base folder>/attributes/conv.safetensors`), the network its feature-identity metric uses.
 */
async function baseIdNetwork(basePath: string): Promise<IdNetwork> {
  const path = modelClassifierPath(basePath);
  if (!await pathExists(path)) {
    throw new Deno.errors.NotFound(
      `The suite's training sets weights.id > 0, which needs the base model's classifier ${path} ` +
        "(deno task learn-directions writes it)",
    );
  }
  return await loadIdNetwork(path);
}

/**
 * Trains one variant (or resumes it); writes `log.jsonl`, the model folder and `variant.json` (last) when it reaches
 * its step count.
 *
 * @returns whether the training finished
 */
async function trainVariant(
  variant: ResolvedVariant,
  provenance: Record<string, unknown>,
  base: HyperInverter,
  basePath: string,
  directory: string,
  runDirectory: string,
  options: RunSuiteOptions,
  onProgress: (step: number) => void,
): Promise<boolean> {
  await Deno.mkdir(runDirectory, { recursive: true });
  const frozenWeights = new Map<string, Float32Array>();
  for (const [name, value] of base.weights as ReadonlyMap<string, Weight>) {
    if (!isPhaseTwo(name)) frozenWeights.set(name, value.data);
  }
  const idNetwork = (variant.training.weights?.id ?? 0) > 0 ? await baseIdNetwork(basePath) : undefined;
  const timeFile = `${runDirectory}/time.json`;
  const before = await readSeconds(timeFile);
  const start = performance.now();
  const saveTime = () =>
    writeFileAtomic(timeFile, JSON.stringify({ trainSeconds: before + (performance.now() - start) / 1000 }));
  const steps = variant.training.steps;
  const report = await trainPhaseTwo(variant.training, options.data, {
    directory: runDirectory,
    frozenWeights,
    idNetwork,
    device: options.device,
    stopAfter: options.stopAfter,
    onStart: onProgress,
    onStep(step, losses) {
      onProgress(step);
      options.onStep?.(variant.name, step, steps, losses);
      if (step % 50 === 0) void saveTime();
    },
  });
  await saveTime();
  if (report.step < steps) return false;
  const checkpoint = await loadBestCheckpoint(runDirectory) ?? await loadLatestCheckpoint(runDirectory);
  if (!checkpoint) throw new Deno.errors.NotFound(`No checkpoint in ${runDirectory}`);
  const weights = new Map<string, Weight>();
  for (const [name, value] of base.weights as ReadonlyMap<string, Weight>) {
    if (!isPhaseTwo(name)) weights.set(name, value);
  }
  for (const [name, value] of checkpoint.parameters) if (isPhaseTwo(name)) weights.set(name, value);
  const trainSeconds = await readSeconds(timeFile);
  await Deno.mkdir(directory, { recursive: true });
  await Deno.copyFile(`${runDirectory}/log.jsonl`, `${directory}/log.jsonl`);
  await writeModelFolder(`${directory}/model`, {
    name: `${variant.suite}-${variant.name}`,
    architecture: variant.architecture,
    weights,
    shared: await sharedModules(basePath),
    provenance: {
      base: variant.base,
      phaseTwo: `${variant.suite}/${variant.name}: ${steps} steps, checkpoint of step ${checkpoint.step}`,
      data: provenance.dataSource,
      plugins: provenance.plugins,
    },
  });
  // Written last: a variant with a variant.json is trained (its model folder may be left uncommitted).
  await writeFileAtomic(
    `${directory}/variant.json`,
    JSON.stringify({ ...variant, ...provenance, checkpointStep: checkpoint.step, trainSeconds }, null, 2) +
      "\n",
  );
  return true;
}

/**
 * Trains and evaluates a suite (see the module documentation).
 *
 * @param suiteSpec the suite: a name (`<root>/suites/<suite>.json`) or a suite read with `readSuiteFile`
 * @param options data, folders, which variants, re-evaluation, progress
 * @returns which variants were trained, skipped and evaluated
 * @throws {RangeError} for an invalid suite or variant name, or a variant the suite lacks
 * @throws {PluginError} (io/plugin_loader.ts) naming a plug-in whose source cannot be read
 */
export async function runSuite(suiteSpec: string | Suite, options: RunSuiteOptions): Promise<RunSuiteReport> {
  const root = options.root ?? EXPERIMENTS_ROOT;
  const repositoryRoot = options.repositoryRoot ?? `${root}/..`;
  const runsRoot = options.runsRoot ?? `${repositoryRoot}/runs`;
  const say = options.onEvent ?? (() => {});
  const suite = typeof suiteSpec === "string" ? await readSuite(suiteSpec, root) : suiteSpec;
  const suiteName = suite.name;
  const selected = options.variants ?? suite.variants.map((v) => v.name);
  for (const name of selected) {
    if (!suite.variants.some((v) => v.name === name)) {
      throw new RangeError(
        `Suite "${suiteName}" has no variant "${name}"; it has ${
          suite.variants.map((v) => v.name).join(", ")
        }`,
      );
    }
  }
  const basePath = suiteModelPath(suite, suite.base, repositoryRoot);
  const base = await loadHyperInverter(basePath, { device: options.device });
  const variants = suite.variants.filter((v) => selected.includes(v.name))
    .map((v) => resolveVariant(suite, v, JSON.parse(Deno.readTextFileSync(basePath)).architecture));
  const git = await gitState();
  const provenanceOf = async (variant: ResolvedVariant) => {
    const fields: Record<string, unknown> = { data: variant.data };
    for (const [key, value] of Object.entries(variant.architecture.hypernet)) {
      fields[`hypernet.${key}`] = value;
    }
    const plugins: PluginProvenance[] = await pluginProvenance(fields, suite.file);
    const record: { git?: GitState; dataSource: string; plugins: PluginProvenance[] } = {
      dataSource: options.dataSource ??
        (typeof variant.data === "string" ? variant.data : JSON.stringify(variant.data)),
      plugins,
    };
    if (git) record.git = git;
    return record;
  };
  const report: RunSuiteReport = {
    trained: [],
    unfinished: [],
    skippedTraining: [],
    evaluated: [],
    skippedEvaluation: [],
    busy: [],
  };
  const lockVariant = async (name: string): Promise<VariantLock | null> => {
    try {
      const lock = await acquireVariantLock(`${runsRoot}/${suite.name}/${name}/owner.lock`, options.lock);
      if (lock.tookOverBecause) say(`${name}: took over a stale lock (${lock.tookOverBecause})`);
      return lock;
    } catch (error) {
      if (!(error instanceof VariantLockedError)) throw error;
      say(`${name}: skipped, ${error.message}`);
      report.busy.push(name);
      return null;
    }
  };
  const progress = (name: string, record: Parameters<typeof writeProgress>[2]) =>
    writeProgress(suite.name, name, record, root);
  const failed = (name: string, error: unknown) =>
    progress(name, { state: "failed", error: error instanceof Error ? error.message : String(error) });

  for (const variant of options.evaluateOnly ? [] : variants) {
    if (variant.mode !== "train") continue;
    const directory = resultDirectory(suite.name, variant.name, root);
    const missingModel = options.restoreModels && !await pathExists(`${directory}/model/model.json`);
    if (await pathExists(`${directory}/variant.json`) && !missingModel) {
      report.skippedTraining.push(variant.name);
      continue;
    }
    const lock = await lockVariant(variant.name);
    if (!lock) continue;
    const steps = variant.training.steps;
    let step = 0;
    let writing: Promise<unknown> = Promise.resolve(); // the progress writes, in order
    try {
      // Trained by another process while this one waited for the lock.
      if (await pathExists(`${directory}/variant.json`) && !missingModel) {
        report.skippedTraining.push(variant.name);
        continue;
      }
      say(`training ${variant.name} (${variant.label}), ${steps} steps`);
      const runDirectory = `${runsRoot}/${suite.name}/${variant.name}`;
      const provenance = await provenanceOf(variant);
      // The suite names its plug-ins (the user chose the code): loaded here so the graph builders find them.
      await resolveHypernetPlugins(variant.architecture.hypernet, { onPluginLoad: say });
      let written = 0;
      const onProgress = (at: number) => {
        step = at;
        // At most once a second (and at the last step): readers poll the file, a step can take milliseconds.
        if (performance.now() - written < 1000 && at !== steps) return;
        written = performance.now();
        writing = writing.then(() =>
          Promise.all([progress(variant.name, { state: "running", step: at, steps }), lock.refresh()])
        );
      };
      const finished = await trainVariant(
        variant,
        provenance,
        base,
        basePath,
        directory,
        runDirectory,
        options,
        onProgress,
      );
      await writing;
      (finished ? report.trained : report.unfinished).push(variant.name);
      const stoppedBy = trainingStopRequested();
      if (!finished && stoppedBy !== null) {
        report.stoppedBy = stoppedBy;
        await failed(
          variant.name,
          `Interrupted by ${stoppedBy} at step ${step}/${steps}; resumes from its checkpoint when run again`,
        );
        return report;
      }
      // Trained and waiting for its evaluation (or, with stopAfter, for the rest of its training).
      await progress(variant.name, { state: "queued", step, steps });
    } catch (error) {
      await writing.catch(() => {});
      await failed(variant.name, error);
      throw error;
    } finally {
      await lock.release();
    }
  }
  if (options.trainOnly) return report;

  const evaluation = { images: 1000, batch: 50, ...suite.evaluation };
  let features: { name: string; run: FeatureFunction } | null | undefined = undefined;
  const loadFeatures = async () => {
    if (features === undefined) {
      features = typeof options.features === "function" ? await options.features() : options.features ?? null;
    }
    return features;
  };
  for (const variant of variants) {
    const directory = resultDirectory(suite.name, variant.name, root);
    if (!options.reevaluate && await pathExists(`${directory}/metrics.json`)) {
      report.skippedEvaluation.push(variant.name);
      continue;
    }
    if (variant.mode === "train" && !await pathExists(`${directory}/variant.json`)) continue; // not trained yet
    const lock = await lockVariant(variant.name);
    if (!lock) continue;
    try {
      // Evaluated by another process while this one waited for the lock.
      if (!options.reevaluate && await pathExists(`${directory}/metrics.json`)) {
        report.skippedEvaluation.push(variant.name);
        continue;
      }
      await progress(variant.name, { state: "evaluating" });
      if (await evaluateVariant(variant, directory)) {
        report.evaluated.push(variant.name);
        await progress(variant.name, { state: "done" });
      }
    } catch (error) {
      await failed(variant.name, error);
      throw error;
    } finally {
      await lock.release();
    }
  }
  return report;

  /** Evaluates one variant; false when it has no model folder to evaluate (its metrics are kept). */
  async function evaluateVariant(variant: ResolvedVariant, directory: string): Promise<boolean> {
    let model: HyperInverter;
    let trainSeconds = 0, steps = 0;
    if (variant.mode === "train") {
      if (!await pathExists(`${directory}/model/model.json`)) {
        say(`${variant.name}: trained, but its model folder is not stored; keeping its metrics`);
        report.skippedEvaluation.push(variant.name);
        return false;
      }
      // The variant's own plug-ins, checked against the sha256 its model.json recorded at training time.
      model = await loadHyperInverter(`${directory}/model/model.json`, {
        allowPlugins: true,
        onPluginLoad: say,
        device: options.device,
      });
      const resolved = JSON.parse(await Deno.readTextFile(`${directory}/variant.json`));
      trainSeconds = resolved.trainSeconds ?? 0;
      steps = variant.training.steps;
    } else {
      model = variant.mode === "pretrained"
        ? await loadHyperInverter(suiteModelPath(suite, variant.model!, repositoryRoot), {
          device: options.device,
        })
        : base;
      await Deno.mkdir(directory, { recursive: true });
      const record = { ...variant, ...await provenanceOf(variant) };
      await writeFileAtomic(`${directory}/variant.json`, JSON.stringify(record, null, 2) + "\n");
    }
    say(`evaluating ${variant.name} on ${evaluation.images} held-out images`);
    const identity = await loadFeatures();
    const phaseOneOnly = variant.mode === "phaseOne";
    const result = await evaluateModel(model, options.data.test, {
      images: evaluation.images,
      batch: evaluation.batch,
      phaseOneOnly,
      sampleIndices: options.sampleIndices ??
        Array.from({ length: Math.min(evaluation.samples ?? 6, options.data.test.count) }, (_, i) => i),
      samplesDirectory: `${directory}/samples`,
      features: identity?.run,
    });
    const counts = model.parameterCounts();
    const metrics: VariantMetrics = {
      l2: result.l2,
      psnr: result.psnr,
      msSsim: result.msSsim,
      msSsimSettings: result.msSsimLabel,
      featureIdentity: result.featureIdentity,
      featureIdentityModel: identity?.name ?? null,
      lpips: null,
      msPerImage: result.msPerImage,
      parameters: phaseOneOnly ? 0 : counts.layerWiseEncoder + counts.hypernet,
      parametersHypernet: phaseOneOnly ? 0 : counts.hypernet,
      parametersTotal: phaseOneOnly
        ? counts.generator + counts.wEncoder
        : Object.values(counts).reduce((a, b) => a + b, 0),
      steps,
      trainSeconds,
      provider: result.provider,
      images: result.images,
      evaluatedAt: new Date().toISOString(),
    };
    if (!phaseOneOnly) {
      await writeFileAtomic(`${directory}/delta_w.json`, JSON.stringify(result.deltaW, null, 2) + "\n");
    }
    await writeFileAtomic(`${directory}/metrics.json`, JSON.stringify(metrics, null, 2) + "\n");
    return true;
  }
}
