/**
 * The one loader of code named by a specifier, built-in or the user's: `"<module specifier>#<export>"`, where
 * the module is a relative path (resolved against the file that names it), an absolute path, a `file:` URL or
 * an `http(s):` URL. It reads the module's source, hashes it (sha256), checks the hash against a recorded one
 * **before** importing, imports the module, takes the export and checks it against the registry's contract.
 * Every failure is a {@linkcode PluginError} naming the specifier.
 *
 * Limitation: the hash covers the named module's own source, not the modules it imports; and for an http(s)
 * module the source is fetched once to be hashed, while `import()` may be served from Deno's module cache
 * (the code imported is the same URL, but is not re-hashed).
 *
 * @module
 */

/** `file:` URL of an absolute path (percent-encoded by the URL parser). No node: import: hypernet/ uses this. */
function toFileUrl(path: string): URL {
  const url = new URL("file:///");
  url.pathname = path;
  return url;
}

/** What went wrong when loading a plug-in. */
export type PluginErrorKind =
  | "missing-module"
  | "import-failed"
  | "missing-export"
  | "contract"
  | "hash-mismatch"
  | "not-allowed"
  | "build";

/**
 * A plug-in that cannot be used; the message names the specifier and what is wrong.
 *
 * @example
 * ```ts
 * import { PluginError } from "./plugin_loader.ts";
 * const error = new PluginError("missing-export", "file:///x.ts#y", "Plug-in \"file:///x.ts#y\": no export \"y\"");
 * console.log(error.kind, error.name); // "missing-export" "PluginError"
 * ```
 */
export class PluginError extends Error {
  /**
   * @param kind what went wrong
   * @param specifier the plug-in's specifier (normalised)
   * @param message the message, naming the specifier
   * @param options the cause
   */
  constructor(
    readonly kind: PluginErrorKind,
    readonly specifier: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = "PluginError";
  }
}

/** A parsed specifier. */
export interface PluginReference {
  /** The normalised specifier: absolute module URL + `#` + export, e.g. `"file:///home/me/fuse.ts#myFusion"`. */
  readonly specifier: string;
  /** The absolute module URL. */
  readonly moduleUrl: string;
  /** The export's name. */
  readonly exportName: string;
}

const EXPORT_NAME = /^[A-Za-z_$][\w$]*$/;

/**
 * Whether a string has the form of a plug-in specifier, `"<module>#<export>"` (a registry name has no `#`).
 *
 * @param text a config value
 * @returns true for `"<non-empty>#<identifier>"`
 *
 * @example
 * ```ts
 * import { isPluginSpecifier } from "./plugin_loader.ts";
 * console.log(isPluginSpecifier("./my_fusion.ts#myFusion"), isPluginSpecifier("concatConv")); // true false
 * ```
 */
export function isPluginSpecifier(text: string): boolean {
  const hash = text.lastIndexOf("#");
  return hash > 0 && EXPORT_NAME.test(text.slice(hash + 1));
}

/**
 * Parses and normalises a specifier.
 *
 * @param text `"<module>#<export>"`
 * @param base what a relative module is resolved against: the file that names it (a path or URL), default
 *   the current directory
 * @returns the normalised reference
 * @throws {TypeError} when the text is not `"<module>#<export>"`
 * @throws {RangeError} for a module that is not a relative or absolute path, a `file:` or an `http(s):` URL
 *
 * @example
 * ```ts
 * import { parsePluginSpecifier } from "./plugin_loader.ts";
 * const ref = parsePluginSpecifier("./fuse.ts#myFusion", "/home/me/suites/suite.json");
 * console.log(ref.specifier, ref.exportName); // "file:///home/me/suites/fuse.ts#myFusion" "myFusion"
 * ```
 */
export function parsePluginSpecifier(text: string, base?: string | URL): PluginReference {
  if (typeof text !== "string" || !isPluginSpecifier(text)) {
    throw new TypeError(
      `Plug-in specifier ${JSON.stringify(text)} must be "<module specifier>#<export>" ` +
        `(e.g. "./my_fusion.ts#myFusion")`,
    );
  }
  const hash = text.lastIndexOf("#");
  const module = text.slice(0, hash);
  const exportName = text.slice(hash + 1);
  let url: URL;
  if (module.startsWith("./") || module.startsWith("../")) {
    url = new URL(module, baseUrl(base));
  } else if (module.startsWith("/")) {
    url = toFileUrl(module);
  } else if (/^(file|https?):/.test(module)) {
    url = new URL(module);
  } else {
    throw new RangeError(
      `Plug-in specifier ${
        JSON.stringify(text)
      }: the module must be a relative path ("./x.ts"), an absolute ` +
        `path, a file: URL or an http(s): URL`,
    );
  }
  url.hash = "";
  const moduleUrl = url.href;
  return Object.freeze({ specifier: `${moduleUrl}#${exportName}`, moduleUrl, exportName });
}

function baseUrl(base: string | URL | undefined): URL {
  if (base instanceof URL) return base;
  const cwd = () => toFileUrl(`${Deno.cwd()}/`);
  if (base === undefined) return cwd();
  if (/^(file|https?):/.test(base)) return new URL(base);
  return base.startsWith("/") ? toFileUrl(base) : new URL(toFileUrl(base).pathname.slice(1), cwd());
}

/** A registry's contract: what an entry is, and a check that names the first member that is wrong. */
export interface PluginContract<T> {
  /** What an entry is, for messages: "fusion operator". */
  readonly what: string;
  /**
   * Checks a value.
   *
   * @returns undefined when it implements the contract, else what is wrong ("build must be a function")
   */
  check(value: unknown): string | undefined;
  /** Only for the type. */
  readonly type?: T;
}

/** Options of {@linkcode loadPlugin}. */
export interface LoadPluginOptions {
  /** What a relative module is resolved against (the file naming it). */
  base?: string | URL;
  /** The sha256 recorded for this plug-in: a different source is refused before it is imported. */
  expectedSha256?: string;
  /** A project module (a built-in): not hashed. */
  builtin?: boolean;
}

/** A loaded plug-in. */
export interface LoadedPlugin<T> {
  /** The export, checked against the contract. */
  readonly value: T;
  /** The normalised specifier. */
  readonly specifier: string;
  /** Hex sha256 of the module's source; null for a built-in. */
  readonly sha256: string | null;
  /** Whether it is one of the project's own. */
  readonly builtin: boolean;
}

/**
 * Hex sha256 of a module's source (read from disk, or fetched once over http(s)).
 *
 * @param moduleUrl absolute module URL
 * @param specifier for messages
 * @returns 64 lower-case hex digits
 * @throws {PluginError} `missing-module` when the module cannot be read
 *
 * @example
 * ```ts
 * import { pluginSourceSha256 } from "./plugin_loader.ts";
 * const path = await Deno.makeTempFile({ suffix: ".ts" });
 * await Deno.writeTextFile(path, "export const x = 1;\n");
 * console.log((await pluginSourceSha256(new URL(`file://${path}`).href)).length); // 64
 * ```
 */
export async function pluginSourceSha256(moduleUrl: string, specifier = moduleUrl): Promise<string> {
  const bytes = await readModuleSource(moduleUrl, specifier);
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}

async function readModuleSource(moduleUrl: string, specifier: string): Promise<Uint8Array<ArrayBuffer>> {
  const url = new URL(moduleUrl);
  try {
    if (url.protocol === "file:") return await Deno.readFile(url);
    const response = await fetch(url);
    if (!response.ok) {
      await response.body?.cancel();
      throw new Error(`HTTP ${response.status} ${response.statusText}`.trim());
    }
    return new Uint8Array(await response.arrayBuffer());
  } catch (error) {
    const reason = error instanceof Deno.errors.NotFound ? "no such file" : (error as Error).message;
    throw new PluginError(
      "missing-module",
      specifier,
      `Plug-in "${specifier}": cannot read module ${moduleUrl} (${reason})`,
      { cause: error },
    );
  }
}

/**
 * Loads a plug-in (or a built-in, by its project specifier): reads and hashes the source, refuses a source
 * whose hash differs from `expectedSha256`, imports it, takes the export and checks the contract.
 *
 * @param text `"<module>#<export>"`
 * @param contract the registry's contract
 * @param options base, expected hash, built-in
 * @returns the checked value, its normalised specifier and sha256
 * @throws {TypeError|RangeError} for a malformed specifier
 * @throws {PluginError} naming the specifier: `missing-module` (cannot be read), `hash-mismatch` (both
 *   hashes named), `import-failed` (the module throws or does not compile), `missing-export` (the exports it
 *   has are listed), `contract` (the member that is wrong is named)
 *
 * @example
 * ```ts
 * import { loadPlugin } from "./plugin_loader.ts";
 * const dir = await Deno.makeTempDir();
 * await Deno.writeTextFile(`${dir}/double.ts`, "export const double = (x: number) => 2 * x;\n");
 * const contract = { what: "function", check: (v: unknown) => typeof v === "function" ? undefined : "not a function" };
 * const loaded = await loadPlugin<(x: number) => number>("./double.ts#double", contract, { base: `${dir}/suite.json` });
 * console.log(loaded.value(21), loaded.sha256!.length); // 42 64
 * ```
 */
export async function loadPlugin<T>(
  text: string,
  contract: PluginContract<T>,
  options: LoadPluginOptions = {},
): Promise<LoadedPlugin<T>> {
  const { specifier, moduleUrl, exportName } = parsePluginSpecifier(text, options.base);
  const builtin = options.builtin === true;
  let sha256: string | null = null;
  if (!builtin) {
    sha256 = await pluginSourceSha256(moduleUrl, specifier);
    if (options.expectedSha256 !== undefined && options.expectedSha256 !== sha256) {
      throw new PluginError(
        "hash-mismatch",
        specifier,
        `Plug-in "${specifier}" has changed since it was recorded: its source's sha256 is ${sha256}, ` +
          `the recorded sha256 is ${options.expectedSha256}; it is not imported`,
      );
    }
  }
  let module: Record<string, unknown>;
  try {
    module = await import(moduleUrl);
  } catch (error) {
    throw new PluginError(
      "import-failed",
      specifier,
      `Plug-in "${specifier}": importing ${moduleUrl} failed: ${(error as Error).message}${
        /integrity check failed/i.test((error as Error).message)
          ? " (Deno's lock file records an earlier version of this remote module: remove its entries from " +
            "deno.lock, or run the command with --no-lock)"
          : ""
      }`,
      { cause: error },
    );
  }
  if (!Object.hasOwn(module, exportName)) {
    const exports = Object.keys(module);
    throw new PluginError(
      "missing-export",
      specifier,
      `Plug-in "${specifier}": ${moduleUrl} has no export "${exportName}"; its exports are ${
        exports.length ? exports.join(", ") : "(none)"
      }`,
    );
  }
  const value = module[exportName];
  const problem = contract.check(value);
  if (problem !== undefined) {
    throw new PluginError(
      "contract",
      specifier,
      `Plug-in "${specifier}" is not a ${contract.what}: ${problem}`,
    );
  }
  return Object.freeze({ value: value as T, specifier, sha256, builtin });
}

/**
 * Runs a plug-in's code (e.g. its `build` at graph-build time), re-throwing an error with the specifier in
 * front of its message (same error class, the original as cause).
 *
 * @param specifier the plug-in's specifier
 * @param what what it is ("fusion operator")
 * @param run the call
 * @returns what `run` returns
 *
 * @example
 * ```ts
 * import { namingPlugin } from "./plugin_loader.ts";
 * try {
 *   namingPlugin("file:///f.ts#f", "fusion operator", () => { throw new TypeError("Shapes differ"); });
 * } catch (error) {
 *   console.log((error as Error).message); // "Fusion operator \"file:///f.ts#f\" failed while building the graph: Shapes differ"
 * }
 * ```
 */
export function namingPlugin<T>(specifier: string, what: string, run: () => T): T {
  try {
    return run();
  } catch (error) {
    const e = error as Error;
    const Kind = e instanceof TypeError ? TypeError : e instanceof RangeError ? RangeError : Error;
    const What = what.charAt(0).toUpperCase() + what.slice(1);
    throw new Kind(`${What} "${specifier}" failed while building the graph: ${e.message}`, { cause: error });
  }
}
