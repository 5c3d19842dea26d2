/**
 * Submitting a suite to Slurm: one array task per variant that still needs training (each runs `ablate <suite>
 * --variants <its variant> --train-only`, the same resumable runner as a local run, on the device asked for),
 * then one job, dependent on the whole array (`afterany`), that evaluates every variant without metrics in one
 * process (`ablate <suite> --evaluate-only`, so every ms/image is measured alike) and writes the suite's tables.
 *
 * Resubmitting is safe: trained variants are not submitted again, nor variants whose task is still queued or
 * running (their progress names the job, squeue says it is active); an interrupted variant's new task resumes
 * from its checkpoint. Each submitted variant's `progress.json` is set to "queued" with its task's job id.
 *
 * @module
 */

import { pathExists } from "../../io/atomic_write.ts";
import { readProgress, writeProgress } from "../progress.ts";
import { resultDirectory, type Suite } from "../store.ts";
import { batchScript, raw, type SlurmResources } from "./batch_script.ts";
import { isJobActive, type QueuedJob, readQueue, submitBatch } from "./queue.ts";

/** Options of {@linkcode submitSuite}. */
export interface SubmitSuiteOptions {
  /** The experiments folder (results, progress). */
  root: string;
  /** Checkpoint folders: the logs and scripts go to `<runsRoot>/<suite>/slurm/`. */
  runsRoot: string;
  /** The folder the jobs run in (the submitter's current directory). */
  workdir: string;
  /**
   * The ablate command line every job repeats: the program and its arguments up to the suite's own options
   * (e.g. `[deno, "run", "-A", "/repo/cli/ablate.ts", "/x/suites/s.json", "--experiments", "/x"]`).
   */
  command: readonly string[];
  /** Only these variants (default: all). */
  variants?: readonly string[];
  /** Train again the trained variants whose model folder is absent (as `ablate --restore-models`). */
  restoreModels?: boolean;
  /** Re-evaluate every variant. */
  reevaluate?: boolean;
  /** Partition, GPUs, time limit, other sbatch options. */
  resources?: SlurmResources;
  /** Submits a script and returns its job id (default: sbatch). */
  submit?: (script: string) => Promise<string>;
  /** The queue (default: squeue's; null when Slurm cannot be asked). */
  queue?: Map<string, QueuedJob> | null;
}

/** What {@linkcode submitSuite} submitted. */
export interface SubmittedSuite {
  /** The array job training the variants, or null when none needed training. */
  trainingJob: string | null;
  /** The variants submitted for training, in array-task order (task i trains `trained[i]`). */
  training: string[];
  /** The evaluation job, or null when nothing is left to evaluate. */
  evaluationJob: string | null;
  /** Variants not submitted for training, and why. */
  skipped: { variant: string; why: string }[];
}

/**
 * Submits a suite's missing work (see the module documentation).
 *
 * @param suite the suite
 * @param options folders, the command, resources
 * @returns the job ids and what was submitted
 * @throws {Error} when sbatch refuses a job (its message)
 */
export async function submitSuite(suite: Suite, options: SubmitSuiteOptions): Promise<SubmittedSuite> {
  const selected = suite.variants.filter((v) => !options.variants || options.variants.includes(v.name));
  const queue = options.queue === undefined ? await readQueue() : options.queue;
  const submit = options.submit ?? submitBatch;
  const logs = `${options.runsRoot}/${suite.name}/slurm`;
  await Deno.mkdir(logs, { recursive: true });
  const result: SubmittedSuite = { trainingJob: null, training: [], evaluationJob: null, skipped: [] };
  const toEvaluate: string[] = [];
  const inFlight = new Set<string>(); // jobs of earlier submissions still training variants of this suite
  for (const variant of selected) {
    const directory = resultDirectory(suite.name, variant.name, options.root);
    const hasMetrics = await pathExists(`${directory}/metrics.json`);
    if (options.reevaluate || !hasMetrics) toEvaluate.push(variant.name);
    if ((variant.mode ?? "train") !== "train") continue;
    const missingModel = options.restoreModels && !await pathExists(`${directory}/model/model.json`);
    if (await pathExists(`${directory}/variant.json`) && !missingModel) {
      result.skipped.push({ variant: variant.name, why: "trained" });
      continue;
    }
    const progress = await readProgress(suite.name, variant.name, options.root);
    const active = progress?.jobId && ["queued", "running"].includes(progress.state)
      ? await isJobActive(progress.jobId, queue)
      : false;
    if (active) {
      inFlight.add(progress!.jobId!.split("_")[0]);
      result.skipped.push({
        variant: variant.name,
        why: `${progress!.state} as Slurm job ${progress!.jobId}`,
      });
      continue;
    }
    result.training.push(variant.name);
  }
  const common = { workdir: options.workdir, resources: options.resources };
  const trainingOnly = [...options.command, ...(options.restoreModels ? ["--restore-models"] : [])];
  if (result.training.length) {
    const script = batchScript({
      ...common,
      jobName: `ablate-${suite.name}`,
      output: `${logs}/%A_%a.out`,
      array: `0-${result.training.length - 1}`,
      setup: [`VARIANTS=(${result.training.join(" ")})`],
      command: [...trainingOnly, "--train-only", "--variants", raw('"${VARIANTS[$SLURM_ARRAY_TASK_ID]}"')],
    });
    result.trainingJob = await submit(script);
    await Deno.writeTextFile(`${logs}/${result.trainingJob}.sbatch`, script);
    for (const [task, name] of result.training.entries()) {
      const steps = suite.variants.find((v) => v.name === name)!.changes?.training?.steps ??
        suite.training.steps;
      await writeProgress(suite.name, name, {
        state: "queued",
        steps: typeof steps === "number" ? steps : undefined,
        jobId: `${result.trainingJob}_${task}`,
      }, options.root);
    }
  }
  if (result.trainingJob) inFlight.add(result.trainingJob);
  if (toEvaluate.length || inFlight.size) {
    const script = batchScript({
      ...common,
      jobName: `ablate-${suite.name}-evaluate`,
      output: `${logs}/%j.out`,
      ...(inFlight.size ? { dependency: `afterany:${[...inFlight].join(":")}` } : {}),
      command: [
        ...options.command,
        "--evaluate-only",
        ...(options.reevaluate ? ["--reevaluate"] : []),
        ...(options.variants ? ["--variants", options.variants.join(",")] : []),
        "--tables",
        `${options.root}/results/${suite.name}/tables.md`,
      ],
    });
    result.evaluationJob = await submit(script);
    await Deno.writeTextFile(`${logs}/${result.evaluationJob}.sbatch`, script);
    for (const name of toEvaluate) {
      if (result.training.includes(name)) continue;
      const variant = suite.variants.find((v) => v.name === name)!;
      if (
        (variant.mode ?? "train") === "train" && !await pathExists(
          `${resultDirectory(suite.name, name, options.root)}/variant.json`,
        )
      ) continue; // its training task (still queued or running) owns its progress
      await writeProgress(suite.name, name, { state: "queued", jobId: result.evaluationJob }, options.root);
    }
  }
  return result;
}
