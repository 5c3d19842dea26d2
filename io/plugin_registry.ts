/**
 * A registry of named components (fusion operators, sharing strategies, and any later one: loss terms, data
 * sources, attribute scorers): built-in names map to specifiers the project knows, and anything else is a
 * user's `"<module specifier>#<export>"`. Both load through {@linkcode loadPlugin}, with the same contract
 * check. Loaded plug-ins are kept by normalised specifier, so synchronous code (graph builders) finds them
 * with {@linkcode PluginRegistry.get} once something resolved them.
 *
 * @module
 */

import {
  isPluginSpecifier,
  type LoadedPlugin,
  loadPlugin,
  parsePluginSpecifier,
  type PluginContract,
  PluginError,
} from "./plugin_loader.ts";

/** A built-in: its value (imported statically) and its specifier (the same module, by URL). */
export interface BuiltinEntry<T> {
  readonly value: T;
  /** `"<absolute module URL>#<export>"`, e.g. `new URL("./sum.ts#sum", import.meta.url).href`. */
  readonly specifier: string;
}

/** Options of {@linkcode PluginRegistry.resolve}. */
export interface ResolveOptions {
  /** What a relative specifier is resolved against (the file naming it). */
  base?: string | URL;
  /** The recorded sha256: a changed source is refused before import. */
  expectedSha256?: string;
}

/**
 * Built-ins by name plus plug-ins by specifier, one contract.
 *
 * @example
 * ```ts
 * import { PluginRegistry } from "./plugin_registry.ts";
 * const contract = { what: "number", check: (v: unknown) => typeof v === "number" ? undefined : "not a number" };
 * const registry = new PluginRegistry<number>(contract, {});
 * const dir = await Deno.makeTempDir();
 * await Deno.writeTextFile(`${dir}/n.ts`, "export const answer = 42;\n");
 * const loaded = await registry.resolve("./n.ts#answer", { base: `${dir}/` });
 * console.log(registry.get(loaded.specifier)); // 42
 * ```
 */
export class PluginRegistry<T> {
  private readonly builtins: Readonly<Record<string, BuiltinEntry<T>>>;
  private readonly loaded = new Map<string, LoadedPlugin<T>>();

  /**
   * @param contract what an entry is and its check (run on the built-ins here, and on every plug-in)
   * @param builtins built-in entries by name
   * @throws {TypeError} when a built-in does not implement the contract
   */
  /** A registry of the built-ins `builtins`, whose plug-ins must keep `contract`. */
  constructor(readonly contract: PluginContract<T>, builtins: Readonly<Record<string, BuiltinEntry<T>>>) {
    for (const [name, entry] of Object.entries(builtins)) {
      const problem = contract.check(entry.value);
      if (problem) throw new TypeError(`Built-in ${contract.what} "${name}" breaks its contract: ${problem}`);
    }
    this.builtins = Object.freeze({ ...builtins });
  }

  /** The built-in names, in registry order. */
  get names(): string[] {
    return Object.keys(this.builtins);
  }

  /** Whether a name is a built-in. */
  isBuiltin(name: string): boolean {
    return Object.hasOwn(this.builtins, name);
  }

  /** The project specifier of a built-in name. */
  builtinSpecifier(name: string): string {
    return this.builtinEntry(name).specifier;
  }

  /**
   * Whether a config value is valid here: a built-in name or a specifier (syntactically).
   *
   * @throws {RangeError} for anything else, listing the names
   */
  checkName(value: string, field: string): void {
    if (this.isBuiltin(value) || isPluginSpecifier(value)) return;
    throw new RangeError(
      `Unknown ${field} ${JSON.stringify(value)}; valid names are ${this.names.join(", ")}, ` +
        `or a plug-in "<module specifier>#<export>"`,
    );
  }

  /**
   * The entry for a built-in name or a loaded plug-in's normalised specifier (synchronous).
   *
   * @param nameOrSpecifier a name, or a specifier already resolved by {@linkcode PluginRegistry.resolve}
   * @returns the value
   * @throws {RangeError} for an unknown name
   * @throws {PluginError} `not-allowed` for a specifier nothing has loaded (it names it)
   */
  get(nameOrSpecifier: string): T {
    if (!isPluginSpecifier(nameOrSpecifier)) return this.builtinEntry(nameOrSpecifier).value;
    const plugin = this.loaded.get(nameOrSpecifier);
    if (!plugin) {
      throw new PluginError(
        "not-allowed",
        nameOrSpecifier,
        `The ${this.contract.what} "${nameOrSpecifier}" is a plug-in that has not been loaded; resolve it first ` +
          `(a model folder: loadHyperInverter with allowPlugins / --allow-plugins; a config: ` +
          `resolveHypernetPlugins)`,
      );
    }
    return plugin.value;
  }

  /**
   * A built-in name unchanged, or a specifier made absolute.
   *
   * @param nameOrSpecifier a name or `"<module>#<export>"`
   * @param base what a relative module is resolved against
   * @returns the name, or the normalised specifier
   */
  normalise(nameOrSpecifier: string, base?: string | URL): string {
    if (isPluginSpecifier(nameOrSpecifier)) return parsePluginSpecifier(nameOrSpecifier, base).specifier;
    this.builtinEntry(nameOrSpecifier); // an unknown name throws
    return nameOrSpecifier;
  }

  /** The loaded plug-in of a normalised specifier (with its sha256), if any. */
  loadedPlugin(specifier: string): LoadedPlugin<T> | undefined {
    return this.loaded.get(specifier);
  }

  /**
   * Loads a built-in (through its project specifier) or a plug-in, checks it and keeps it.
   *
   * @param nameOrSpecifier a built-in name or `"<module>#<export>"`
   * @param options base, expected sha256
   * @returns the loaded entry (a built-in has `builtin: true`, `sha256: null`)
   * @throws {RangeError} for an unknown name
   * @throws {PluginError} naming the specifier (see {@linkcode loadPlugin})
   */
  async resolve(nameOrSpecifier: string, options: ResolveOptions = {}): Promise<LoadedPlugin<T>> {
    if (!isPluginSpecifier(nameOrSpecifier)) {
      const entry = this.builtinEntry(nameOrSpecifier);
      return await loadPlugin<T>(entry.specifier, this.contract, { builtin: true });
    }
    const { specifier } = parsePluginSpecifier(nameOrSpecifier, options.base);
    const loaded = await loadPlugin<T>(specifier, this.contract, { expectedSha256: options.expectedSha256 });
    this.loaded.set(specifier, loaded);
    return loaded;
  }

  /** The built-in named `name`. */
  private builtinEntry(name: string): BuiltinEntry<T> {
    if (!this.isBuiltin(name)) {
      throw new RangeError(
        `Unknown ${this.contract.what} ${JSON.stringify(name)}; valid names are ${this.names.join(", ")}`,
      );
    }
    return this.builtins[name];
  }
}
