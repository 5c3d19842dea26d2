/**
 * `deno task ablate <suite> [--variants a,b] [--reevaluate] [--train-only] [--restore-models] [--samples 6]`: trains every
 * variant of `experiments/suites/<suite>.json` that has no result yet (resuming interrupted ones from
 * `runs/<suite>/<variant>/`), evaluates the variants without metrics on the held-out Fashion-MNIST test split
 * and writes `experiments/results/<suite>/<variant>/` (layout: `experiments/README.md`). `--reevaluate`
 * re-evaluates every variant in this one process (so every ms/image is measured alike). `--samples N` overrides the
 * suite's number of sample images. The suite, the variant names and the results folder are checked before any
 * data is loaded. Exit status 0 done, 2 bad usage or a failure.
 *
 * @module
 */

import { runSuite } from "../experiments/runner.ts";
import { EXPERIMENTS_ROOT, readSuite } from "../experiments/store.ts";
import { loadFashionMnist, trainerSource } from "../train/data/fashion_mnist.ts";
import { ProgressBar } from "./_progress.ts";
import { EXIT_OK, runCommand, UsageError } from "../io/command_line.ts";
import { prepareOutputFolder } from "../io/output_check.ts";
import { classifierFeatures } from "../experiments/features.ts";

const SPEC = {
  name: "ablate",
  usage:
    "deno task ablate <suite> [--variants a,b] [--reevaluate] [--train-only] [--restore-models] [--samples N]",
  description:
    "Trains and evaluates the variants of experiments/suites/<suite>.json that have no result yet.",
  flags: {
    variants: { type: "string", valueName: "a,b", description: "only these variants (default: all)" },
    reevaluate: { type: "boolean", description: "re-evaluate every variant in this one process" },
    "train-only": { type: "boolean", description: "train, do not evaluate" },
    "restore-models": {
      type: "boolean",
      description: "train again the variants whose model folder is absent",
    },
    samples: {
      type: "integer",
      min: 1,
      max: 100,
      description: "sample images per variant (default: the suite's, else 6)",
    },
  },
  positionals: { min: 1, max: 1, names: "suite" },
} as const;

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
 * @returns exit status (0 done, 2 bad usage or a failure)
 */
export function main(args: readonly string[]): Promise<number> {
  return runCommand(SPEC, args, async (flags, [suiteName]) => {
    const suite = await readSuite(suiteName);
    const variants = flags.variants?.split(",").map((name) => name.trim());
    const unknown = variants?.filter((name) => !suite.variants.some((v) => v.name === name)) ?? [];
    if (unknown.length) {
      throw new UsageError(
        `Suite "${suiteName}" has no variant ${unknown.map((name) => `"${name}"`).join(", ")}; it has ${
          suite.variants.map((v) => v.name).join(", ")
        }`,
      );
    }
    await prepareOutputFolder(`${EXPERIMENTS_ROOT}/results/${suite.name}`);
    const { train, validation, test } = await loadFashionMnist({ padTo: 32 });
    let bar: ProgressBar | null = null;
    let current = "";
    let features: Awaited<ReturnType<typeof classifierFeatures>> | undefined;
    const report = await runSuite(suiteName, {
      data: { train: trainerSource(train), validation: trainerSource(validation), test: trainerSource(test) },
      variants,
      reevaluate: flags.reevaluate,
      trainOnly: flags["train-only"],
      restoreModels: flags["restore-models"],
      sampleIndices: sampleIndicesByClass(test.labels, flags.samples ?? suite.evaluation?.samples ?? 6),
      features: async () => features = await classifierFeatures(),
      onEvent: (message) => {
        bar?.finish();
        bar = null;
        console.log(message);
      },
      onStep: (variant, step, steps, losses) => {
        // A new bar per variant, made at its first step so a resumed variant counts from its checkpoint.
        if (variant !== current || !bar) {
          bar = new ProgressBar(steps, variant, { start: step - 1 }), current = variant;
        }
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
    return EXIT_OK;
  });
}

if (import.meta.main) Deno.exit(await main(Deno.args));
