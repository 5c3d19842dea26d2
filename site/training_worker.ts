/**
 * The worker that trains and evaluates one variant of a suite (`experiments/runner.ts`'s `runSuite`, on the
 * Fashion-MNIST splits as `deno task ablate` uses them), posting each training step and event to the server,
 * which streams them to the page. Messages in: {@linkcode TrainingRequest}; out: {@linkcode TrainingMessage}.
 *
 * @module
 */

import { runSuite } from "../experiments/runner.ts";
import { readSuite } from "../experiments/store.ts";
import { classifierFeatures } from "../experiments/features.ts";
import { loadFashionMnist, trainerSource } from "../train/data/fashion_mnist.ts";
import { sampleIndicesByClass } from "../cli/ablate.ts";

/** What to train. */
export interface TrainingRequest {
  suite: string;
  variant: string;
  experimentsRoot: string;
  repositoryRoot: string;
  runsRoot: string;
}

/** What the worker says. */
export type TrainingMessage =
  | { type: "step"; step: number; steps: number; loss: number }
  | { type: "event"; message: string }
  | { type: "done"; trained: boolean; evaluated: boolean }
  | { type: "error"; message: string };

interface WorkerScope {
  onmessage: ((event: MessageEvent<TrainingRequest>) => void) | null;
  postMessage(message: TrainingMessage): void;
}

/**
 * Trains and evaluates the variant, reporting through `post`.
 *
 * @param request suite, variant and folders
 * @param post receives the messages
 * @returns when done (errors are posted, not thrown)
 */
export async function trainVariant(request: TrainingRequest, post: (message: TrainingMessage) => void) {
  try {
    const suite = await readSuite(request.suite, request.experimentsRoot);
    post({ type: "event", message: "loading Fashion-MNIST" });
    const { train, validation, test } = await loadFashionMnist({ padTo: 32 });
    const report = await runSuite(request.suite, {
      root: request.experimentsRoot,
      repositoryRoot: request.repositoryRoot,
      runsRoot: request.runsRoot,
      data: { train: trainerSource(train), validation: trainerSource(validation), test: trainerSource(test) },
      variants: [request.variant],
      sampleIndices: sampleIndicesByClass(test.labels, suite.evaluation?.samples ?? 6),
      features: () => classifierFeatures(),
      onEvent: (message) => post({ type: "event", message }),
      onStep: (_variant, step, steps, losses) => post({ type: "step", step, steps, loss: losses.loss }),
    });
    post({
      type: "done",
      trained: report.trained.includes(request.variant),
      evaluated: report.evaluated.includes(request.variant),
    });
  } catch (error) {
    post({ type: "error", message: (error as Error)?.message ?? String(error) });
  }
}

if ("WorkerGlobalScope" in globalThis) {
  const scope = globalThis as unknown as WorkerScope;
  scope.onmessage = ({ data }) => void trainVariant(data, (message) => scope.postMessage(message));
}
