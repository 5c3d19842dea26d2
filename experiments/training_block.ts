/**
 * The keys a suite's `training` block (and a variant's `changes.training`) may set: exactly the phase-II
 * trainer's config keys ({@linkcode PhaseTwoTrainingConfig}, `train/phase_two_trainer.ts`, which owns their
 * defaults), less `architecture` (a suite takes it from its base model and the variant's `changes`). The table
 * below is typed against that interface, so a key added to or removed from the trainer fails the type check
 * until it is added here. An unknown key (a misspelt `r1Gama`) is an error naming it and the valid keys.
 *
 * @module
 */

import type { PhaseTwoTrainingConfig } from "../train/phase_two_trainer.ts";
import { closestName } from "../io/closest_name.ts";
import { checkLearningRateDecay, type LearningRateDecay } from "../train/learning_rate.ts";

/** Checks one value: null when valid, else what it must be. */
type Check = (value: unknown) => string | null;

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

const integer = (min: number): Check => (v) =>
  Number.isInteger(v) && (v as number) >= min ? null : `an integer ≥ ${min}`;
const positive: Check = (v) => typeof v === "number" && Number.isFinite(v) && v > 0 ? null : "a number > 0";
const nonNegative: Check = (v) =>
  typeof v === "number" && Number.isFinite(v) && v >= 0 ? null : "a number ≥ 0";

/** A nested object whose keys are checked the same way (unknown keys reported by {@linkcode checkTrainingBlock}). */
interface NestedKeys {
  nested: Record<string, Check>;
}

type TrainingKey = Exclude<keyof PhaseTwoTrainingConfig, "architecture">;

/** Every key of a `training` block with its check (the trainer documents each key's default). */
export const TRAINING_KEYS: { readonly [K in TrainingKey]-?: Check | NestedKeys } = {
  discriminator: { nested: { channelBase: integer(1), channelMax: integer(1) } },
  batch: integer(1),
  adversarialBatch: integer(1),
  learningRate: positive,
  learningRateDecay: (v) => {
    try {
      checkLearningRateDecay(v as LearningRateDecay, "learningRateDecay");
      return null;
    } catch {
      return "{ atSteps: increasing integers ≥ 1, factor: a number in (0, 1] }";
    }
  },
  discriminatorLearningRate: positive,
  weights: {
    nested: {
      l2: nonNegative,
      lpips: nonNegative,
      adversarial: nonNegative,
      msSsim: nonNegative,
      id: nonNegative,
    },
  },
  adversarialFromStep: integer(0),
  coldSteps: integer(0),
  r1Gamma: nonNegative,
  r1Every: integer(1),
  steps: integer(1),
  checkpointEvery: integer(1),
  validateEvery: integer(1),
  validationImages: integer(1),
  seed: integer(0),
  phaseOneCacheMiB: nonNegative,
  horizontalFlip: (v) => typeof v === "boolean" ? null : "true or false",
};

/**
 * The message for unknown keys of an object: each named, the closest valid key suggested, every valid key listed.
 *
 * @param where the object's path, e.g. `"training"` or `variants[2].changes.training.weights`
 * @param unknown the unknown keys
 * @param valid the valid keys
 * @returns one line
 * @example
 * ```ts
 * import { unknownKeys } from "./training_block.ts";
 * console.log(unknownKeys('"training"', ["r1Gama"], ["r1Gamma", "seed"]));
 * // "training" has unknown key "r1Gama" (did you mean "r1Gamma"?); valid keys: r1Gamma, seed
 * ```
 */
export function unknownKeys(where: string, unknown: readonly string[], valid: readonly string[]): string {
  const named = unknown.map((key) => {
    const guess = closestName(key, valid);
    const hint = guess ? ` (did you mean "${guess}"?)` : "";
    return `"${key}"${hint}`;
  });
  return `${where} has unknown key${unknown.length > 1 ? "s" : ""} ${named.join(", ")}; valid keys: ${
    valid.join(", ")
  }`;
}

/**
 * Checks a `training` block against the phase-II trainer's keys and their types.
 *
 * @param block the parsed block
 * @param where its path in the suite, for the messages (e.g. `"training"`)
 * @param options `requireSteps`: the suite's own block must set `steps` (a variant's overrides need not)
 * @returns every problem found (empty when valid)
 * @example
 * ```ts
 * import { checkTrainingBlock } from "./training_block.ts";
 * console.log(checkTrainingBlock({ steps: 10, batch: 4 }, '"training"')); // []
 * console.log(checkTrainingBlock({ steps: 10, batch: 0 }, '"training"')); // [ '"training.batch" must be an integer ≥ 1, got 0' ]
 * ```
 */
export function checkTrainingBlock(
  block: unknown,
  where: string,
  options: { requireSteps?: boolean } = {},
): string[] {
  if (!isObject(block)) return [`${where} must be an object, got ${JSON.stringify(block)}`];
  const problems: string[] = [];
  const path = (key: string) => `"${where.replace(/^"|"$/g, "")}.${key}"`;
  const check = (object: Record<string, unknown>, keys: Record<string, Check | NestedKeys>, at: string) => {
    const unknown = Object.keys(object).filter((key) => !Object.hasOwn(keys, key));
    if (unknown.length) {
      const hint = at === where && unknown.includes("architecture")
        ? ` (the architecture comes from "base" and each variant's "changes")`
        : "";
      problems.push(unknownKeys(at, unknown, Object.keys(keys)) + hint);
    }
    for (const [key, value] of Object.entries(object)) {
      const rule = keys[key];
      if (!rule) continue;
      const name = `${at.replace(/^"|"$/g, "")}.${key}`;
      if (typeof rule === "function") {
        const expected = rule(value);
        if (expected) problems.push(`"${name}" must be ${expected}, got ${JSON.stringify(value)}`);
      } else if (!isObject(value)) {
        problems.push(`"${name}" must be an object with keys ${Object.keys(rule.nested).join(", ")}`);
      } else check(value, rule.nested, `"${name}"`);
    }
  };
  check(block, TRAINING_KEYS, where);
  if (options.requireSteps && block.steps === undefined) problems.push(`${path("steps")} is required`);
  return problems;
}
