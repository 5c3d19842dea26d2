/**
 * The suite files of the tests that run the ablation runner on the tiny model (experiments/runner_test.ts,
 * cli/ablate_test.ts, tests/slurm_test.ts): one training block and one writer, so a change to the suite format
 * or to what "tiny" means is made once.
 *
 * @module
 */

/**
 * The training block of a tiny test suite: 2 steps of batch 2, no LPIPS, a checkpoint every step, validation on
 * 2 images at the last step, seed 5 — with the test's own overrides (`undefined` removes a key).
 *
 * @param overrides keys to change
 * @returns the block
 * @example
 * ```ts
 * import { tinyTraining } from "./_tiny_suite.ts";
 * console.log(tinyTraining({ steps: 6, validationImages: undefined }).steps); // 6
 * ```
 */
export function tinyTraining(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    steps: 2,
    batch: 2,
    weights: { lpips: 0 },
    checkpointEvery: 1,
    validateEvery: 2,
    validationImages: 2,
    seed: 5,
    ...overrides,
  };
}

/** The evaluation block of a tiny test suite: 2 images in one batch, 1 sample image. */
export const TINY_EVALUATION = { images: 2, batch: 2, samples: 1 } as const;

/**
 * Writes a suite to `<root>/suites/<name>.json` (creating `suites/`).
 *
 * @param root the experiments folder
 * @param suite the suite (its `name` names the file)
 * @returns the file's path
 * @example
 * ```ts
 * import { writeSuiteFile } from "./_tiny_suite.ts";
 * const root = await Deno.makeTempDir();
 * console.log((await writeSuiteFile(root, { name: "s" })).endsWith("/suites/s.json")); // true
 * ```
 */
export async function writeSuiteFile(
  root: string,
  suite: { name: string } & Record<string, unknown>,
): Promise<string> {
  await Deno.mkdir(`${root}/suites`, { recursive: true });
  const path = `${root}/suites/${suite.name}.json`;
  await Deno.writeTextFile(path, JSON.stringify(suite));
  return path;
}
