/**
 * The data-source contract every trainer reads through. A data source opens, at the resolution and channel count
 * the model asks for, to three splits (`train`, `validation`, and a held-out `test` no trainer sees), each
 * `{ count, batch(indices) }` giving `[B, C, R, R]` float32 in [−1, 1].
 *
 * Configs and command lines name a source by one value (`--data`, or a config's `data` field):
 *
 * - `"fashion-mnist"` (the default): Fashion-MNIST padded to the resolution (Debian `dataset-fashion-mnist`);
 * - `"<module>#<export>"`: a plug-in, the named export of a module (a relative path, resolved against the file
 *   that names it, an absolute path, a `file:` URL or an `http(s):` URL) that implements {@linkcode DataSource};
 * - any other string: a folder of images (PNG, JPEG, WebP, …; see `image_folder.ts`), relative to the file that
 *   names it;
 * - in JSON, also `{ "folder": "path", "validationFraction": 0.05, "testFraction": 0.05 }` to set the split.
 *
 * Built-in names are specifiers the project knows ({@linkcode BUILTIN_DATA_SOURCES}): they load through the same
 * code path as plug-ins and pass the same contract check ({@linkcode checkDataSource}).
 *
 * @module
 */

import { isPluginSpecifier, loadPlugin, type PluginContract } from "../../io/plugin_loader.ts";

export { isPluginSpecifier };

/** One split as the trainers take it. */
export interface DataSplit {
  /** Number of images. */
  count: number;
  /**
   * The images at `indices`, in order, as float32 `[B, C, R, R]` in [−1, 1] (`B = indices.length`).
   *
   * @throws {RangeError} for an index outside `[0, count)`
   */
  batch(indices: Int32Array): Float32Array;
  /** Class of each image, when the source has classes (Fashion-MNIST); `ablate` picks samples by class. */
  labels?: Uint8Array;
}

/** The three splits of an opened source. */
export interface DataSplits {
  /** What the trainers learn from. */
  train: DataSplit;
  /** For model selection (validation losses, best checkpoints). */
  validation: DataSplit;
  /** Held out: never seen by a trainer, used for evaluation only. */
  test: DataSplit;
}

/** What a trainer asks of a source. */
export interface OpenDataOptions {
  /** Side R of the square images (the model's resolution). */
  resolution: number;
  /** 1 for grayscale, 3 for RGB (the model's image channels). */
  channels: 1 | 3;
  /** Receives one line per problem that does not stop the source (an unreadable file skipped). */
  onWarning?: (message: string) => void;
}

/** A data source: what the built-ins and a plug-in's export implement. */
export interface DataSource {
  /** How the source is named in configs and provenance (`"fashion-mnist"`, a folder, a specifier). */
  readonly name: string;
  /** Hex sha256 of a plug-in's module source, for provenance (set by {@linkcode resolveDataSource}; absent else). */
  readonly sha256?: string;
  /** Opens the three splits at the asked resolution and channels. */
  open(options: OpenDataOptions): Promise<DataSplits>;
}

/** The JSON form of a folder source. */
export interface FolderDataSpec {
  /** The image folder (relative to the file that names it). */
  folder: string;
  /** Share of the files in the validation split (default 0.05). */
  validationFraction?: number;
  /** Share of the files in the test split (default 0.05). */
  testFraction?: number;
}

/** A config or command-line value naming a data source. */
export type DataSpec = string | FolderDataSpec;

/** The default source of every trainer. */
export const DEFAULT_DATA_SOURCE = "fashion-mnist";

/** Built-in names and the specifiers they load from (the same loader as plug-ins). */
export const BUILTIN_DATA_SOURCES: Readonly<Record<string, string>> = Object.freeze({
  "fashion-mnist": `${new URL("./fashion_mnist_source.ts", import.meta.url).href}#fashionMnistSource`,
});

/** Options of {@linkcode resolveDataSource}. */
export interface ResolveDataSourceOptions {
  /**
   * The file that names the source (a path or URL), against which relative folders and modules resolve; a
   * folder when it ends with `/` (default: the current directory).
   */
  base?: string | URL;
  /** The sha256 recorded for a plug-in source: a module whose source differs is refused before it is imported. */
  expectedSha256?: string;
}

const FOLDER_KEYS = ["folder", "validationFraction", "testFraction"];

/**
 * Checks the shape of a data spec (a string, or `{ folder, validationFraction?, testFraction? }`).
 *
 * @param value a config's `data` value (`null` or `undefined` mean the default)
 * @returns the spec, {@linkcode DEFAULT_DATA_SOURCE} for `null`/`undefined`
 * @throws {TypeError} naming the value and the valid forms when it has the wrong shape or an unknown key
 * @throws {RangeError} for split fractions outside [0, 1) or summing to 1 or more
 * @example
 * ```ts
 * import { parseDataSpec } from "./source.ts";
 * console.log(parseDataSpec(null), parseDataSpec({ folder: "photos", testFraction: 0.1 }));
 * // fashion-mnist { folder: "photos", testFraction: 0.1 }
 * ```
 */
export function parseDataSpec(value: unknown): DataSpec {
  if (value === null || value === undefined) return DEFAULT_DATA_SOURCE;
  if (typeof value === "string") {
    if (!value) {
      throw new TypeError('Data source "" is empty: name "fashion-mnist", a folder or "<module>#<export>"');
    }
    return value;
  }
  if (typeof value !== "object" || Array.isArray(value)) {
    throw new TypeError(
      `Data source ${
        JSON.stringify(value)
      } must be a string ("fashion-mnist", a folder, "<module>#<export>") ` +
        'or { "folder": "path", "validationFraction"?: number, "testFraction"?: number }',
    );
  }
  const record = value as Record<string, unknown>;
  const unknown = Object.keys(record).filter((key) => !FOLDER_KEYS.includes(key));
  if (unknown.length) {
    throw new TypeError(
      `Unknown key(s) in data source: ${unknown.join(", ")}. Valid keys: ${FOLDER_KEYS.join(", ")}`,
    );
  }
  if (typeof record.folder !== "string" || !record.folder) {
    throw new TypeError(
      `Data source "folder" must be a non-empty string, got ${JSON.stringify(record.folder)}`,
    );
  }
  for (const key of ["validationFraction", "testFraction"]) {
    const fraction = record[key];
    if (fraction === undefined) continue;
    if (typeof fraction !== "number" || !(fraction >= 0 && fraction < 1)) {
      throw new RangeError(
        `Data source "${key}" must be a number in [0, 1), got ${JSON.stringify(fraction)}`,
      );
    }
  }
  if (((record.validationFraction as number) ?? 0.05) + ((record.testFraction as number) ?? 0.05) >= 1) {
    throw new RangeError(`Data source fractions leave no training images: ${JSON.stringify(value)}`);
  }
  return record as unknown as FolderDataSpec;
}

/**
 * Checks that a value implements {@linkcode DataSource}.
 *
 * @param value a built-in's or plug-in's export
 * @param specifier how it was named (for the message)
 * @returns the value, typed
 * @throws {TypeError} naming the specifier when `value` has no `open` function
 * @example
 * ```ts
 * import { checkDataSource } from "./source.ts";
 * try {
 *   checkDataSource({ name: "x" }, "./mine.ts#photos");
 * } catch (error) {
 *   console.log((error as Error).message.startsWith("Data source ./mine.ts#photos")); // true
 * }
 * ```
 */
export function checkDataSource(value: unknown, specifier: string): DataSource {
  const problem = DATA_SOURCE_CONTRACT.check(value);
  if (problem !== undefined) throw new TypeError(`Data source ${specifier} is not a data source: ${problem}`);
  return value as DataSource;
}

/** The data-source contract as the plug-in loader checks it. */
export const DATA_SOURCE_CONTRACT: PluginContract<DataSource> = {
  what: "data source",
  check(value) {
    if (typeof value !== "object" || value === null || typeof (value as DataSource).open !== "function") {
      return "expected an object with open({ resolution, channels }) → Promise<{ train, validation, test }>, " +
        `got ${describeValue(value)}`;
    }
    return undefined;
  },
};

function describeValue(value: unknown): string {
  if (value === null) return "null";
  if (typeof value === "function") return "a function";
  if (typeof value === "object") return `an object with keys ${Object.keys(value).join(", ") || "(none)"}`;
  return `${typeof value} ${JSON.stringify(value)}`;
}

/**
 * Checks opened splits against what was asked: every split has an integer `count` and a `batch` function, and a
 * one-image batch has `C · R · R` finite values.
 *
 * @param splits what `open` returned
 * @param options what was asked
 * @param specifier the source's name (for the message)
 * @returns the splits
 * @throws {TypeError} naming the specifier and the split for a missing split, count or batch, or a batch of the
 *   wrong length
 * @example
 * ```ts
 * import { checkDataSplits } from "./source.ts";
 * const split = { count: 1, batch: (i: Int32Array) => new Float32Array(i.length * 3 * 4 * 4) };
 * checkDataSplits({ train: split, validation: split, test: split }, { resolution: 4, channels: 3 }, "demo");
 * ```
 */
export function checkDataSplits(splits: unknown, options: OpenDataOptions, specifier: string): DataSplits {
  if (typeof splits !== "object" || splits === null) {
    throw new TypeError(
      `Data source ${specifier}: open() must give { train, validation, test }, got ${describeValue(splits)}`,
    );
  }
  const expected = options.channels * options.resolution * options.resolution;
  for (const name of ["train", "validation", "test"] as const) {
    const split = (splits as Record<string, DataSplit | undefined>)[name];
    if (typeof split !== "object" || split === null || typeof split.batch !== "function") {
      throw new TypeError(`Data source ${specifier}: split "${name}" is not { count, batch(indices) }`);
    }
    if (!Number.isInteger(split.count) || split.count < 0) {
      throw new TypeError(
        `Data source ${specifier}: split "${name}" has count ${split.count}, not an integer ≥ 0`,
      );
    }
    if (split.count > 0) {
      const one = split.batch(Int32Array.of(0));
      if (!(one instanceof Float32Array) || one.length !== expected) {
        throw new TypeError(
          `Data source ${specifier}: split "${name}" gives a batch of ${describeBatch(one)} for one image, ` +
            `expected ${expected} float32 values ([1, ${options.channels}, ${options.resolution}, ${options.resolution}])`,
        );
      }
    }
  }
  return splits as DataSplits;
}

function describeBatch(value: unknown): string {
  if (value instanceof Float32Array) return `${value.length} values`;
  return value?.constructor?.name ?? typeof value;
}

/**
 * Turns a config or command-line value into a data source whose `open` checks the contract: a built-in name, a
 * plug-in specifier, or an image folder (see the module documentation).
 *
 * @param spec the value (`null`/`undefined` for the default, Fashion-MNIST)
 * @param options `base`: the file that names it (relative paths resolve against it)
 * @returns the source; its `name` is the built-in name, the resolved specifier or the folder's absolute path
 * @throws {TypeError} for a malformed spec
 * @throws {PluginError} naming the specifier when the module cannot be read or imported, lacks the export, does
 *   not implement the contract, or its source's sha256 differs from `expectedSha256`
 * @example
 * ```ts
 * import { resolveDataSource } from "./source.ts";
 * const folder = await Deno.makeTempDir();
 * const source = await resolveDataSource("photos", { base: `${folder}/suite.json` });
 * console.log(source.name === `${folder}/photos`); // true
 * ```
 */
export async function resolveDataSource(
  spec: unknown,
  options: ResolveDataSourceOptions = {},
): Promise<DataSource> {
  const parsed = parseDataSpec(spec);
  if (
    typeof parsed === "string" && (Object.hasOwn(BUILTIN_DATA_SOURCES, parsed) || isPluginSpecifier(parsed))
  ) {
    const builtin = Object.hasOwn(BUILTIN_DATA_SOURCES, parsed);
    const loaded = await loadPlugin(builtin ? BUILTIN_DATA_SOURCES[parsed] : parsed, DATA_SOURCE_CONTRACT, {
      base: options.base,
      builtin,
      expectedSha256: builtin ? undefined : options.expectedSha256,
    });
    return checkedSource(loaded.value, builtin ? parsed : loaded.specifier, loaded.sha256 ?? undefined);
  }
  const folder = typeof parsed === "string" ? { folder: parsed } : parsed;
  const { imageFolderSource } = await import("./image_folder.ts");
  const path = decodeURIComponent(new URL(folder.folder, folderBase(options.base)).pathname);
  return imageFolderSource(path.length > 1 ? path.replace(/\/+$/, "") : path, {
    validationFraction: folder.validationFraction,
    testFraction: folder.testFraction,
  });
}

/** What a relative folder resolves against: the naming file, or a folder when it ends with `/`. */
function folderBase(base: string | URL | undefined): URL {
  const fileUrl = (path: string) => Object.assign(new URL("file:///"), { pathname: path });
  if (base instanceof URL) return base;
  if (base === undefined) return fileUrl(`${Deno.cwd()}/`);
  if (/^(file|https?):/.test(base)) return new URL(base);
  return fileUrl(base.startsWith("/") ? base : `${Deno.cwd()}/${base}`);
}

/** Wraps a source so that what `open` gives is checked against what was asked. */
function checkedSource(source: DataSource, name: string, sha256?: string): DataSource {
  return {
    name,
    ...(sha256 ? { sha256 } : {}),
    async open(options) {
      return checkDataSplits(await source.open(options), options, name);
    },
  };
}
