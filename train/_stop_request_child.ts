/**
 * A child process for train/stop_request_test.ts: a toy training run (one parameter fitted by gradient descent to
 * a target that depends on a sampler position kept in the checkpoint) that stops on SIGTERM. Prints each step
 * (`step N`) and, at the end, `end <step> <stoppedBy>`.
 *
 * Usage: `deno run -A train/_stop_request_child.ts <directory> <steps>`
 *
 * @module
 */

import { runTrainingLoop } from "./training_loop.ts";
import { stopTrainingOnSignal } from "./stop_request.ts";

const [directory, stepsText] = Deno.args;
const parameter = { data: new Float32Array([0.5, -0.25]), shape: [2] };
let drawn = 0;
const removeListener = stopTrainingOnSignal("SIGTERM");
const result = await runTrainingLoop<{ step: number; loss: number }, { loss: number }>({
  directory,
  steps: Number(stepsText),
  settings: { lr: 0.05 },
  checkpointEvery: 1000,
  phases: [{
    name: "fit",
    step: async (step) => {
      drawn++;
      const target = Math.sin(drawn * 0.9);
      let loss = 0;
      for (let i = 0; i < 2; i++) {
        loss += (parameter.data[i] - target) ** 2;
        parameter.data[i] -= 0.05 * 2 * (parameter.data[i] - target);
      }
      // A step that takes a while, as a real one does, so that the signal arrives mid-run.
      await new Promise((resolve) => setTimeout(resolve, 2));
      return { step, loss };
    },
  }],
  checkpoint: {
    parameters: new Map([["w", parameter]]),
    optimizer: { state: () => new Map(), loadState: () => {} },
    state: () => ({ drawn }),
    restore: (loaded) => {
      drawn = (loaded.state as { drawn: number }).drawn;
    },
  },
  logRecord: (losses) => ({ loss: losses.loss }),
  onStep: (step) => console.log(`step ${step}`),
  onWarning: () => {},
});
removeListener();
console.log(`end ${result.step} ${result.stoppedBy ?? "-"}`);
