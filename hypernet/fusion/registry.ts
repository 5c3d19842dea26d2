/**
 * The fusion operators by name. Adding one = one file exporting a {@linkcode FusionOperator} + one line here.
 *
 * @module
 */

import { concatConv } from "./concat_conv.ts";
import { difference } from "./difference.ts";
import { gated } from "./gated.ts";
import { inputOnly } from "./input_only.ts";
import type { FusionOperator } from "./operator.ts";
import { sum } from "./sum.ts";
import { lookupByName } from "../_lookup.ts";

/**
 * Every fusion operator, keyed by its name. `concatConv` is the official one.
 *
 * @example
 * ```ts
 * import { FUSION_OPERATORS } from "./registry.ts";
 * console.log(Object.keys(FUSION_OPERATORS)); // ["concatConv", "inputOnly", "sum", "difference", "gated"]
 * ```
 */
export const FUSION_OPERATORS = Object.freeze(
  {
    concatConv,
    inputOnly,
    sum,
    difference,
    gated,
  } satisfies Record<string, FusionOperator>,
);

/** Name of a registered fusion operator. */
export type FusionName = keyof typeof FUSION_OPERATORS;

/** The registered names, in registry order. */
export const FUSION_NAMES: readonly FusionName[] = Object.freeze(
  Object.keys(FUSION_OPERATORS) as FusionName[],
);

/**
 * Looks up a fusion operator.
 *
 * @param name a registered name
 * @returns the operator
 * @throws {RangeError} for an unknown name; the message lists the valid names
 *
 * @example
 * ```ts
 * import { fusionOperator } from "./registry.ts";
 * console.log(fusionOperator("gated").description.slice(0, 21)); // "γ = σ(Conv1×1(cat(Fw,"
 * ```
 */
export function fusionOperator(name: string): FusionOperator {
  return lookupByName<FusionOperator>(FUSION_OPERATORS, "fusion operator", name);
}
