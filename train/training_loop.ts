/**
 * The one training loop the generator, phase-I and phase-II trainers share. A trainer describes its run as data
 * (phases with their step functions, the checkpoint and validation intervals, what a checkpoint holds) and the
 * loop does the rest, the same way for all three:
 *
 * - resume: leftovers of killed writes removed, the newest intact checkpoint loaded, changed settings warned
 *   about (train/resume.ts), parameters and optimizer restored, the step counter and the log continued;
 * - the step counter, `stopAfter` (a simulated kill) and the phase of each step (a phase runs `until` its last
 *   step, e.g. phase II's plain phase, then its adversarial phase with another batch);
 * - a failed step (a NaN loss) rethrown naming the step and the checkpoint resumed from;
 * - the JSONL log (one record per step, validation included);
 * - validation every `validation.every` steps and at the last step, the best validation loss tracked over the
 *   whole run (resumes included; it restarts when the run enters a later phase, whose losses are not
 *   comparable) and `best.safetensors` written for each improvement;
 * - checkpoints every `checkpointEvery` steps, at the last step and at validations (each one, or only a best);
 * - progress: `onStart` with the step the run continues from, `onStep` after each step;
 * - a stop request (train/stop_request.ts: SIGTERM from a cluster that preempts or cancels the task): the step
 *   in progress finishes, is checkpointed, and the call returns (`stoppedBy`), to be resumed exactly later.
 *
 * @module
 */

import type { JsonValue, LoadedCheckpoint } from "./checkpoint.ts";
import { applyCheckpoint, saveCheckpoint } from "./checkpoint.ts";
import type { Optimizer, TrainableParameter } from "./optimizers.ts";
import { openRun, type RunSettings, stepFailure } from "./resume.ts";
import { RunLog } from "./run_log.ts";
import { trainingStopRequested, whileTraining } from "./stop_request.ts";

/** The best validation so far: its loss and the step it was taken at. */
export interface BestValidation {
  loss: number;
  step: number;
}

/** A validation as the loop reports it: the trainer's result, its step, and whether it became the best. */
export type LoopValidation<V extends { loss: number }> = V & { step: number; best: boolean };

/** One phase of a run. */
export interface TrainingPhase<L> {
  /** Name (for messages). */
  name: string;
  /** The phase's last step (1-based, inclusive); absent: the end of the run. Step s is in the first phase with until ≥ s. */
  until?: number;
  /**
   * Takes one training step (forward, backward, update) and returns its losses; throws when the step fails
   * (a NaN loss: train/training_step.ts updates nothing then).
   */
  step: (step: number) => Promise<L>;
}

/** What a checkpoint holds besides the step, the settings and the best validation. */
export interface CheckpointedState {
  /** The parameters saved and restored (the trained ones; frozen inputs of the run are not saved). */
  parameters: ReadonlyMap<string, TrainableParameter>;
  /** The optimizer (or {@linkcode combineOptimizers} of several), saved and restored. */
  optimizer: Pick<Optimizer, "state" | "loadState">;
  /** The trainer's JSON state to save (sampler positions…); receives the best validation so far. */
  state: (best: BestValidation | null) => Record<string, JsonValue>;
  /** Extra tensors to save (EMA weights…). */
  extra?: () => Record<string, Float32Array>;
  /**
   * Restores the trainer's own state from a checkpoint (after the parameters and the optimizer). May return
   * the best validation, for checkpoints that recorded it in a trainer's own field.
   */
  restore: (loaded: LoadedCheckpoint) => BestValidation | null | void;
  /**
   * Parameters a checkpoint may lack (they keep their initial values, with a warning), e.g. the discriminator of
   * a run extended past the step its adversarial phase starts at; without it any missing parameter is an error.
   */
  freshIfMissing?: (name: string) => boolean;
}

/** A run described as data; see {@linkcode runTrainingLoop}. */
export interface TrainingLoopSpec<L extends { step: number }, V extends { loss: number }> {
  /** The run folder: checkpoints and `log.jsonl`. */
  directory: string;
  /** Total steps (a resume may extend them). */
  steps: number;
  /** What a resume must keep to continue the run exactly (compared with the checkpoint's). */
  settings: RunSettings;
  /** The phases, in order (at least one; the last one runs to the end). */
  phases: readonly TrainingPhase<L>[];
  /** Checkpoint interval in steps (a checkpoint is also written at the last step). */
  checkpointEvery: number;
  /** Validation: its interval, the pass, and which validations write a checkpoint (default `"best"`). */
  validation?: {
    every: number;
    run: (step: number) => Promise<V>;
    checkpoint?: "every" | "best";
  };
  /** What checkpoints hold. */
  checkpoint: CheckpointedState;
  /** Host-side work after a step succeeded (e.g. an EMA update), before it is logged. */
  afterStep?: (step: number, losses: L) => void;
  /** The log record of a step (flat numbers; `step` and the time are added). */
  logRecord: (losses: L, validation?: LoopValidation<V>) => Record<string, number>;
  /** Stop after this many steps of this call (to simulate a kill). */
  stopAfter?: number;
  /** Receives the step the run continues from (0 for a fresh run), before the first step. */
  onStart?: (step: number) => void;
  /** Progress: each step's losses and, at a validation step, the validation. */
  onStep?: (step: number, losses: L, validation?: LoopValidation<V>) => void;
  /** Receives each resume warning (default `console.warn`). */
  onWarning?: (message: string) => void;
}

/** What {@linkcode runTrainingLoop} returns. */
export interface TrainingLoopResult<L, V extends { loss: number }> {
  /** The step reached. */
  step: number;
  /** The losses of each step run in this call. */
  losses: L[];
  /** The validations of this call. */
  validations: LoopValidation<V>[];
  /** The best validation over the whole run, or null. */
  best: BestValidation | null;
  /** The checkpoint the run resumed from, or null for a fresh run. */
  resumedFrom: LoadedCheckpoint | null;
  /** Why the run stopped before its last step (train/stop_request.ts), if it was asked to. */
  stoppedBy?: string;
}

function phaseIndex(phases: readonly { until?: number }[], step: number): number {
  const index = phases.findIndex((phase) => phase.until === undefined || step <= phase.until);
  return index === -1 ? phases.length - 1 : index;
}

function checkInterval(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 1) {
    throw new RangeError(`${name} must be a positive integer, got ${value}`);
  }
}

/**
 * Runs (or resumes) a training run described by `spec`.
 *
 * @param spec the run: phases and their step functions, intervals, validation, checkpointed state, callbacks
 * @returns the steps taken in this call, their validations, the best validation
 * @throws {RangeError} for a non-positive interval or no phase
 * @throws {Error} of the failing step's kind, naming the step and the checkpoint resumed from
 * @example
 * ```ts
 * import { runTrainingLoop } from "./training_loop.ts";
 * const w = { data: new Float32Array([0]), shape: [1] };
 * const optimizer = { state: () => new Map(), loadState: () => {} };
 * const result = await runTrainingLoop({
 *   directory: await Deno.makeTempDir(),
 *   steps: 3,
 *   settings: {},
 *   checkpointEvery: 2,
 *   phases: [{ name: "fit", step: async (step) => ({ step, loss: (w.data[0] += 1) }) }],
 *   checkpoint: { parameters: new Map([["w", w]]), optimizer, state: () => ({}), restore: () => {} },
 *   logRecord: (losses) => ({ loss: losses.loss }),
 * });
 * console.log(result.step, result.losses.map((l) => l.loss)); // 3 [1, 2, 3]
 * ```
 */
export function runTrainingLoop<L extends { step: number }, V extends { loss: number }>(
  spec: TrainingLoopSpec<L, V>,
): Promise<TrainingLoopResult<L, V>> {
  return whileTraining(() => runLoop(spec));
}

async function runLoop<L extends { step: number }, V extends { loss: number }>(
  spec: TrainingLoopSpec<L, V>,
): Promise<TrainingLoopResult<L, V>> {
  if (!spec.phases.length) throw new RangeError("A training run needs at least one phase");
  checkInterval("checkpointEvery", spec.checkpointEvery);
  if (spec.validation) checkInterval("validateEvery", spec.validation.every);
  const { checkpoint, validation } = spec;
  let step = 0;
  let best: BestValidation | null = null;
  const loaded = await openRun(spec.directory, { settings: spec.settings, onWarning: spec.onWarning });
  if (loaded) {
    const fresh = applyCheckpoint(checkpoint.parameters, loaded, {
      optimizer: checkpoint.optimizer,
      freshIfMissing: checkpoint.freshIfMissing,
    });
    if (fresh.length) {
      (spec.onWarning ?? console.warn)(
        `${loaded.file} has no ${fresh.length} of the run's parameters (${fresh[0]}${
          fresh.length > 1 ? ", …" : ""
        }): they start from their initial values`,
      );
    }
    const restoredBest = checkpoint.restore(loaded);
    const state = loaded.state as { step: number; best?: BestValidation | null };
    step = state.step;
    best = state.best ?? restoredBest ?? null;
  }

  const log = await RunLog.open(`${spec.directory}/log.jsonl`, { dropAfterStep: step });
  const result: TrainingLoopResult<L, V> = { step, losses: [], validations: [], best, resumedFrom: loaded };
  let taken = 0;
  spec.onStart?.(step);
  try {
    while (
      step < spec.steps && (spec.stopAfter === undefined || taken < spec.stopAfter) &&
      trainingStopRequested() === null
    ) {
      step++;
      taken++;
      const phase = phaseIndex(spec.phases, step);
      let losses: L;
      try {
        losses = await spec.phases[phase].step(step);
      } catch (error) {
        throw stepFailure(error, step, loaded);
      }
      spec.afterStep?.(step, losses);
      result.losses.push(losses);

      let validated: LoopValidation<V> | undefined;
      if (validation && (step % validation.every === 0 || step === spec.steps)) {
        const value = await validation.run(step);
        // The best tracker restarts in a later phase (its losses are not comparable with the earlier ones).
        if (best && phaseIndex(spec.phases, best.step) < phase) best = null;
        const isBest = best === null || value.loss < best.loss;
        if (isBest) best = { loss: value.loss, step };
        validated = { step, ...value, best: isBest };
        result.validations.push(validated);
      }
      await log.append({ step, losses: spec.logRecord(losses, validated) });
      spec.onStep?.(step, losses, validated);

      const checkpointAtValidation = validated !== undefined &&
        ((validation?.checkpoint ?? "best") === "every" || validated.best);
      const stopping = trainingStopRequested() !== null; // checkpointed now, resumed from here
      if (step % spec.checkpointEvery === 0 || step === spec.steps || checkpointAtValidation || stopping) {
        await saveCheckpoint(spec.directory, {
          step,
          parameters: checkpoint.parameters,
          optimizer: checkpoint.optimizer,
          extra: checkpoint.extra?.(),
          state: {
            step,
            ...checkpoint.state(best),
            ...(validation ? { best: best && { loss: best.loss, step: best.step } } : {}),
            settings: spec.settings,
          },
        }, { markBest: validated?.best ?? false });
      }
    }
  } finally {
    await log.close();
  }
  result.step = step;
  result.best = best;
  const stoppedBy = trainingStopRequested();
  if (stoppedBy !== null && step < spec.steps) result.stoppedBy = stoppedBy;
  return result;
}
