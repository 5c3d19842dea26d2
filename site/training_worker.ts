/**
 * The worker that trains and evaluates one variant of a suite (`experiments/runner.ts`'s `runSuite`, on the
 * suite's data source as `deno task ablate` uses it: Fashion-MNIST by default, a folder of images or a plug-in,
 * opened at the base model's resolution), posting each training step and event to the server,
 * which streams them to the page. Messages in: {@linkcode TrainingRequest}; out: {@linkcode TrainingMessage}.
 *
 * @module
 */

import { runSuite } from "../experiments/runner.ts";
import { readSuite, suiteModelPath } from "../experiments/store.ts";
import { classifierFeatures } from "../experiments/features.ts";
import { resolveDataSource } from "../train/data/source.ts";
import { readManifest } from "../model/manifest.ts";
import { sampleIndicesByClass } from "../train/data/class_samples.ts";

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
    const { manifest } = await readManifest(suiteModelPath(suite, suite.base, request.repositoryRoot));
    const source = await resolveDataSource(suite.data, { base: suite.file });
    post({ type: "event", message: `loading ${source.name}` });
    const { train, validation, test } = await source.open({
      resolution: Number(manifest.architecture.generator.resolution),
      channels: 3,
      onWarning: (message) => post({ type: "event", message: `warning: ${message}` }),
    });
    const samples = suite.evaluation?.samples ?? 6;
    const report = await runSuite(suite, {
      root: request.experimentsRoot,
      repositoryRoot: request.repositoryRoot,
      runsRoot: request.runsRoot,
      data: { train, validation, test },
      dataSource: source.name,
      variants: [request.variant],
      sampleIndices: test.labels
        ? sampleIndicesByClass(test.labels, samples)
        : Array.from({ length: Math.min(samples, test.count) }, (_, i) => i),
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
