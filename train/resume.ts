/**
 * Opening a training run for a resume, the part every trainer shares: clean up after killed writes, load the
 * newest intact checkpoint (train/checkpoint.ts falls back past damaged ones, with a warning naming each),
 * warn when the settings that shape the run (batch size, seed, learning rate…) differ from the ones the
 * checkpoint was taken with, and name the checkpoint when a resumed step fails (a NaN loss right after a
 * resume usually means the checkpoint, not the code).
 *
 * @module
 */

import { type JsonValue, type LoadedCheckpoint, loadLatestCheckpoint } from "./checkpoint.ts";
import { removeInterruptedWrites } from "./interrupted_writes.ts";

/** Settings recorded with a checkpoint: flat names → JSON values. */
export type RunSettings = Record<string, JsonValue>;

/** Options of {@linkcode openRun}. */
export interface OpenRunOptions {
  /**
   * The settings of this run that a resume should keep (batch size, seed, learning rate, data size…; not the
   * total steps, which a resume may extend). Compared with `state.settings` of the checkpoint.
   */
  settings: RunSettings;
  /** Receives each warning (default `console.warn`). */
  onWarning?: (message: string) => void;
}

/**
 * Settings as a checkpoint stores them: a JSON round trip, so that `undefined` fields vanish and the record
 * compares equal to the one read back.
 *
 * @param settings the run's settings (JSON-able values, `undefined` allowed)
 * @returns the plain JSON record
 * @example
 * ```ts
 * import { runSettings } from "./resume.ts";
 * console.log(runSettings({ batch: 8, discriminator: { channelBase: undefined } })); // { batch: 8, discriminator: {} }
 * ```
 */
export function runSettings(settings: Record<string, unknown>): RunSettings {
  return JSON.parse(JSON.stringify(settings));
}

/**
 * The differences between two settings records, one line each (`batch 16 → 8`), in the order of `current`
 * and then of the keys only `saved` has.
 *
 * @param saved the checkpoint's settings
 * @param current this run's settings
 * @returns the differences (empty when they agree)
 * @example
 * ```ts
 * import { settingsChanges } from "./resume.ts";
 * console.log(settingsChanges({ batch: 16, seed: 1 }, { batch: 8, seed: 1 })); // ["batch 16 → 8"]
 * ```
 */
export function settingsChanges(saved: RunSettings, current: RunSettings): string[] {
  const show = (value: JsonValue | undefined) => value === undefined ? "unset" : JSON.stringify(value);
  const keys = [...new Set([...Object.keys(current), ...Object.keys(saved)])];
  return keys
    .filter((key) => show(saved[key]) !== show(current[key]))
    .map((key) => `${key} ${show(saved[key])} → ${show(current[key])}`);
}

/**
 * Opens a run folder: removes leftovers of killed atomic writes, loads the newest intact checkpoint, and warns
 * when its recorded settings differ from this run's. A checkpoint without recorded settings (written before
 * they were recorded) is resumed without the comparison.
 *
 * @param directory the run folder (checkpoints and log)
 * @param options this run's settings, `onWarning`
 * @returns the checkpoint to resume from, or null for a fresh run
 * @throws {Error} when checkpoints exist but none is intact (from {@linkcode loadLatestCheckpoint})
 * @example
 * ```ts
 * import { openRun } from "./resume.ts";
 * console.log(await openRun(await Deno.makeTempDir(), { settings: { batch: 8 } })); // null
 * ```
 */
export async function openRun(directory: string, options: OpenRunOptions): Promise<LoadedCheckpoint | null> {
  const warn = options.onWarning ?? ((message: string) => console.warn(message));
  const removed = await removeInterruptedWrites(directory);
  if (removed.length) {
    warn(`Removed ${removed.length} file(s) left by interrupted writes in ${directory}`);
  }
  const loaded = await loadLatestCheckpoint(directory, { onWarning: warn });
  if (!loaded) return null;
  const saved = (loaded.state as { settings?: RunSettings } | null)?.settings;
  if (saved && typeof saved === "object") {
    const changes = settingsChanges(saved, options.settings);
    if (changes.length) {
      warn(
        `Resuming from ${loaded.file} (step ${loaded.step}) with changed settings: ${changes.join(", ")}; ` +
          `the run will not continue as it would have without the interruption`,
      );
    }
  }
  return loaded;
}

/**
 * The error to throw when a training step fails: the same kind of error, saying which step failed and, after
 * a resume, which checkpoint the run resumed from (the likely culprit of a NaN loss right after a resume).
 *
 * @param error what the step threw
 * @param step the step that failed
 * @param resumedFrom the checkpoint the run resumed from, or null for a fresh run
 * @returns the error to throw (the original as `cause`)
 * @example
 * ```ts
 * import { stepFailure } from "./resume.ts";
 * const error = stepFailure(new RangeError("The loss is NaN"), 31, { file: "run/checkpoint-30.safetensors", step: 30 });
 * console.log(error.message); // "Step 31 failed: The loss is NaN (resumed from run/checkpoint-30.safetensors at step 30; …)"
 * ```
 */
export function stepFailure(
  error: unknown,
  step: number,
  resumedFrom: Pick<LoadedCheckpoint, "file" | "step"> | null,
): Error {
  const message = error instanceof Error ? error.message : String(error);
  const context = resumedFrom
    ? ` (resumed from ${resumedFrom.file} at step ${resumedFrom.step}; if that checkpoint is bad, delete it ` +
      `and its .json to resume from the one before)`
    : "";
  const text = `Step ${step} failed: ${message}${context}`;
  if (error instanceof RangeError) return new RangeError(text, { cause: error });
  if (error instanceof TypeError) return new TypeError(text, { cause: error });
  return new Error(text, { cause: error });
}
