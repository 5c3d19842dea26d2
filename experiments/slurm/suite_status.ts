/**
 * Where each variant of a suite stands, for `ablate <suite> --status`: its `progress.json` (experiments/progress.ts)
 * checked against Slurm's queue when squeue answers (a variant "running" as a job that left the queue was
 * interrupted: cancelled, preempted without requeue, or killed), and its results (`metrics.json`,
 * `variant.json`) for variants without progress (results made before progress was recorded, or committed).
 *
 * @module
 */

import { pathExists } from "../../io/atomic_write.ts";
import { readProgress, type VariantProgress } from "../progress.ts";
import { readMetrics, resultDirectory, type Suite } from "../store.ts";
import { isJobActive, type QueuedJob } from "./queue.ts";

/** One variant's line of the status. */
export interface VariantStatus {
  /** The variant. */
  variant: string;
  /** `not started`, `queued`, `running`, `evaluating`, `trained`, `done`, `failed` or `interrupted`. */
  state: string;
  /** The step and budget, the job and node, the metrics or the failure's reason. */
  detail: string;
  /** The progress record, if any. */
  progress: VariantProgress | null;
}

function ago(iso: string, now: number): string {
  const seconds = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  return seconds < 120
    ? `${seconds} s ago`
    : seconds < 7200
    ? `${Math.round(seconds / 60)} min ago`
    : `${Math.round(seconds / 3600)} h ago`;
}

/**
 * The status of every variant of a suite.
 *
 * @param suite the suite
 * @param root experiments folder
 * @param queue Slurm's queue, or null when it cannot be read (then progress is shown as recorded)
 * @returns one status per variant, in the suite's order
 * @example
 * ```ts
 * import { suiteStatus } from "./suite_status.ts";
 * const suite = { name: "s", variants: [{ name: "a", label: "A" }] } as never;
 * console.log((await suiteStatus(suite, await Deno.makeTempDir(), null))[0].state); // "not started"
 * ```
 */
export async function suiteStatus(
  suite: Suite,
  root: string,
  queue: Map<string, QueuedJob> | null,
): Promise<VariantStatus[]> {
  const now = Date.now();
  const rows: VariantStatus[] = [];
  for (const variant of suite.variants) {
    const progress = await readProgress(suite.name, variant.name, root);
    const metrics = await readMetrics(suite.name, variant.name, root).catch(() => null);
    const done = metrics
      ? `L2 ${metrics.l2.toFixed(5)}, PSNR ${metrics.psnr.toFixed(2)} dB, ${metrics.steps} steps`
      : "";
    const row = (state: string, detail: string) =>
      rows.push({ variant: variant.name, state, detail, progress });
    if (!progress) {
      if (metrics) row("done", done);
      else if (await pathExists(`${resultDirectory(suite.name, variant.name, root)}/variant.json`)) {
        row("trained", "not evaluated");
      } else row("not started", "");
      continue;
    }
    const where = `${progress.jobId ? `job ${progress.jobId}, ` : ""}${progress.host}, updated ${
      ago(progress.updatedAt, now)
    }`;
    const steps = progress.steps !== undefined ? `step ${progress.step ?? 0}/${progress.steps}` : "";
    const trainedWaiting = progress.state === "queued" && progress.step !== undefined &&
      progress.step === progress.steps;
    const job = progress.jobId ? queue?.get(progress.jobId) : undefined;
    const active = progress.jobId && queue ? await isJobActive(progress.jobId, queue) : null;
    if (["queued", "running", "evaluating"].includes(progress.state) && !trainedWaiting && active === false) {
      row("interrupted", `${steps ? `${steps}; ` : ""}job ${progress.jobId} left the queue (${where})`);
      continue;
    }
    switch (progress.state) {
      case "queued":
        if (trainedWaiting) row("trained", `${steps}, waiting for the evaluation`);
        else {
          row("queued", `${job ? `${job.state} (${job.reason}), ` : ""}${where}`);
        }
        break;
      case "running":
        row("running", `${steps} (${job?.node ? `${job.node}, ` : ""}${where})`);
        break;
      case "evaluating":
        row("evaluating", where);
        break;
      case "done":
        row("done", done || where);
        break;
      case "failed":
        row("failed", `${progress.error ?? "no reason recorded"} (${where})`);
        break;
    }
  }
  return rows;
}

/**
 * The status as aligned text lines: `variant  state  detail`.
 *
 * @param rows the statuses
 * @returns the lines
 * @example
 * ```ts
 * import { formatSuiteStatus } from "./suite_status.ts";
 * const rows = [{ variant: "d4", state: "running", detail: "step 3/10", progress: null }];
 * console.log(formatSuiteStatus(rows)); // ["d4  running  step 3/10"]
 * ```
 */
export function formatSuiteStatus(rows: readonly VariantStatus[]): string[] {
  const nameWidth = Math.max(...rows.map((r) => r.variant.length), 0);
  const stateWidth = Math.max(...rows.map((r) => r.state.length), 0);
  return rows.map((r) =>
    `${r.variant.padEnd(nameWidth)}  ${r.state.padEnd(stateWidth)}  ${r.detail}`.trimEnd()
  );
}
