/**
 * The sharing strategies: the built-ins by name, and plug-ins by `"<module specifier>#<export>"` (a user's
 * file or URL; io/plugin_loader.ts), both loaded through one {@linkcode PluginRegistry} and checked against
 * {@linkcode sharingStrategyProblem}. Adding a built-in = one file exporting a {@linkcode SharingStrategy} + one
 * line here; using one's own needs no project file edited.
 *
 * @module
 */

import { perLayer } from "./per_layer.ts";
import { perResolution } from "./per_resolution.ts";
import { sharedCode } from "./shared_code.ts";
import { sharedWeights } from "./shared_weights.ts";
import type { SharingStrategy } from "./strategy.ts";
import type { LoadedPlugin } from "../../io/plugin_loader.ts";
import { PluginRegistry, type ResolveOptions } from "../../io/plugin_registry.ts";
import { checkComponent } from "../_contract.ts";

/** Name of a registered sharing strategy. */
export type SharingName = "perLayer" | "sharedCode" | "sharedWeights" | "perResolution";

/**
 * Every sharing strategy, keyed by its name. `perLayer` is the official one.
 *
 * @example
 * ```ts
 * import { SHARING_STRATEGIES } from "./registry.ts";
 * console.log(Object.keys(SHARING_STRATEGIES)); // ["perLayer", "sharedCode", "sharedWeights", "perResolution"]
 * ```
 */
export const SHARING_STRATEGIES: Readonly<Record<SharingName, SharingStrategy>> = Object.freeze(
  {
    perLayer,
    sharedCode,
    sharedWeights,
    perResolution,
  } satisfies Record<string, SharingStrategy>,
);

/** The registered names, in registry order. */
export const SHARING_NAMES: readonly SharingName[] = Object.freeze(
  Object.keys(SHARING_STRATEGIES) as SharingName[],
);

/**
 * What is wrong with a value as a {@linkcode SharingStrategy}: undefined when it implements the contract.
 *
 * @param value anything
 * @returns the first member that is wrong, or undefined
 *
 * @example
 * ```ts
 * import { perLayer } from "./per_layer.ts";
 * import { sharingStrategyProblem } from "./registry.ts";
 * console.log(sharingStrategyProblem(perLayer), sharingStrategyProblem(42)); // undefined "it is a number, not an object with name, description and build"
 * ```
 */
export function sharingStrategyProblem(value: unknown): string | undefined {
  return checkComponent(value, "build", "(g, targets, context) => Map<string, Tensor>");
}

/**
 * Whether a value implements the {@linkcode SharingStrategy} contract.
 *
 * @param value anything
 * @returns true when {@linkcode sharingStrategyProblem} finds nothing
 *
 * @example
 * ```ts
 * import { isSharingStrategy } from "./registry.ts";
 * console.log(isSharingStrategy({ name: "none", description: "", build: () => new Map() })); // true
 * ```
 */
export function isSharingStrategy(value: unknown): value is SharingStrategy {
  return sharingStrategyProblem(value) === undefined;
}

const builtin = (value: SharingStrategy, file: string) => ({
  value,
  specifier: new URL(`./${file}#${value.name}`, import.meta.url).href,
});

/**
 * The sharing-strategy registry: built-in names and plug-ins, one contract.
 *
 * @example
 * ```ts
 * import { SHARING_REGISTRY } from "./registry.ts";
 * console.log(SHARING_REGISTRY.names); // ["perLayer", "sharedCode", "sharedWeights", "perResolution"]
 * ```
 */
export const SHARING_REGISTRY: PluginRegistry<SharingStrategy> = new PluginRegistry<SharingStrategy>(
  { what: "sharing strategy", check: sharingStrategyProblem },
  {
    perLayer: builtin(perLayer, "per_layer.ts"),
    sharedCode: builtin(sharedCode, "shared_code.ts"),
    sharedWeights: builtin(sharedWeights, "shared_weights.ts"),
    perResolution: builtin(perResolution, "per_resolution.ts"),
  },
);

/**
 * Looks up a sharing strategy: a built-in name, or the normalised specifier of a plug-in already loaded
 * (by {@linkcode resolveSharingStrategy}).
 *
 * @param name a registered name or a loaded specifier
 * @returns the strategy
 * @throws {RangeError} for an unknown name; the message lists the valid names
 * @throws {PluginError} for a specifier that has not been loaded
 *
 * @example
 * ```ts
 * import { sharingStrategy } from "./registry.ts";
 * console.log(sharingStrategy("perLayer").name); // "perLayer"
 * ```
 */
export function sharingStrategy(name: string): SharingStrategy {
  return SHARING_REGISTRY.get(name);
}

/**
 * Loads a sharing strategy by built-in name or by `"<module specifier>#<export>"` (relative to `base`),
 * checks its contract and keeps it for {@linkcode sharingStrategy}.
 *
 * @param nameOrSpecifier "perLayer", "./my_sharing.ts#mySharing", "https://…/share.ts#share", …
 * @param options base (the file naming it), expected sha256
 * @returns the strategy, its normalised specifier and source sha256 (null for a built-in)
 * @throws {PluginError} naming the specifier: missing module or export, not a sharing strategy, changed source
 *
 * @example
 * ```ts
 * import { resolveSharingStrategy } from "./registry.ts";
 * const loaded = await resolveSharingStrategy("sharedCode");
 * console.log(loaded.value.name, loaded.sha256); // "sharedCode" null
 * ```
 */
export function resolveSharingStrategy(
  nameOrSpecifier: string,
  options: ResolveOptions = {},
): Promise<LoadedPlugin<SharingStrategy>> {
  return SHARING_REGISTRY.resolve(nameOrSpecifier, options);
}
