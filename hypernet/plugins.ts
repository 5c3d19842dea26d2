/**
 * Resolving the plug-ins a hypernet configuration names: its fusion operator and sharing strategy may be
 * `"<module specifier>#<export>"` instead of built-in names. Resolution loads them (io/plugin_loader.ts),
 * rewrites relative specifiers to absolute ones and returns the sha256 of each plug-in's source, which a
 * trained variant or model folder records (`plugins` in model.json).
 *
 * @module
 */

import { isPluginSpecifier } from "../io/plugin_loader.ts";
import { type HypernetConfig, resolveHypernetConfig } from "./config.ts";
import { FUSION_REGISTRY } from "./fusion/registry.ts";
import { SHARING_REGISTRY } from "./sharing/registry.ts";

/** A plug-in named by a configuration: which field, and its specifier as written. */
export interface NamedPlugin {
  /** "fusion" or "sharing". */
  readonly field: "fusion" | "sharing";
  /** What it is: "fusion operator" or "sharing strategy". */
  readonly what: string;
  /** The specifier as the configuration writes it. */
  readonly specifier: string;
}

/** Options of {@linkcode resolveHypernetPlugins}. */
export interface ResolveHypernetPluginsOptions {
  /** What relative specifiers are resolved against: the file that names them (a suite, a config). */
  base?: string | URL;
  /** Recorded sha256 by normalised specifier: a plug-in whose source changed is refused before import. */
  expectedSha256?: Readonly<Record<string, string>>;
  /** Told before each plug-in is imported: "Importing fusion operator <specifier>". */
  onPluginLoad?: (message: string) => void;
}

/** What {@linkcode resolveHypernetPlugins} returns. */
export interface ResolvedHypernetPlugins {
  /** The configuration with each plug-in specifier absolute (ready for `buildHypernet`). */
  readonly config: HypernetConfig;
  /** sha256 of each plug-in's source by normalised specifier (empty without plug-ins). */
  readonly plugins: Readonly<Record<string, string>>;
}

/**
 * The plug-ins a (partial) hypernet configuration names, without loading anything.
 *
 * @param config a configuration (plain JSON is fine)
 * @returns fusion first, then sharing; built-in names are not listed
 *
 * @example
 * ```ts
 * import { hypernetPlugins } from "./plugins.ts";
 * console.log(hypernetPlugins({ fusion: "./f.ts#f", sharing: "perLayer" }).map((p) => p.specifier)); // ["./f.ts#f"]
 * ```
 */
export function hypernetPlugins(config: Readonly<Record<string, unknown>>): NamedPlugin[] {
  const named: NamedPlugin[] = [];
  for (const [field, what] of [["fusion", "fusion operator"], ["sharing", "sharing strategy"]] as const) {
    const value = config[field];
    if (typeof value === "string" && isPluginSpecifier(value)) named.push({ field, what, specifier: value });
  }
  return named;
}

/**
 * Loads the plug-ins a hypernet configuration names (built-in names need nothing) and returns the
 * configuration with absolute specifiers, and each plug-in's sha256.
 *
 * @param config the configuration (validated by `resolveHypernetConfig`)
 * @param options base for relative specifiers, recorded hashes, a hook told before each import
 * @returns the normalised configuration and the plug-in hashes
 * @throws {PluginError} naming the specifier (missing module or export, not the contract, changed source)
 *
 * @example
 * ```ts
 * import { resolveHypernetPlugins } from "./plugins.ts";
 * const dir = await Deno.makeTempDir();
 * await Deno.writeTextFile(`${dir}/mean.ts`,
 *   `export const mean = { name: "mean", description: "(Fw + Fx) / 2", build: (g, fw, fx) => g.scale(g.add(fw, fx), 0.5) };\n`);
 * const { config, plugins } = await resolveHypernetPlugins({ fusion: "./mean.ts#mean" }, { base: `${dir}/suite.json` });
 * console.log(config.fusion === `file://${dir}/mean.ts#mean`, Object.keys(plugins).length); // true 1
 * ```
 */
export async function resolveHypernetPlugins(
  config: Partial<HypernetConfig> | Readonly<Record<string, unknown>>,
  options: ResolveHypernetPluginsOptions = {},
): Promise<ResolvedHypernetPlugins> {
  const resolved = resolveHypernetConfig(config);
  const normalised: Record<string, unknown> = { ...resolved };
  const plugins: Record<string, string> = {};
  for (const named of hypernetPlugins(resolved as unknown as Record<string, unknown>)) {
    const registry = named.field === "fusion" ? FUSION_REGISTRY : SHARING_REGISTRY;
    const specifier = registry.normalise(named.specifier, options.base);
    const expected = options.expectedSha256?.[specifier];
    options.onPluginLoad?.(`Importing ${named.what} ${specifier}${expected ? ` (sha256 ${expected})` : ""}`);
    const loaded = await registry.resolve(specifier, { expectedSha256: expected });
    normalised[named.field] = loaded.specifier;
    plugins[loaded.specifier] = loaded.sha256!;
  }
  return { config: resolveHypernetConfig(normalised), plugins };
}
