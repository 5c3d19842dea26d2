/**
 * A variant as the site runs it: its label, the model that renders it (its own `model/`, or the suite's base
 * model for a phase-I-only variant, or the named folder of a pretrained one) and whether its images are phase I
 * only.
 *
 * @module
 */

import {
  checkName,
  listVariantResults,
  readSuite,
  suiteModelPath,
  type VariantResult,
} from "../experiments/store.ts";
import { readManifest } from "../model/manifest.ts";
import type { SiteState } from "./state.ts";

/** The model behind a variant. */
export interface VariantModel {
  result: VariantResult;
  /** `model.json` to load. */
  modelPath: string;
  /** Render with zero residuals (the `phaseOne` variants). */
  phaseOneOnly: boolean;
  /** The suite's base model (its learned directions apply to the variant: the generator is shared). */
  baseModelPath: string;
}

/**
 * The models of every variant of a suite (null for a variant without one yet).
 *
 * @param state site state (roots)
 * @param suite suite name (validated)
 * @returns variant name → its model or null, in the suite's order
 * @throws {RangeError} for an invalid name; {@linkcode Deno.errors.NotFound} for an unknown suite
 */
export async function variantModels(
  state: SiteState,
  suite: string,
): Promise<Map<string, VariantModel | null>> {
  const spec = await readSuite(suite, state.experimentsRoot);
  const models = new Map<string, VariantModel | null>();
  for (const result of await listVariantResults(suite, state.experimentsRoot)) {
    const variantSpec = spec.variants.find((v) => v.name === result.variant)!;
    const phaseOneOnly = result.mode === "phaseOne";
    // Relative model folders resolve against the suite file (and fall back to the repository root), as ablate does.
    const baseModelPath = suiteModelPath(spec, spec.base, state.repositoryRoot);
    const modelPath = result.modelPath ??
      (result.mode === "pretrained" && variantSpec.model
        ? suiteModelPath(spec, variantSpec.model, state.repositoryRoot)
        : phaseOneOnly
        ? baseModelPath
        : null);
    models.set(result.variant, modelPath ? { result, modelPath, phaseOneOnly, baseModelPath } : null);
  }
  return models;
}

/**
 * Finds the model of a variant.
 *
 * @param state site state (roots)
 * @param suite suite name (validated)
 * @param variant variant name (validated)
 * @returns the model, or null when the variant has none yet
 * @throws {RangeError} for an invalid name; {@linkcode Deno.errors.NotFound} for an unknown suite or variant
 */
export async function variantModel(
  state: SiteState,
  suite: string,
  variant: string,
): Promise<VariantModel | null> {
  const models = await variantModels(state, checkName(suite, "suite"));
  const model = models.get(checkName(variant, "variant"));
  if (model === undefined) throw new Deno.errors.NotFound(`Suite "${suite}" has no variant "${variant}"`);
  return model;
}

/**
 * The sample indices of a variant (`NN` of `NN_input.png`).
 *
 * @param samples file names from the store
 * @returns indices such as `["00", "01"]`
 * @example
 * ```ts
 * import { sampleIndices } from "./variants.ts";
 * console.log(sampleIndices(["00_final.png", "00_input.png", "01_input.png"])); // ["00", "01"]
 * ```
 */
export function sampleIndices(samples: readonly string[]): string[] {
  return samples.map((s) => /^([a-z0-9-]+)_input\.png$/i.exec(s)?.[1]).filter((s): s is string => !!s);
}

/**
 * The output resolution of a model (its manifest's `architecture.generator.resolution`).
 *
 * @param modelPath `model.json`
 * @returns R
 * @throws {TypeError} when the manifest names no resolution
 * @example
 * ```ts
 * import { modelResolution } from "./variants.ts";
 * console.log(await modelResolution("data/models/default/model.json")); // 32
 * ```
 */
export async function modelResolution(modelPath: string): Promise<number> {
  const { manifest } = await readManifest(modelPath);
  const resolution = Number(manifest.architecture.generator.resolution);
  if (!Number.isInteger(resolution) || resolution < 1) {
    throw new TypeError(`Model ${modelPath} names no generator resolution`);
  }
  return resolution;
}
