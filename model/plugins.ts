/**
 * Trust for model folders that name plug-in code. A model whose hypernet names a plug-in
 * (`"<module specifier>#<export>"`) records the sha256 of each plug-in's source in `model.json`
 * (`"plugins": { "<specifier>": "<sha256>" }`). Loading it imports that code only when the user allows it
 * (`allowPlugins`, the commands' `--allow-plugins`), says what it imports, and refuses a source whose hash
 * differs from the recorded one. A model without plug-ins needs no permission.
 *
 * @module
 */

import { hypernetPlugins, resolveHypernetPlugins } from "../hypernet/plugins.ts";
import { FUSION_REGISTRY } from "../hypernet/fusion/registry.ts";
import { SHARING_REGISTRY } from "../hypernet/sharing/registry.ts";
import { parsePluginSpecifier, PluginError, pluginSourceSha256 } from "../io/plugin_loader.ts";
import type { ArchitectureJson } from "./architecture.ts";

/** Options of loading a model that may name plug-in code. */
export interface PluginTrustOptions {
  /** Import the plug-in code the model names (the commands' `--allow-plugins`). Default false: refused. */
  allowPlugins?: boolean;
  /** Told what is imported, before it is imported. Default: `console.error`. */
  onPluginLoad?: (message: string) => void;
}

/**
 * Loads the plug-ins a model's architecture names, if the user allows it, checking each source against the
 * sha256 recorded in the manifest.
 *
 * @param architecture the manifest's `architecture`
 * @param recorded the manifest's `plugins` (sha256 by specifier)
 * @param source the manifest's path (relative specifiers are resolved against it), for messages
 * @param options permission and the import hook
 * @returns the architecture with absolute plug-in specifiers (unchanged without plug-ins)
 * @throws {PluginError} `not-allowed` naming each plug-in when `allowPlugins` is not set; `hash-mismatch`
 *   naming both hashes when a source changed, or when no hash is recorded; any loader error
 *
 * @example
 * ```ts
 * import { loadArchitecturePlugins } from "./plugins.ts";
 * const architecture = { generator: {}, wEncoder: {}, layerWiseEncoder: {}, hypernet: { fusion: "sum" } };
 * console.log(await loadArchitecturePlugins(architecture, undefined, "model.json") === architecture); // true
 * ```
 */
export async function loadArchitecturePlugins(
  architecture: ArchitectureJson,
  recorded: Readonly<Record<string, string>> | undefined,
  source: string,
  options: PluginTrustOptions = {},
): Promise<ArchitectureJson> {
  const named = hypernetPlugins(architecture.hypernet);
  if (named.length === 0) return architecture;
  const base = /^(file|https?):/.test(source) ? source : parsePluginSpecifier(`${source}#x`).moduleUrl;
  const listed = named.map((p) => {
    const specifier = parsePluginSpecifier(p.specifier, base).specifier;
    return { ...p, specifier, sha256: recorded?.[specifier] };
  });
  for (const plugin of listed) {
    if (plugin.sha256 === undefined) {
      throw new PluginError(
        "hash-mismatch",
        plugin.specifier,
        `Model "${source}" names the ${plugin.what} "${plugin.specifier}" but records no sha256 of its source ` +
          `("plugins" in model.json); it is not imported`,
      );
    }
  }
  if (!options.allowPlugins) {
    const first = listed[0];
    throw new PluginError(
      "not-allowed",
      first.specifier,
      `Model "${source}" runs plug-in code: ${
        listed.map((p) => `${p.what} "${p.specifier}"`).join(", ")
      }. Pass --allow-plugins (allowPlugins: true) to import it`,
    );
  }
  const onPluginLoad = options.onPluginLoad ?? ((message: string) => console.error(message));
  const { config } = await resolveHypernetPlugins(architecture.hypernet, {
    base,
    expectedSha256: Object.fromEntries(listed.map((p) => [p.specifier, p.sha256!])),
    onPluginLoad,
  });
  return {
    ...architecture,
    hypernet: { ...architecture.hypernet, fusion: config.fusion, sharing: config.sharing },
  };
}

/**
 * The sha256 of each plug-in an architecture names, for `model.json`'s `plugins` (built-in names are not
 * listed). A plug-in already loaded gives the hash it was loaded with; otherwise its source is read now.
 *
 * @param architecture an architecture whose plug-in specifiers are absolute
 * @returns sha256 by specifier (empty without plug-ins)
 * @throws {TypeError} for a relative specifier (resolve it first: hypernet/plugins.ts)
 * @throws {PluginError} when a plug-in's module cannot be read
 *
 * @example
 * ```ts
 * import { architecturePluginHashes } from "./plugins.ts";
 * console.log(await architecturePluginHashes({ generator: {}, wEncoder: {}, layerWiseEncoder: {}, hypernet: {} })); // {}
 * ```
 */
export async function architecturePluginHashes(
  architecture: ArchitectureJson,
): Promise<Record<string, string>> {
  const hashes: Record<string, string> = {};
  for (const plugin of hypernetPlugins(architecture.hypernet)) {
    if (plugin.specifier.startsWith("./") || plugin.specifier.startsWith("../")) {
      throw new TypeError(
        `architecture.hypernet.${plugin.field} "${plugin.specifier}" is relative; a model folder records ` +
          `absolute specifiers (resolve it with resolveHypernetPlugins)`,
      );
    }
    const { specifier, moduleUrl } = parsePluginSpecifier(plugin.specifier);
    const registry = plugin.field === "fusion" ? FUSION_REGISTRY : SHARING_REGISTRY;
    hashes[specifier] = registry.loadedPlugin(specifier)?.sha256 ??
      await pluginSourceSha256(moduleUrl, specifier);
  }
  return hashes;
}
