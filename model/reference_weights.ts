/**
 * Pipeline weights from a reference fixture (the official code's modules filled by the fixture PRNG): module G
 * keeps its names, E1 → `w_encoder.`, E2 → `w_bar_encoder.`, H → `hypernet.` (the official checkpoint prefixes).
 *
 * @module
 */

import type { ReferenceFixture } from "../io/reference_fixture.ts";
import type { WeightValue } from "../runtime/weights.ts";

/** Fixture module name → pipeline prefix. */
export const FIXTURE_MODULE_PREFIXES: Readonly<Record<string, string>> = {
  G: "",
  E1: "w_encoder.",
  E2: "w_bar_encoder.",
  H: "hypernet.",
};

/**
 * Every weight of a hyperinverter-* fixture under its pipeline name.
 *
 * @param fixture a loaded fixture with modules G, E1, E2 and H
 * @returns weights by pipeline name
 * @example
 * ```ts
 * import { loadReferenceFixture } from "../io/reference_fixture.ts";
 * import { pipelineWeightsFromFixture } from "./reference_weights.ts";
 * const weights = pipelineWeightsFromFixture(await loadReferenceFixture("hyperinverter-church256"));
 * console.log(weights.has("hypernet.weight_regressors.b4_conv1_weight.w1")); // true
 * ```
 */
export function pipelineWeightsFromFixture(fixture: ReferenceFixture): Map<string, WeightValue> {
  const weights = new Map<string, WeightValue>();
  for (const [module, prefix] of Object.entries(FIXTURE_MODULE_PREFIXES)) {
    for (const [name, weight] of fixture.moduleWeights(module)) weights.set(prefix + name, weight);
  }
  return weights;
}
