/**
 * The fusion operators: the built-ins by name, and plug-ins by `"<module specifier>#<export>"` (a user's file
 * or URL; io/plugin_loader.ts), both loaded through one {@linkcode PluginRegistry} and checked against
 * {@linkcode fusionOperatorProblem}. Adding a built-in = one file exporting a {@linkcode FusionOperator} + one
 * line here; using one's own needs no project file edited.
 *
 * @module
 */

import { concatConv } from "./concat_conv.ts";
import { difference } from "./difference.ts";
import { gated } from "./gated.ts";
import { inputOnly } from "./input_only.ts";
import type { FusionOperator } from "./operator.ts";
import { sum } from "./sum.ts";
import type { LoadedPlugin } from "../../io/plugin_loader.ts";
import { PluginRegistry, type ResolveOptions } from "../../io/plugin_registry.ts";
import { checkComponent } from "../_contract.ts";

/** Name of a registered fusion operator. */
export type FusionName = "concatConv" | "inputOnly" | "sum" | "difference" | "gated";

/**
 * Every fusion operator, keyed by its name. `concatConv` is the official one.
 *
 * @example
 * ```ts
 * import { FUSION_OPERATORS } from "./registry.ts";
 * console.log(Object.keys(FUSION_OPERATORS)); // ["concatConv", "inputOnly", "sum", "difference", "gated"]
 * ```
 */
export const FUSION_OPERATORS: Readonly<Record<FusionName, FusionOperator>> = Object.freeze(
  {
    concatConv,
    inputOnly,
    sum,
    difference,
    gated,
  } satisfies Record<string, FusionOperator>,
);

/** The registered names, in registry order. */
export const FUSION_NAMES: readonly FusionName[] = Object.freeze(
  Object.keys(FUSION_OPERATORS) as FusionName[],
);

/**
 * What is wrong with a value as a {@linkcode FusionOperator}: undefined when it implements the contract.
 *
 * @param value anything
 * @returns the first member that is wrong, or undefined
 *
 * @example
 * ```ts
 * import { concatConv } from "./concat_conv.ts";
 * import { fusionOperatorProblem } from "./registry.ts";
 * console.log(fusionOperatorProblem(concatConv), fusionOperatorProblem({ name: "x", description: "" })); // undefined "build must be a function (g, fw, fx, options) => Tensor, got undefined"
 * ```
 */
export function fusionOperatorProblem(value: unknown): string | undefined {
  return checkComponent(value, "build", "(g, fw, fx, options) => Tensor");
}

/**
 * Whether a value implements the {@linkcode FusionOperator} contract.
 *
 * @param value anything
 * @returns true when {@linkcode fusionOperatorProblem} finds nothing
 *
 * @example
 * ```ts
 * import { isFusionOperator } from "./registry.ts";
 * console.log(isFusionOperator({ name: "mean", description: "", build: (g: any, a: any, b: any) => g.add(a, b) })); // true
 * ```
 */
export function isFusionOperator(value: unknown): value is FusionOperator {
  return fusionOperatorProblem(value) === undefined;
}

const builtin = (value: FusionOperator, file: string) => ({
  value,
  specifier: new URL(`./${file}#${value.name}`, import.meta.url).href,
});

/**
 * The fusion-operator registry: built-in names and plug-ins, one contract.
 *
 * @example
 * ```ts
 * import { FUSION_REGISTRY } from "./registry.ts";
 * console.log(FUSION_REGISTRY.names.length, FUSION_REGISTRY.builtinSpecifier("sum").endsWith("/sum.ts#sum")); // 5 true
 * ```
 */
export const FUSION_REGISTRY: PluginRegistry<FusionOperator> = new PluginRegistry<FusionOperator>(
  { what: "fusion operator", check: fusionOperatorProblem },
  {
    concatConv: builtin(concatConv, "concat_conv.ts"),
    inputOnly: builtin(inputOnly, "input_only.ts"),
    sum: builtin(sum, "sum.ts"),
    difference: builtin(difference, "difference.ts"),
    gated: builtin(gated, "gated.ts"),
  },
);

/**
 * Looks up a fusion operator: a built-in name, or the normalised specifier of a plug-in already loaded
 * (by {@linkcode resolveFusionOperator}).
 *
 * @param name a registered name or a loaded specifier
 * @returns the operator
 * @throws {RangeError} for an unknown name; the message lists the valid names
 * @throws {PluginError} for a specifier that has not been loaded
 *
 * @example
 * ```ts
 * import { fusionOperator } from "./registry.ts";
 * console.log(fusionOperator("gated").description.slice(0, 21)); // "γ = σ(Conv1×1(cat(Fw,"
 * ```
 */
export function fusionOperator(name: string): FusionOperator {
  return FUSION_REGISTRY.get(name);
}

/**
 * Loads a fusion operator by built-in name or by `"<module specifier>#<export>"` (relative to `base`), checks
 * its contract and keeps it for {@linkcode fusionOperator}.
 *
 * @param nameOrSpecifier "concatConv", "./my_fusion.ts#myFusion", "https://…/fuse.ts#fuse", …
 * @param options base (the file naming it), expected sha256
 * @returns the operator, its normalised specifier and source sha256 (null for a built-in)
 * @throws {PluginError} naming the specifier: missing module or export, not a fusion operator, changed source
 *
 * @example
 * ```ts
 * import { resolveFusionOperator } from "./registry.ts";
 * const loaded = await resolveFusionOperator("difference");
 * console.log(loaded.value.name, loaded.builtin); // "difference" true
 * ```
 */
export function resolveFusionOperator(
  nameOrSpecifier: string,
  options: ResolveOptions = {},
): Promise<LoadedPlugin<FusionOperator>> {
  return FUSION_REGISTRY.resolve(nameOrSpecifier, options);
}
