/**
 * The model manifest (`model.json`): the architecture of a HyperInverter model and which safetensors file
 * holds which module, so that an experiment variant is a config, not code (design.md, "The model manifest").
 *
 * ```json
 * {
 *   "format": "hyperinverter-deno/model", "version": 1, "name": "church256-d64",
 *   "architecture": { "generator": { "resolution": 256 }, "wEncoder": { … }, "layerWiseEncoder": { … },
 *                     "hypernet": { … }, "refinementPasses": 1 },
 *   "weights": { "generator": "generator.safetensors", "wEncoder": "w_encoder.safetensors",
 *                "layerWiseEncoder": "w_bar_encoder.safetensors", "hypernet": "hypernet.safetensors" },
 *   "sha256": { "generator": "<64 hex>", … },
 *   "provenance": { "source": "…" }
 * }
 * ```
 * `sha256` (optional, written by model/model_folder.ts) holds the digest of each weights file, checked on load.
 * `plugins` (present when the hypernet names plug-in code, `"<module specifier>#<export>"`) holds the sha256
 * of each plug-in's source by its absolute specifier; loading imports them only when allowed (model/plugins.ts).
 * Each weights file holds its module's state dict under the official names without the module prefix
 * (`synthesis.b4.const`, `input_layer.0.weight`, `weight_regressors.b4_conv1_weight.w1`); paths are relative
 * to the manifest.
 *
 * @module
 */

import { isSha256Hex } from "./weights_digest.ts";
import { readRegularFile } from "../io/regular_file.ts";
import { isPluginSpecifier } from "../io/plugin_loader.ts";

/** The identifier every manifest starts with. */
export const MANIFEST_FORMAT = "hyperinverter-deno/model";
/** The manifest version this code reads and writes. */
export const MANIFEST_VERSION = 1;

/** The modules of a model, in the order they run. */
export const MODULE_NAMES = ["generator", "wEncoder", "layerWiseEncoder", "hypernet"] as const;
/** One of {@linkcode MODULE_NAMES}. */
export type ModuleName = typeof MODULE_NAMES[number];

/** The state-dict prefix of each module inside the pipeline graph (the official HyperInverter checkpoint's). */
export const MODULE_PREFIX: Readonly<Record<ModuleName, string>> = {
  generator: "",
  wEncoder: "w_encoder.",
  layerWiseEncoder: "w_bar_encoder.",
  hypernet: "hypernet.",
};

/**
 * The module a pipeline weight belongs to: the one whose prefix it starts with, else the generator (prefix "").
 *
 * @param name a weight's name in the pipeline graph
 * @returns its module
 * @example
 * ```ts
 * import { moduleOfWeight } from "./manifest.ts";
 * console.log(moduleOfWeight("w_bar_encoder.styles.7.convs.0.weight"), moduleOfWeight("mapping.w_avg")); // layerWiseEncoder generator
 * ```
 */
export function moduleOfWeight(name: string): ModuleName {
  return MODULE_NAMES.find((module) => MODULE_PREFIX[module] && name.startsWith(MODULE_PREFIX[module])) ??
    "generator";
}

/** A parsed manifest; architecture sections stay plain JSON until the modules resolve them. */
export interface ModelManifest {
  /** The format tag. */
  format: typeof MANIFEST_FORMAT;
  /** The format version. */
  version: number;
  /** The model's name. */
  name: string;
  /** What the model is. */
  description?: string;
  /** The architecture of each module. */
  architecture: {
    generator: Record<string, unknown>;
    wEncoder: Record<string, unknown>;
    layerWiseEncoder: Record<string, unknown>;
    hypernet: Record<string, unknown>;
    /** Phase-II passes: 1 is the official model; n > 1 feeds each reconstruction back (ΔW accumulated). */
    refinementPasses?: number;
  };
  /** The weights file of each module, relative to the manifest. */
  weights: Record<ModuleName, string>;
  /** Hex sha256 of each weights file (model/weights_digest.ts), verified on load; absent in older manifests. */
  sha256?: Partial<Record<ModuleName, string>>;
  /** Hex sha256 of each plug-in's source by absolute specifier (model/plugins.ts); absent without plug-ins. */
  plugins?: Record<string, string>;
  /** Where the weights come from. */
  provenance?: Record<string, unknown>;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Validates a parsed manifest, listing every problem at once.
 *
 * @param json the parsed JSON
 * @param source where it came from, for messages
 * @returns the manifest, typed
 * @throws {TypeError} listing every missing or mistyped field
 * @example
 * ```ts
 * import { parseManifest } from "./manifest.ts";
 * const manifest = parseManifest({
 *   format: "hyperinverter-deno/model", version: 1, name: "tiny",
 *   architecture: { generator: { resolution: 16 }, wEncoder: {}, layerWiseEncoder: {}, hypernet: {} },
 *   weights: { generator: "g.safetensors", wEncoder: "e1.safetensors", layerWiseEncoder: "e2.safetensors", hypernet: "h.safetensors" },
 * }, "inline");
 * console.log(manifest.name); // "tiny"
 * ```
 */
export function parseManifest(json: unknown, source: string): ModelManifest {
  const problems: string[] = [];
  if (!isObject(json)) throw new TypeError(`Model manifest ${source} must be a JSON object`);
  if (json.format !== MANIFEST_FORMAT) {
    problems.push(`"format" must be "${MANIFEST_FORMAT}", got ${JSON.stringify(json.format)}`);
  }
  if (json.version !== MANIFEST_VERSION) {
    problems.push(`"version" must be ${MANIFEST_VERSION}, got ${JSON.stringify(json.version)}`);
  }
  if (typeof json.name !== "string" || json.name === "") problems.push(`"name" must be a non-empty string`);
  const architecture = json.architecture;
  if (!isObject(architecture)) problems.push(`"architecture" must be an object`);
  else {
    for (const module of MODULE_NAMES) {
      if (!isObject(architecture[module])) problems.push(`"architecture.${module}" must be an object`);
    }
    const passes = architecture.refinementPasses;
    if (
      passes !== undefined &&
      !(Number.isInteger(passes) && (passes as number) >= 1 && (passes as number) <= 16)
    ) {
      problems.push(
        `"architecture.refinementPasses" must be an integer in 1..16, got ${JSON.stringify(passes)}`,
      );
    }
  }
  const weights = json.weights;
  if (!isObject(weights)) problems.push(`"weights" must be an object naming a safetensors file per module`);
  else {
    for (const module of MODULE_NAMES) {
      const file = weights[module];
      if (typeof file !== "string" || file === "") problems.push(`"weights.${module}" must be a file name`);
    }
  }
  const digests = json.sha256;
  if (digests !== undefined) {
    if (!isObject(digests)) problems.push(`"sha256" must be an object of hex digests per module`);
    else {
      for (const [module, digest] of Object.entries(digests)) {
        if (!(MODULE_NAMES as readonly string[]).includes(module)) {
          problems.push(`"sha256.${module}" is not a module (${MODULE_NAMES.join(", ")})`);
        } else if (!isSha256Hex(digest)) problems.push(`"sha256.${module}" must be 64 lower-case hex digits`);
      }
    }
  }
  const plugins = json.plugins;
  if (plugins !== undefined) {
    if (!isObject(plugins)) {
      problems.push(`"plugins" must be an object of sha256 digests per plug-in specifier`);
    } else {
      for (const [specifier, digest] of Object.entries(plugins)) {
        if (!isPluginSpecifier(specifier) || !/^(file|https?):/.test(specifier)) {
          problems.push(
            `"plugins" key ${JSON.stringify(specifier)} must be an absolute "<module URL>#<export>"`,
          );
        } else if (!isSha256Hex(digest)) {
          problems.push(`"plugins.${specifier}" must be 64 lower-case hex digits`);
        }
      }
    }
  }
  if (problems.length) {
    throw new TypeError(`Model manifest ${source} is invalid:\n  - ${problems.join("\n  - ")}`);
  }
  return json as unknown as ModelManifest;
}

/**
 * Reads and validates `model.json`.
 *
 * @param path manifest path
 * @returns the manifest and the directory its weight paths are relative to
 * @throws {SyntaxError} when the file is not JSON; TypeError when fields are wrong
 */
export async function readManifest(path: string): Promise<{ manifest: ModelManifest; directory: string }> {
  let text: string;
  try {
    text = new TextDecoder().decode(
      await readRegularFile(path, { what: "Model manifest", maxBytes: 64 * 2 ** 20 }),
    );
  } catch (error) {
    throw new Error(`Cannot read model manifest "${path}": ${(error as Error).message}`, { cause: error });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new SyntaxError(`Model manifest "${path}" is not valid JSON: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const slash = path.lastIndexOf("/");
  return { manifest: parseManifest(json, `"${path}"`), directory: slash >= 0 ? path.slice(0, slash) : "." };
}
