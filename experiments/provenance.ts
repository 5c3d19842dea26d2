/**
 * What `variant.json` records about where a result came from: the git commit of the framework's checkout (and
 * whether its tree was dirty), and each plug-in's normalised specifier with the sha256 of its source (hashed by
 * `io/plugin_loader.ts`, the loader that later checks it).
 *
 * @module
 */

import { isPluginSpecifier, parsePluginSpecifier, pluginSourceSha256 } from "../io/plugin_loader.ts";

/** The git state of a checkout. */
export interface GitState {
  /** `git rev-parse HEAD`. */
  commit: string;
  /** Whether tracked files differ from the commit (`git status --porcelain --untracked-files=no`). */
  dirty: boolean;
}

/** One plug-in a variant uses. */
export interface PluginProvenance {
  /** Where it is named, e.g. `hypernet.fusion` or `data`. */
  field: string;
  /** The normalised specifier (`<absolute module URL>#<export>`). */
  specifier: string;
  /** Hex sha256 of the module's source. */
  sha256: string;
}

async function git(directory: string, args: string[]): Promise<string | null> {
  try {
    const { success, stdout } = await new Deno.Command("git", {
      args: ["-C", directory, ...args],
      stdout: "piped",
      stderr: "null",
      stdin: "null",
    }).output();
    return success ? new TextDecoder().decode(stdout).trim() : null;
  } catch {
    return null; // no git, or no permission to run it
  }
}

/**
 * The git commit of a folder's checkout, or null when it is not in one (or git cannot run); never throws.
 *
 * @param directory a folder (default: the folder of this module when it is a local file — the framework's own
 *   checkout — else the current directory)
 * @returns `{ commit, dirty }` or null
 * @example
 * ```ts
 * import { gitState } from "./provenance.ts";
 * console.log(await gitState("/")); // null
 * ```
 */
export async function gitState(directory?: string): Promise<GitState | null> {
  const here = new URL(".", import.meta.url);
  const folder = directory ?? (here.protocol === "file:" ? decodeURIComponent(here.pathname) : Deno.cwd());
  const commit = await git(folder, ["rev-parse", "HEAD"]);
  if (!commit || !/^[0-9a-f]{40,64}$/.test(commit)) return null;
  const status = await git(folder, ["status", "--porcelain", "--untracked-files=no"]);
  return { commit, dirty: status === null ? true : status !== "" };
}

/**
 * The plug-ins among named values: each value that is a `"<module>#<export>"` specifier, normalised against
 * the file that names it, with the sha256 of its source.
 *
 * @param values field → value (e.g. `{ "hypernet.fusion": "./mine.ts#fuse", "hypernet.sharing": "perLayer" }`)
 * @param base the file naming them (relative modules resolve against its folder)
 * @returns one entry per specifier, in field order (built-in names are left out)
 * @throws {PluginError} (io/plugin_loader.ts) naming the specifier when its module cannot be read
 * @example
 * ```ts
 * import { pluginProvenance } from "./provenance.ts";
 * const dir = await Deno.makeTempDir();
 * await Deno.writeTextFile(`${dir}/fuse.ts`, "export const fuse = {};\n");
 * const [entry] = await pluginProvenance({ "hypernet.fusion": "./fuse.ts#fuse", "hypernet.sharing": "perLayer" }, `${dir}/suite.json`);
 * console.log(entry.field, entry.specifier.endsWith("/fuse.ts#fuse"), entry.sha256.length); // "hypernet.fusion" true 64
 * ```
 */
export async function pluginProvenance(
  values: Readonly<Record<string, unknown>>,
  base?: string,
): Promise<PluginProvenance[]> {
  const entries: PluginProvenance[] = [];
  for (const [field, value] of Object.entries(values)) {
    if (typeof value !== "string" || !isPluginSpecifier(value)) continue;
    const { specifier, moduleUrl } = parsePluginSpecifier(value, base);
    entries.push({ field, specifier, sha256: await pluginSourceSha256(moduleUrl, specifier) });
  }
  return entries;
}

/**
 * A `hypernet` block with every plug-in specifier normalised against the file that names it (so the trained
 * model records where its code is, whatever folder it is loaded from); built-in names are kept.
 *
 * @param hypernet a variant's `changes.hypernet`
 * @param base the suite file
 * @returns a copy
 * @example
 * ```ts
 * import { normalisePluginFields } from "./provenance.ts";
 * console.log(normalisePluginFields({ fusion: "./f.ts#f", hiddenDim: 4 }, "/s/suite.json"));
 * // { fusion: "file:///s/f.ts#f", hiddenDim: 4 }
 * ```
 */
export function normalisePluginFields(
  hypernet: Readonly<Record<string, unknown>>,
  base?: string,
): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(hypernet).map(([key, value]) => [
      key,
      typeof value === "string" && isPluginSpecifier(value)
        ? parsePluginSpecifier(value, base).specifier
        : value,
    ]),
  );
}
