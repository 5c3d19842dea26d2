/**
 * A suite's live progress for its page: each variant's `progress.json` (written by `ablate` through
 * `experiments/progress.ts`, on this machine or another that shares the experiments folder) beside its status
 * in the store (`done` once `metrics.json` exists).
 *
 * @module
 */

import { readProgress, type VariantProgress } from "../experiments/progress.ts";
import { checkName, readSuite, resultDirectory } from "../experiments/store.ts";

/** One variant's progress as the page shows it. */
export interface VariantProgressRow {
  variant: string;
  label: string;
  /** `done` when the variant has metrics. */
  status: "done" | "pending";
  /** Its progress file (state, step of steps, host, Slurm job), or null when none was written. */
  progress: Omit<VariantProgress, "pid"> | null;
}

/**
 * Reads the progress of every variant of a suite.
 *
 * @param root experiments folder
 * @param suite suite name
 * @returns the variants in the suite's order, and whether any is still queued, running or evaluating
 * @throws {RangeError} for an invalid name; NotFound for an unknown suite
 * @example
 * ```ts
 * import { suiteProgress } from "./suite_progress.ts";
 * const { variants } = await suiteProgress("data", "table3");
 * console.log(variants[0].variant); // "full"
 * ```
 */
export async function suiteProgress(
  root: string,
  suite: string,
): Promise<{ active: boolean; variants: VariantProgressRow[] }> {
  const spec = await readSuite(checkName(suite, "suite"), root);
  const variants = await Promise.all(spec.variants.map(async (v): Promise<VariantProgressRow> => {
    const record = await readProgress(suite, v.name, root);
    let done = false;
    try {
      done = (await Deno.stat(`${resultDirectory(suite, v.name, root)}/metrics.json`)).isFile;
    } catch {
      // not evaluated yet
    }
    const progress = record ? (({ pid: _pid, ...rest }) => rest)(record) : null;
    return { variant: v.name, label: v.label, status: done ? "done" : "pending", progress };
  }));
  const active = variants.some((v) => ["queued", "running", "evaluating"].includes(v.progress?.state ?? ""));
  return { active, variants };
}
