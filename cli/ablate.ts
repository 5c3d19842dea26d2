/**
 * `deno task ablate <suite> [--variants a,b] [--reevaluate] [--train-only] [--restore-models] [--samples 6]`: trains every
 * variant of `experiments/suites/<suite>.json` that has no result yet (resuming interrupted ones from
 * `runs/<suite>/<variant>/`), evaluates the variants without metrics on the held-out Fashion-MNIST test split
 * and writes `experiments/results/<suite>/<variant>/` (layout: `experiments/README.md`). `--reevaluate`
 * re-evaluates every variant in this one process (so every ms/image is measured alike).
 *
 * @module
 */

import { runSuite } from "../experiments/runner.ts";
import { readSuite } from "../experiments/store.ts";
import { loadFashionMnist, trainerSource } from "../train/data/fashion_mnist.ts";
import { ProgressBar } from "./_progress.ts";
import { option, positionals } from "./_args.ts";
import { classifierFeatures } from "../experiments/features.ts";

/**
 * The first test image of `count` classes spread over the ten (class ⌊i·10/count⌋).
 *
 * @param labels test labels
 * @param count how many samples
 * @returns test indices
 * @example
 * ```ts
 * import { sampleIndicesByClass } from "./ablate.ts";
 * console.log(sampleIndicesByClass(new Uint8Array([9, 0, 5, 0, 3]), 2)); // [1, 2]
 * ```
 */
export function sampleIndicesByClass(labels: Uint8Array, count: number): number[] {
  const indices: number[] = [];
  for (let i = 0; i < count; i++) {
    const wanted = Math.floor((i * 10) / count);
    const index = labels.indexOf(wanted);
    if (index >= 0) indices.push(index);
  }
  return indices;
}

/**
 * The command.
 *
 * @param args command-line arguments
 * @returns exit status (0 done, 1 failed)
 */
export async function main(args: readonly string[]): Promise<number> {
  const suiteName = positionals(args)[0];
  if (!suiteName) {
    console.error(
      "usage: deno task ablate <suite> [--variants a,b] [--reevaluate] [--train-only] [--restore-models]",
    );
    return 1;
  }
  try {
    const suite = await readSuite(suiteName);
    const { train, validation, test } = await loadFashionMnist({ padTo: 32 });
    const variants = option(args, "variants")?.split(",");
    let bar: ProgressBar | null = null;
    let current = "";
    let features: Awaited<ReturnType<typeof classifierFeatures>> | undefined;
    const report = await runSuite(suiteName, {
      data: { train: trainerSource(train), validation: trainerSource(validation), test: trainerSource(test) },
      variants,
      reevaluate: args.includes("--reevaluate"),
      trainOnly: args.includes("--train-only"),
      restoreModels: args.includes("--restore-models"),
      sampleIndices: sampleIndicesByClass(test.labels, suite.evaluation?.samples ?? 6),
      features: async () => features = await classifierFeatures(),
      onEvent: (message) => {
        bar?.finish();
        bar = null;
        console.log(message);
      },
      onStep: (variant, step, steps, losses) => {
        if (variant !== current || !bar) bar = new ProgressBar(steps, variant), current = variant;
        bar.tick(`step ${step} loss ${losses.loss.toFixed(4)}`);
      },
    });
    (bar as ProgressBar | null)?.finish();
    if (features === null) console.log("featureIdentity: no Fashion-MNIST classifier found, left null");
    console.log(
      `trained: ${report.trained.join(", ") || "none"}; already trained: ${
        report.skippedTraining.join(", ") || "none"
      }; evaluated: ${report.evaluated.join(", ") || "none"}; results in experiments/results/${suiteName}/`,
    );
    return 0;
  } catch (error) {
    console.error(`ablate: ${(error as Error).message}`);
    return 1;
  }
}

if (import.meta.main) Deno.exit(await main(Deno.args));
