/**
 * The sharing strategies by name. Adding one = one file exporting a {@linkcode SharingStrategy} + one line here.
 *
 * @module
 */

import { perLayer } from "./per_layer.ts";
import { perResolution } from "./per_resolution.ts";
import { sharedCode } from "./shared_code.ts";
import { sharedWeights } from "./shared_weights.ts";
import type { SharingStrategy } from "./strategy.ts";
import { lookupByName } from "../_lookup.ts";

/**
 * Every sharing strategy, keyed by its name. `perLayer` is the official one.
 *
 * @example
 * ```ts
 * import { SHARING_STRATEGIES } from "./registry.ts";
 * console.log(Object.keys(SHARING_STRATEGIES)); // ["perLayer", "sharedCode", "sharedWeights", "perResolution"]
 * ```
 */
export const SHARING_STRATEGIES = Object.freeze(
  {
    perLayer,
    sharedCode,
    sharedWeights,
    perResolution,
  } satisfies Record<string, SharingStrategy>,
);

/** Name of a registered sharing strategy. */
export type SharingName = keyof typeof SHARING_STRATEGIES;

/** The registered names, in registry order. */
export const SHARING_NAMES: readonly SharingName[] = Object.freeze(
  Object.keys(SHARING_STRATEGIES) as SharingName[],
);

/**
 * Looks up a sharing strategy.
 *
 * @param name a registered name
 * @returns the strategy
 * @throws {RangeError} for an unknown name; the message lists the valid names
 *
 * @example
 * ```ts
 * import { sharingStrategy } from "./registry.ts";
 * console.log(sharingStrategy("perLayer").name); // "perLayer"
 * ```
 */
export function sharingStrategy(name: string): SharingStrategy {
  return lookupByName<SharingStrategy>(SHARING_STRATEGIES, "sharing strategy", name);
}
