/**
 * Loading a model from its manifest: resolve the architecture, read each module's safetensors file, give every
 * tensor its pipeline name, and check that every weight the graph needs is there with the right shape.
 *
 * @module
 */

import type { Weight } from "../io/weights_file.ts";
import { readSafetensors, toFloat32 } from "../io/safetensors.ts";
import { resolveArchitecture } from "./architecture.ts";
import { HyperInverter, type HyperInverterOptions } from "./hyperinverter.ts";
import {
  type ModelManifest,
  MODULE_NAMES,
  MODULE_PREFIX,
  type ModuleName,
  moduleOfWeight,
  readManifest,
} from "./manifest.ts";
import { loadReferenceFixture } from "../io/reference_fixture.ts";
import { CHURCH_256_D64, FFHQ_1024_D128 } from "./presets.ts";
import { pipelineWeightsFromFixture } from "./reference_weights.ts";
import { verifySha256 } from "./weights_digest.ts";
import { checkWeightValues } from "./weight_checks.ts";
import { readRegularFile } from "../io/regular_file.ts";
import { loadArchitecturePlugins, type PluginTrustOptions } from "./plugins.ts";

/** Seeded reference models: the official architectures with the fixture PRNG's weights (not trained). */
export const REFERENCE_MODELS = {
  "reference:church256": { fixture: "hyperinverter-church256", architecture: CHURCH_256_D64 },
  "reference:ffhq1024": { fixture: "hyperinverter-ffhq1024", architecture: FFHQ_1024_D128 },
} as const;

/**
 * Loads `model.json` and its weights, or a seeded reference model (`reference:church256`,
 * `reference:ffhq1024`: the official architectures with the golden fixtures' PRNG weights, for checking the
 * pipeline end to end; their images are not meaningful).
 *
 * @param manifestPath path of the manifest, or a reference model name
 * @param options device, mode; `allowPlugins` to import the plug-in code a model names (model/plugins.ts:
 *   refused without it, naming the plug-ins; each import is told to `onPluginLoad`, default stderr; a source
 *   whose sha256 differs from the recorded one is refused naming both hashes)
 * Each weights file is checked before it is used: against the sha256 the manifest records (when it records
 * one: model/weights_digest.ts), and every value finite and of a plausible magnitude (model/weight_checks.ts).
 *
 * @returns the model, ready to invert
 * @throws errors naming the manifest field, the weights file, or every missing / mis-shaped weight
 * @throws {Error} naming the module and file, with the cause: a SyntaxError when the file does not match its
 *   recorded sha256 (or does not parse), a RangeError naming the tensor with a NaN, an infinity or an
 *   implausible magnitude (a mislabelled dtype)
 */
export async function loadHyperInverter(
  manifestPath: string,
  options: HyperInverterOptions & PluginTrustOptions = {},
): Promise<HyperInverter> {
  if (manifestPath.startsWith("reference:")) {
    const reference = referenceModel(manifestPath);
    const fixture = await loadReferenceFixture(reference.fixture);
    return new HyperInverter(
      resolveArchitecture(reference.architecture),
      pipelineWeightsFromFixture(fixture),
      options,
    );
  }
  const { manifest, directory } = await readManifest(manifestPath);
  const architecture = resolveArchitecture(
    await loadArchitecturePlugins(manifest.architecture, manifest.plugins, manifestPath, options),
  );
  const weights = await readModuleWeights(manifest, directory, MODULE_NAMES);
  const { allowPlugins: _allow, onPluginLoad: _hook, ...modelOptions } = options;
  const model = new HyperInverter(architecture, weights, modelOptions);
  model.graph(1); // checks every weight now, listing all that are missing or mis-shaped
  return model;
}

/**
 * The weights of some modules of a model, under the pipeline's names (`w_encoder.*`, `synthesis.*`, …), checked
 * as {@linkcode loadHyperInverter} checks them; no plug-in code is imported (the architecture is not built), so
 * a model whose hypernetwork names plug-ins gives its generator and encoders without `allowPlugins`.
 *
 * @param manifestPath path of the manifest, or a reference model name (`reference:church256`)
 * @param modules which modules
 * @returns the weights
 * @throws errors naming the manifest field or the weights file (as loadHyperInverter)
 * @example
 * ```ts
 * import { loadModelModules } from "./load.ts";
 * const weights = await loadModelModules("reference:church256", ["wEncoder"]);
 * console.log([...weights.keys()].every((name) => name.startsWith("w_encoder."))); // true
 * ```
 */
export async function loadModelModules(
  manifestPath: string,
  modules: readonly ModuleName[],
): Promise<Map<string, Weight>> {
  if (manifestPath.startsWith("reference:")) {
    const all = pipelineWeightsFromFixture(await loadReferenceFixture(referenceModel(manifestPath).fixture));
    return new Map([...all].filter(([name]) => modules.includes(moduleOfWeight(name))) as [string, Weight][]);
  }
  const { manifest, directory } = await readManifest(manifestPath);
  return await readModuleWeights(manifest, directory, modules);
}

/** A `reference:<name>` model's entry; an unknown name is an error listing the valid ones. */
function referenceModel(name: string): (typeof REFERENCE_MODELS)[keyof typeof REFERENCE_MODELS] {
  const reference = REFERENCE_MODELS[name as keyof typeof REFERENCE_MODELS];
  if (!reference) {
    throw new RangeError(
      `Unknown reference model "${name}"; valid: ${Object.keys(REFERENCE_MODELS).join(", ")}`,
    );
  }
  return reference;
}

/** The given modules' weights files of a manifest, read and checked, under the pipeline's names. */
async function readModuleWeights(
  manifest: ModelManifest,
  directory: string,
  modules: readonly ModuleName[],
): Promise<Map<string, Weight>> {
  const weights = new Map<string, Weight>();
  for (const module of modules) {
    const file = manifest.weights[module];
    const path = file.startsWith("/") ? file : `${directory}/${file}`;
    let read: Map<string, Weight>;
    try {
      read = await readCheckedWeights(path, manifest.sha256?.[module]);
    } catch (error) {
      throw new Error(`Cannot read the ${module} weights "${path}": ${(error as Error).message}`, {
        cause: error,
      });
    }
    for (const [name, weight] of read) weights.set(`${MODULE_PREFIX[module]}${name}`, weight);
  }
  return weights;
}

/** Reads one weights file, verifying its recorded digest (when there is one) and its values. */
async function readCheckedWeights(path: string, sha256: string | undefined): Promise<Map<string, Weight>> {
  const bytes = await readRegularFile(path, { what: "Weights file" });
  if (sha256 !== undefined) await verifySha256(bytes, sha256, path);
  const file = readSafetensors(bytes, { source: path });
  const weights = new Map<string, Weight>();
  for (const [name, tensor] of file.tensors) {
    weights.set(name, { data: toFloat32(tensor), shape: tensor.shape });
  }
  checkWeightValues(weights, path);
  return weights;
}
