/**
 * The trainer commands' SIGTERM handling (train/stop_request.ts): a cancel, a preemption or a time limit sends
 * SIGTERM; the step in progress finishes, is checkpointed, and the command ends with exit status 1 saying so,
 * so that rerunning it resumes exactly. Before or after training, SIGTERM ends the process at once (143).
 *
 * @module
 */

import { EXIT_OK, EXIT_SOME_FAILED } from "../io/command_line.ts";
import { stopTrainingOnSignal, trainingStopRequested } from "../train/stop_request.ts";

/**
 * Runs a training with SIGTERM turned into a checkpointed stop.
 *
 * @param train the training (returns its report with the last step)
 * @param run the run folder (named in the message)
 * @returns the report and the exit status: 0 finished, 1 stopped by a signal (resumable)
 */
export async function trainUntilSigterm<T extends { step: number }>(
  train: () => Promise<T>,
  run: string,
): Promise<{ report: T; status: number }> {
  const remove = stopTrainingOnSignal("SIGTERM");
  try {
    const report = await train();
    const stoppedBy = trainingStopRequested();
    if (stoppedBy) {
      console.log(
        `stopped by ${stoppedBy} after step ${report.step}, checkpointed in ${run}; rerun to resume`,
      );
      return { report, status: EXIT_SOME_FAILED };
    }
    return { report, status: EXIT_OK };
  } finally {
    remove();
  }
}
