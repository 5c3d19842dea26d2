/**
 * Training a variant from the site: a job on the training queue (one at a time) that runs
 * `training_worker.ts` in its own Worker and turns its messages into job progress.
 *
 * @module
 */

import { checkName, readSuite } from "../experiments/store.ts";
import type { Job } from "./job_queue.ts";
import type { SiteState } from "./state.ts";
import type { TrainingMessage, TrainingRequest } from "./training_worker.ts";

/** What a training job leaves. */
export interface TrainingResult {
  suite: string;
  variant: string;
  trained: boolean;
  evaluated: boolean;
}

/**
 * Queues the training (and evaluation) of one variant: a variant already trained is only evaluated if it has no
 * metrics, and a `phaseOne` or `pretrained` one is only evaluated.
 *
 * @param state site state
 * @param suite suite name
 * @param variant variant name
 * @returns the job
 * @throws {RangeError} for invalid names; {@linkcode Deno.errors.NotFound} for an unknown suite or variant; `QueueFullError` while another run is
 *   under way
 */
export async function submitTraining(
  state: SiteState,
  suite: string,
  variant: string,
): Promise<Job<TrainingResult>> {
  const spec = await readSuite(checkName(suite, "suite"), state.experimentsRoot);
  const variantSpec = spec.variants.find((v) => v.name === checkName(variant, "variant"));
  if (!variantSpec) throw new Deno.errors.NotFound(`Suite "${suite}" has no variant "${variant}"`);
  const request: TrainingRequest = {
    suite,
    variant,
    experimentsRoot: state.experimentsRoot,
    repositoryRoot: state.repositoryRoot,
    runsRoot: state.runsRoot,
  };
  return state.training.submit<TrainingResult>("train", (report) =>
    new Promise((resolve, reject) => {
      const worker = new Worker(new URL("./training_worker.ts", import.meta.url), { type: "module" });
      const finish = (settle: () => void) => {
        worker.terminate();
        settle();
      };
      let fraction = 0; // training takes 5–90 %, loading and evaluation the rest
      worker.onmessage = ({ data }: MessageEvent<TrainingMessage>) => {
        if (data.type === "step") {
          fraction = 0.05 + 0.85 * data.step / data.steps;
          report(fraction, `step ${data.step}/${data.steps}, loss ${data.loss.toFixed(4)}`);
        } else if (data.type === "event") report(fraction, data.message);
        else if (data.type === "done") {
          finish(() => resolve({ suite, variant, trained: data.trained, evaluated: data.evaluated }));
        } else finish(() => reject(new Error(data.message)));
      };
      worker.onerror = (event) => {
        event.preventDefault();
        finish(() => reject(new Error(`The training worker stopped: ${event.message}`)));
      };
      worker.postMessage(request);
    }));
}
