/**
 * Stopping a training run cleanly when the process is asked to end: a cluster that preempts or cancels a task
 * (Slurm sends SIGTERM, then SIGKILL after its `KillWait`) gets a checkpoint of the last finished step, and the
 * restarted task resumes from it exactly (train/training_loop.ts).
 *
 * A signal is addressed to the whole process, so the request is process-wide too: {@linkcode stopTrainingOnSignal}
 * turns SIGTERM into a request, every running {@linkcode runTrainingLoop} (train/training_loop.ts) sees it after
 * its current step, writes a checkpoint and returns early. When no training loop is running (loading a model,
 * evaluating), there is nothing to save and the process exits at once with status 143 (128 + SIGTERM), as it
 * would without a listener: every file the project writes is written atomically.
 *
 * @module
 */

let requested: string | null = null;
let activeLoops = 0;

/**
 * Asks every running training loop to checkpoint and return after its current step.
 *
 * @param reason why (shown in messages), e.g. `"SIGTERM"`
 * @example
 * ```ts
 * import { clearTrainingStop, requestTrainingStop, trainingStopRequested } from "./stop_request.ts";
 * requestTrainingStop("SIGTERM");
 * console.log(trainingStopRequested()); // "SIGTERM"
 * clearTrainingStop();
 * ```
 */
export function requestTrainingStop(reason: string): void {
  requested ??= reason;
}

/**
 * Why training was asked to stop, or null when it was not.
 *
 * @returns the reason, or null
 * @example
 * ```ts
 * import { trainingStopRequested } from "./stop_request.ts";
 * console.log(trainingStopRequested()); // null
 * ```
 */
export function trainingStopRequested(): string | null {
  return requested;
}

/**
 * Forgets a stop request (for a process that goes on training after handling one, and for tests).
 *
 * @example
 * ```ts
 * import { clearTrainingStop, requestTrainingStop, trainingStopRequested } from "./stop_request.ts";
 * requestTrainingStop("test");
 * clearTrainingStop();
 * console.log(trainingStopRequested()); // null
 * ```
 */
export function clearTrainingStop(): void {
  requested = null;
}

/**
 * Marks a training loop as running while `body` runs, so that a signal then is a stop request rather than an
 * immediate exit (used by train/training_loop.ts).
 *
 * @param body the loop
 * @returns what `body` returns
 * @example
 * ```ts
 * import { whileTraining } from "./stop_request.ts";
 * console.log(await whileTraining(() => Promise.resolve(3))); // 3
 * ```
 */
export async function whileTraining<T>(body: () => Promise<T>): Promise<T> {
  activeLoops++;
  try {
    return await body();
  } finally {
    activeLoops--;
  }
}

/**
 * Turns a signal (default SIGTERM) into a stop request while training runs, and into an immediate exit (status
 * 128 + the signal's number) otherwise. Call the returned function to remove the listener.
 *
 * @param signal the signal to listen for (`SIGTERM`, `SIGINT`, `SIGUSR1`…)
 * @returns a function that removes the listener
 * @example
 * ```ts
 * import { stopTrainingOnSignal } from "./stop_request.ts";
 * const remove = stopTrainingOnSignal("SIGTERM");
 * remove();
 * ```
 */
export function stopTrainingOnSignal(signal: Deno.Signal = "SIGTERM"): () => void {
  const numbers: Partial<Record<Deno.Signal, number>> = { SIGINT: 2, SIGTERM: 15, SIGUSR1: 10, SIGUSR2: 12 };
  const listener = () => {
    if (activeLoops === 0) Deno.exit(128 + (numbers[signal] ?? 15));
    requestTrainingStop(signal);
  };
  Deno.addSignalListener(signal, listener);
  return () => Deno.removeSignalListener(signal, listener);
}
