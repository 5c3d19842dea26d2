/**
 * Step decay of a learning rate (torch's `MultiStepLR`): the rate is multiplied by `factor` at each milestone.
 * A pure function of the step, so a resumed run gets the same rates as an uninterrupted one.
 *
 * @module
 */

/** `learningRateDecay` of a trainer config: steps (1-based) from which the rate is multiplied by `factor`. */
export interface LearningRateDecay {
  /** Milestones: from step `s` on (s included) the rate has one more factor. Increasing, each ≥ 1. */
  atSteps: number[];
  /** Multiplier per milestone, in (0, 1]. */
  factor: number;
}

/**
 * Checks a decay block.
 *
 * @param decay the parsed block (or null / undefined: no decay)
 * @param where its name in the config, for messages
 * @throws {RangeError} naming the bad field
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkLearningRateDecay } from "./learning_rate.ts";
 * checkLearningRateDecay({ atSteps: [6000], factor: 0.1 }, "learningRateDecay");
 * assert.throws(() => checkLearningRateDecay({ atSteps: [0], factor: 0.1 }, "d"), /d\.atSteps/);
 * ```
 */
export function checkLearningRateDecay(decay: LearningRateDecay | null | undefined, where: string): void {
  if (decay === undefined || decay === null) return;
  if (typeof decay !== "object") {
    throw new RangeError(`${where} must be { atSteps, factor }, got ${JSON.stringify(decay)}`);
  }
  const { atSteps, factor } = decay;
  if (
    !Array.isArray(atSteps) ||
    atSteps.some((s, i) => !Number.isInteger(s) || s < 1 || (i > 0 && s <= atSteps[i - 1]))
  ) {
    throw new RangeError(`${where}.atSteps must be increasing integers ≥ 1, got ${JSON.stringify(atSteps)}`);
  }
  if (typeof factor !== "number" || !(factor > 0 && factor <= 1)) {
    throw new RangeError(`${where}.factor must be in (0, 1], got ${JSON.stringify(factor)}`);
  }
}

/**
 * The learning rate of a step.
 *
 * @param base the configured rate
 * @param step the step about to run (1-based)
 * @param decay the decay, or null / undefined (constant rate)
 * @returns base · factor^(milestones ≤ step)
 * @example
 * ```ts
 * import { learningRateAt } from "./learning_rate.ts";
 * const decay = { atSteps: [3, 5], factor: 0.1 };
 * console.log([1, 2, 3, 4, 5].map((s) => +learningRateAt(1, s, decay).toFixed(3))); // [1, 1, 0.1, 0.1, 0.01]
 * ```
 */
export function learningRateAt(base: number, step: number, decay?: LearningRateDecay | null): number {
  if (!decay) return base;
  let rate = base;
  for (const milestone of decay.atSteps) if (step >= milestone) rate *= decay.factor;
  return rate;
}
