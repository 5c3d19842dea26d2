/**
 * Where each variant of a suite stands, as a small file beside its results:
 * `<experiments>/results/<suite>/<variant>/progress.json` (git-ignored). It is written only by the one process
 * that owns the variant (the runner holding its lock, or the Slurm submitter before the task starts), always
 * atomically, so readers on any machine of a shared filesystem (`ablate --status`, the site's live progress)
 * see either the previous or the next state, never half a file.
 *
 * @module
 */

import { writeFileAtomic } from "../io/atomic_write.ts";
import { EXPERIMENTS_ROOT, readJson, resultDirectory } from "./store.ts";

/** A variant's state: submitted and waiting, training or evaluating, finished, or stopped by an error. */
export type ProgressState = "queued" | "running" | "evaluating" | "done" | "failed";

/** The states in their order (for validation and display). */
export const PROGRESS_STATES: readonly ProgressState[] = [
  "queued",
  "running",
  "evaluating",
  "done",
  "failed",
];

/** One variant's `progress.json`. */
export interface VariantProgress {
  /** Where the variant stands. */
  state: ProgressState;
  /** The last completed training step (absent before training starts). */
  step?: number;
  /** The training budget in steps. */
  steps?: number;
  /** The host name of the writer. */
  host: string;
  /** The writer's process id. */
  pid: number;
  /** The Slurm job id (`SLURM_JOB_ID`, or `<array job>_<task>` for an array task), when under Slurm. */
  jobId?: string;
  /** When this state was written (ISO 8601). */
  updatedAt: string;
  /** Why it failed (state "failed" only): the error's message, without a stack. */
  error?: string;
}

/**
 * The path of a variant's progress file.
 *
 * @param suite suite name
 * @param variant variant name
 * @param root experiments folder
 * @returns `<root>/results/<suite>/<variant>/progress.json`
 * @example
 * ```ts
 * import { progressPath } from "./progress.ts";
 * console.log(progressPath("table3", "full", "/x")); // "/x/results/table3/full/progress.json"
 * ```
 */
export function progressPath(suite: string, variant: string, root: string = EXPERIMENTS_ROOT): string {
  return `${resultDirectory(suite, variant, root)}/progress.json`;
}

/**
 * The Slurm job id of this process, if it runs under Slurm: `<array job>_<task>` for an array task.
 *
 * @param env the environment to read (default: this process's)
 * @returns the job id, or undefined outside Slurm
 * @example
 * ```ts
 * import { slurmJobId } from "./progress.ts";
 * console.log(slurmJobId({ SLURM_ARRAY_JOB_ID: "41", SLURM_ARRAY_TASK_ID: "2", SLURM_JOB_ID: "43" })); // "41_2"
 * console.log(slurmJobId({})); // undefined
 * ```
 */
export function slurmJobId(
  env: Record<string, string | undefined> = Deno.env.toObject(),
): string | undefined {
  if (env.SLURM_ARRAY_JOB_ID && env.SLURM_ARRAY_TASK_ID) {
    return `${env.SLURM_ARRAY_JOB_ID}_${env.SLURM_ARRAY_TASK_ID}`;
  }
  return env.SLURM_JOB_ID || undefined;
}

/**
 * Writes a variant's progress atomically, stamped with this host, process, Slurm job (if any) and time.
 *
 * @param suite suite name
 * @param variant variant name
 * @param progress the state and, while training, the step and budget; a failure's message; the job id when it
 * is not this process's (the Slurm submitter writes "queued" with the id of the task it submitted)
 * @param root experiments folder
 * @returns the record written
 * @example
 * ```ts
 * import { readProgress, writeProgress } from "./progress.ts";
 * const root = await Deno.makeTempDir();
 * await writeProgress("s", "a", { state: "running", step: 3, steps: 10 }, root);
 * console.log((await readProgress("s", "a", root))?.step); // 3
 * ```
 */
export async function writeProgress(
  suite: string,
  variant: string,
  progress: Pick<VariantProgress, "state" | "step" | "steps" | "error" | "jobId">,
  root: string = EXPERIMENTS_ROOT,
): Promise<VariantProgress> {
  const jobId = progress.jobId ?? slurmJobId();
  const record: VariantProgress = {
    ...progress,
    host: Deno.hostname(),
    pid: Deno.pid,
    ...(jobId ? { jobId } : {}),
    updatedAt: new Date().toISOString(),
  };
  const path = progressPath(suite, variant, root);
  await Deno.mkdir(path.slice(0, path.lastIndexOf("/")), { recursive: true });
  await writeFileAtomic(path, JSON.stringify(record, null, 2) + "\n");
  return record;
}

/**
 * Reads a variant's progress; null when it has none (never run) or the file is not a progress record.
 *
 * @param suite suite name
 * @param variant variant name
 * @param root experiments folder
 * @returns the record, or null
 * @example
 * ```ts
 * import { readProgress } from "./progress.ts";
 * console.log(await readProgress("s", "none", await Deno.makeTempDir())); // null
 * ```
 */
export async function readProgress(
  suite: string,
  variant: string,
  root: string = EXPERIMENTS_ROOT,
): Promise<VariantProgress | null> {
  let record: VariantProgress | null;
  try {
    record = await readJson(progressPath(suite, variant, root)) as VariantProgress | null;
  } catch (error) {
    if (error instanceof SyntaxError) return null; // a foreign or damaged file: no progress known
    throw error;
  }
  return PROGRESS_STATES.includes(record?.state as ProgressState) ? record : null;
}
