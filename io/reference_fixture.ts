/**
 * Loader for the golden fixtures made from the official HyperInverter code (fixtures/reference/README.md):
 * each folder has a `manifest.json`, raw little-endian `.bin` tensors, and PRNG recipes for every weight.
 *
 * @module
 */

import { prngFill } from "./prng.ts";

/** The tensor sections of a manifest. */
export type FixtureSection = "inputs" | "outputs" | "intermediates";

/** Element types of fixture `.bin` files. */
export type FixtureDtype = "float32" | "int32" | "uint8";

/** A tensor read from a fixture; `dtype` tells which typed array `data` is. */
export type FixtureTensor =
  | { shape: number[]; dtype: "float32"; data: Float32Array }
  | { shape: number[]; dtype: "int32"; data: Int32Array }
  | { shape: number[]; dtype: "uint8"; data: Uint8Array };

/** A PRNG recipe: `value[j] = fround(offset + scale · u(seed, k, j))`. `k` is a string for per-layer families. */
export interface PrngRecipe {
  /** The PRNG seed. */
  seed: number;
  /** The stream index, or a family name. */
  k: number | string;
  /** Added to each value. */
  offset: number;
  /** Multiplies each value. */
  scale: number;
}

/** A tensor entry of `inputs`, `outputs` or `intermediates`. `shape` is a string for per-layer families. */
export interface FixtureTensorEntry {
  /** The binary file holding the values. */
  file?: string;
  /** The element type. */
  dtype?: string;
  /** The shape, or a family name. */
  shape: number[] | string;
  /** A note. */
  note?: string;
  /** The recipe, when the values are PRNG-filled. */
  prng?: PrngRecipe;
  /** The other fields, as parsed. */
  [key: string]: unknown;
}

/** One parameter or buffer of a PRNG-filled module, in `state_dict()` order (`k` is its index). */
export interface ModuleTensorEntry {
  /** Its index in `state_dict()` order. */
  k: number;
  /** Its name. */
  name: string;
  /** Its shape. */
  shape: number[];
  /** Its element type. */
  dtype: string;
  /** The initialization rule. */
  rule: string;
  /** How to fill it. */
  fill: "prng" | "keep" | "skip";
  /** Added to each value. */
  offset?: number;
  /** Multiplies each value. */
  scale?: number;
  /** The values, when listed. */
  values?: number[];
}

/** A PRNG-filled module of the official code. */
export interface ModuleEntry {
  /** The PRNG seed. */
  seed: number;
  /** Its path in the official code. */
  path?: string;
  /** Its class name. */
  class?: string;
  /** Its parameters and buffers. */
  tensors: ModuleTensorEntry[];
  /** The other fields, as parsed. */
  [key: string]: unknown;
}

/** A fixture's `manifest.json`: the sections this loader reads are typed, the rest is kept as parsed. */
export interface ReferenceManifest {
  /** The fixture's name. */
  fixture?: string;
  /** The configuration it was made with. */
  config?: Record<string, unknown>;
  /** The PRNG-filled modules. */
  modules?: Record<string, ModuleEntry>;
  /** The inputs. */
  inputs?: Record<string, FixtureTensorEntry>;
  /** The outputs. */
  outputs?: Record<string, FixtureTensorEntry>;
  /** The intermediate values. */
  intermediates?: Record<string, FixtureTensorEntry>;
  /** The other sections, as parsed. */
  [key: string]: unknown;
}

/** A module weight regenerated from the manifest. */
export interface ModuleWeight {
  /** The shape. */
  shape: number[];
  /** The values, row-major. */
  data: Float32Array;
}

/** Options of {@linkcode loadReferenceFixture}. */
export interface LoadReferenceFixtureOptions {
  /** Folder that holds the fixture folders (default {@linkcode referenceFixturesRoot}). */
  root?: string;
}

const ENV_VARIABLE = "HYPERINVERTER_FIXTURES";

const BYTES_OF_DTYPE: Record<FixtureDtype, number> = { float32: 4, int32: 4, uint8: 1 };

/** Path of a `file:` URL. */
function pathOfFileUrl(url: URL): string {
  const path = decodeURIComponent(url.pathname);
  // file:///C:/x has the pathname /C:/x on Windows.
  return Deno.build.os === "windows" && /^\/[A-Za-z]:/.test(path) ? path.slice(1) : path;
}

/**
 * Folder that holds the reference fixtures: `$HYPERINVERTER_FIXTURES` when it is set (and readable), else
 * `../shared/fixtures/reference` relative to the repository root.
 *
 * @returns the folder path, without a trailing slash
 *
 * @example
 * ```ts
 * import { referenceFixturesRoot } from "./reference_fixture.ts";
 * const root = referenceFixturesRoot(); // for example /work/shared/fixtures/reference
 * console.log((await Deno.stat(`${root}/prng_check.json`)).isFile); // true
 * ```
 */
export function referenceFixturesRoot(): string {
  const permission = Deno.permissions.querySync({ name: "env", variable: ENV_VARIABLE });
  const fromEnvironment = permission.state === "granted" ? Deno.env.get(ENV_VARIABLE) : undefined;
  if (fromEnvironment) return fromEnvironment.replace(/[\\/]+$/, "");
  const repositoryRoot = new URL("../", import.meta.url); // this file is <root>/io/reference_fixture.ts
  const root = new URL("../shared/fixtures/reference", repositoryRoot);
  if (root.protocol !== "file:") {
    throw new Error(`Cannot find the reference fixtures next to ${repositoryRoot.href}; set ${ENV_VARIABLE}`);
  }
  return pathOfFileUrl(root);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isShape(value: unknown): value is number[] {
  return Array.isArray(value) && value.every((dim) => Number.isSafeInteger(dim) && dim >= 0);
}

function elementCount(shape: readonly number[]): number {
  return shape.reduce((product, dim) => product * dim, 1);
}

/**
 * One golden fixture folder: its manifest, typed accessors to the entries, and readers for tensors and
 * PRNG-filled module weights. Made by {@linkcode loadReferenceFixture}.
 *
 * @example
 * ```ts
 * import { loadReferenceFixture } from "./reference_fixture.ts";
 * const fixture = await loadReferenceFixture("generator-64");
 * const ws = await fixture.readTensor("inputs", "ws");
 * console.log(ws.dtype, ws.shape); // "float32" [2, 10, 512]
 * ```
 */
export class ReferenceFixture {
  /**
   * @param name folder name, for example `generator-64`
   * @param directory path of the folder
   * @param manifest the parsed `manifest.json`
   */
  /** The fixture's name. */
  constructor(
    readonly name: string,
    readonly directory: string,
    readonly manifest: ReferenceManifest,
  ) {}

  /**
   * Names of the tensors of a section, in manifest order (empty when the section is absent).
   *
   * @param section `inputs`, `outputs` or `intermediates`
   * @returns the tensor names
   *
   * @example
   * ```ts
   * import { loadReferenceFixture } from "./reference_fixture.ts";
   * const fixture = await loadReferenceFixture("generator-64");
   * console.log(fixture.tensorNames("inputs")); // ["ws", "z"]
   * ```
   */
  tensorNames(section: FixtureSection): string[] {
    const entries = this.manifest[section];
    return isPlainObject(entries) ? Object.keys(entries) : [];
  }

  /**
   * The manifest entry of a tensor.
   *
   * @param section `inputs`, `outputs` or `intermediates`
   * @param name tensor name in that section
   * @returns the entry as stored in the manifest
   * @throws {RangeError} when the section or tensor does not exist
   *
   * @example
   * ```ts
   * import { loadReferenceFixture } from "./reference_fixture.ts";
   * const fixture = await loadReferenceFixture("generator-64");
   * console.log(fixture.tensorEntry("inputs", "z").prng?.seed); // 6950914
   * ```
   */
  tensorEntry(section: FixtureSection, name: string): FixtureTensorEntry {
    const entries = this.manifest[section];
    if (!isPlainObject(entries)) {
      throw new RangeError(`Fixture ${this.name} has no section "${section}"`);
    }
    const entry = Object.hasOwn(entries, name) ? entries[name] : undefined;
    if (!isPlainObject(entry)) {
      const known = Object.keys(entries);
      const listed = known.slice(0, 12).join(", ") + (known.length > 12 ? ", …" : "");
      throw new RangeError(`Fixture ${this.name} has no tensor "${name}" in ${section} (it has ${listed})`);
    }
    return entry;
  }

  /**
   * Reads a tensor: the raw little-endian `.bin` file when the entry has one (its byte length must be
   * prod(shape)·itemsize), else the values its `prng` recipe generates (float32).
   *
   * @param section `inputs`, `outputs` or `intermediates`
   * @param name tensor name in that section
   * @returns shape, dtype and data
   * @throws {TypeError} for a file whose byte length does not match the shape, an unknown dtype, or an entry
   * with neither a single-tensor PRNG recipe nor a file
   *
   * @example
   * ```ts
   * import { loadReferenceFixture } from "./reference_fixture.ts";
   * const fixture = await loadReferenceFixture("hyperinverter-ffhq1024");
   * const image = await fixture.readTensor("inputs", "input_u8");
   * console.log(image.dtype, image.shape); // "uint8" [1024, 1024, 3]
   * ```
   */
  async readTensor(section: FixtureSection, name: string): Promise<FixtureTensor> {
    const entry = this.tensorEntry(section, name);
    const where = `Fixture ${this.name} tensor ${section}.${name}`;
    if (!isShape(entry.shape)) {
      throw new TypeError(`${where}: shape ${JSON.stringify(entry.shape)} is not a list of sizes`);
    }
    const shape = entry.shape;
    const dtype = entry.dtype ?? "float32";
    if (!Object.hasOwn(BYTES_OF_DTYPE, dtype)) {
      throw new TypeError(
        `${where}: unknown dtype ${JSON.stringify(dtype)} (expected float32, int32 or uint8)`,
      );
    }
    const count = elementCount(shape);
    if (typeof entry.file !== "string") {
      const recipe = entry.prng;
      if (!recipe) throw new TypeError(`${where}: the entry has neither a file nor a prng recipe`);
      if (typeof recipe.k !== "number" || dtype !== "float32") {
        throw new TypeError(
          `${where}: the prng recipe (k ${JSON.stringify(recipe.k)}, dtype ${dtype}) is not one float32 ` +
            `tensor; generate it with prngFill`,
        );
      }
      return { shape, dtype, data: prngFill(recipe.seed, recipe.k, count, recipe.offset, recipe.scale) };
    }
    if (/[\\/]/.test(entry.file) || entry.file === ".." || entry.file === ".") {
      throw new TypeError(`${where}: file ${JSON.stringify(entry.file)} is not a plain file name`);
    }
    const path = `${this.directory}/${entry.file}`;
    let bytes = await Deno.readFile(path);
    const expected = count * BYTES_OF_DTYPE[dtype as FixtureDtype];
    if (bytes.byteLength !== expected) {
      throw new TypeError(
        `${where}: ${path} has ${bytes.byteLength} bytes, but ${dtype} ${
          JSON.stringify(shape)
        } needs ${expected}`,
      );
    }
    if (bytes.byteOffset % 4 !== 0) bytes = bytes.slice();
    switch (dtype as FixtureDtype) {
      case "float32":
        return { shape, dtype: "float32", data: new Float32Array(bytes.buffer, bytes.byteOffset, count) };
      case "int32":
        return { shape, dtype: "int32", data: new Int32Array(bytes.buffer, bytes.byteOffset, count) };
      case "uint8":
        return { shape, dtype: "uint8", data: bytes };
    }
  }

  /**
   * Reads a float32 tensor (see {@linkcode ReferenceFixture.readTensor}).
   *
   * @param section `inputs`, `outputs` or `intermediates`
   * @param name tensor name in that section
   * @returns shape and float32 data
   * @throws {TypeError} when the tensor is not float32
   *
   * @example
   * ```ts
   * import { loadReferenceFixture } from "./reference_fixture.ts";
   * const fixture = await loadReferenceFixture("generator-64");
   * const img = await fixture.readFloat32("outputs", "img");
   * console.log(img.shape, img.data.length); // [2, 3, 64, 64] 24576
   * ```
   */
  async readFloat32(section: FixtureSection, name: string): Promise<{ shape: number[]; data: Float32Array }> {
    const tensor = await this.readTensor(section, name);
    if (tensor.dtype !== "float32") {
      throw new TypeError(`Fixture ${this.name} tensor ${section}.${name} is ${tensor.dtype}, not float32`);
    }
    return { shape: tensor.shape, data: tensor.data };
  }

  /**
   * Names of the PRNG-filled modules, in manifest order.
   *
   * @returns module names, for example `["E1", "E2", "H", "G"]`
   *
   * @example
   * ```ts
   * import { loadReferenceFixture } from "./reference_fixture.ts";
   * const fixture = await loadReferenceFixture("generator-64");
   * console.log(fixture.moduleNames()); // ["G"]
   * ```
   */
  moduleNames(): string[] {
    return isPlainObject(this.manifest.modules) ? Object.keys(this.manifest.modules) : [];
  }

  /**
   * The manifest entry of a module: its seed and its tensors in `state_dict()` order.
   *
   * @param moduleName for example `G`
   * @returns the entry as stored in the manifest
   * @throws {RangeError} when the module does not exist
   *
   * @example
   * ```ts
   * import { loadReferenceFixture } from "./reference_fixture.ts";
   * const fixture = await loadReferenceFixture("generator-64");
   * console.log(fixture.moduleEntry("G").tensors.length); // 94
   * ```
   */
  moduleEntry(moduleName: string): ModuleEntry {
    const modules = this.manifest.modules;
    const entry = isPlainObject(modules) && Object.hasOwn(modules, moduleName)
      ? modules[moduleName]
      : undefined;
    if (!isPlainObject(entry) || !Array.isArray(entry.tensors)) {
      throw new RangeError(
        `Fixture ${this.name} has no module "${moduleName}" (it has ${
          this.moduleNames().join(", ") || "none"
        })`,
      );
    }
    return entry;
  }

  /**
   * The weights of a module regenerated from the manifest, in manifest order: `prng` entries are
   * `prngFill(seed, k, numel, offset, scale)` with the module's seed, `keep` entries are their listed
   * `values`, and `skip` entries (non-float buffers such as `num_batches_tracked`) are left out.
   *
   * @param moduleName for example `G`
   * @returns weights by name (relative to the module)
   * @throws {RangeError} when the module does not exist or kept values do not match the shape
   * @throws {TypeError} for an entry with a bad shape, an unknown fill, or no offset/scale
   *
   * @example
   * ```ts
   * import { loadReferenceFixture } from "./reference_fixture.ts";
   * const fixture = await loadReferenceFixture("generator-64");
   * const weights = fixture.moduleWeights("G");
   * console.log(weights.get("synthesis.b4.const")!.shape); // [64, 4, 4]
   * ```
   */
  moduleWeights(moduleName: string): Map<string, ModuleWeight> {
    const module = this.moduleEntry(moduleName);
    const weights = new Map<string, ModuleWeight>();
    for (const tensor of module.tensors) {
      const where = `Fixture ${this.name} module ${moduleName} tensor "${tensor.name}"`;
      if (!isShape(tensor.shape)) {
        throw new TypeError(`${where}: shape ${JSON.stringify(tensor.shape)} is invalid`);
      }
      const count = elementCount(tensor.shape);
      switch (tensor.fill) {
        case "skip":
          break;
        case "keep": {
          const values = tensor.values;
          if (!Array.isArray(values) || values.length !== count) {
            throw new RangeError(
              `${where}: kept values (${Array.isArray(values) ? values.length : "none"}) do not match ` +
                `shape ${JSON.stringify(tensor.shape)} (${count})`,
            );
          }
          weights.set(tensor.name, { shape: tensor.shape, data: Float32Array.from(values) });
          break;
        }
        case "prng": {
          const { k, offset, scale } = tensor;
          if (!Number.isSafeInteger(k) || typeof offset !== "number" || typeof scale !== "number") {
            throw new TypeError(`${where}: a prng entry needs an integer k and numbers offset and scale`);
          }
          weights.set(tensor.name, {
            shape: tensor.shape,
            data: prngFill(module.seed, k, count, offset, scale),
          });
          break;
        }
        default:
          throw new TypeError(
            `${where}: unknown fill ${JSON.stringify(tensor.fill)} (expected prng, keep or skip)`,
          );
      }
    }
    return weights;
  }
}

/**
 * Loads a fixture folder's `manifest.json`.
 *
 * @param name folder name, for example `generator-64` or `hyperinverter-ffhq1024`
 * @param options `root`: the folder that holds the fixtures (default {@linkcode referenceFixturesRoot})
 * @returns the fixture
 * @throws {Deno.errors.NotFound} saying where it looked when the folder or manifest is missing
 * @throws {SyntaxError} when the manifest does not parse
 * @throws {TypeError} when the name is not a plain folder name
 *
 * @example
 * ```ts
 * import { loadReferenceFixture } from "./reference_fixture.ts";
 * const fixture = await loadReferenceFixture("hyperinverter-ffhq1024");
 * console.log(fixture.moduleNames()); // ["E1", "E2", "H", "G"]
 * ```
 */
export async function loadReferenceFixture(
  name: string,
  options: LoadReferenceFixtureOptions = {},
): Promise<ReferenceFixture> {
  if (name === "" || name === "." || name === ".." || /[\\/]/.test(name)) {
    throw new TypeError(`Fixture name ${JSON.stringify(name)} is not a plain folder name`);
  }
  const root = (options.root ?? referenceFixturesRoot()).replace(/[\\/]+$/, "");
  const directory = `${root}/${name}`;
  const manifestPath = `${directory}/manifest.json`;
  let text: string;
  try {
    text = await Deno.readTextFile(manifestPath);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
    const origin = options.root !== undefined
      ? "the root option"
      : `${ENV_VARIABLE} or the default ../shared/fixtures/reference next to the repository`;
    throw new Deno.errors.NotFound(
      `Reference fixture "${name}" not found: looked for ${manifestPath} (fixtures root ${root}, from ${origin}); ` +
        `set ${ENV_VARIABLE} to the folder that holds the fixtures`,
      { cause: error },
    );
  }
  let manifest: unknown;
  try {
    manifest = JSON.parse(text);
  } catch (error) {
    throw new SyntaxError(`Manifest ${manifestPath} is not JSON (${(error as Error).message})`);
  }
  if (!isPlainObject(manifest)) throw new SyntaxError(`Manifest ${manifestPath} is not a JSON object`);
  return new ReferenceFixture(name, directory, manifest as ReferenceManifest);
}
