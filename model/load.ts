/**
 * Loading a model from its manifest: resolve the architecture, read each module's safetensors file, give every
 * tensor its pipeline name, and check that every weight the graph needs is there with the right shape.
 *
 * @module
 */

import { readWeights, type Weight } from "../io/weights_file.ts";
import { resolveArchitecture } from "./architecture.ts";
import { HyperInverter, type HyperInverterOptions } from "./hyperinverter.ts";
import { MODULE_NAMES, MODULE_PREFIX, readManifest } from "./manifest.ts";

/**
 * Loads `model.json` and its weights.
 *
 * @param manifestPath path of the manifest
 * @param options device
 * @returns the model, ready to invert
 * @throws errors naming the manifest field, the weights file, or every missing / mis-shaped weight
 */
export async function loadHyperInverter(
  manifestPath: string,
  options: HyperInverterOptions = {},
): Promise<HyperInverter> {
  const { manifest, directory } = await readManifest(manifestPath);
  const architecture = resolveArchitecture(manifest.architecture);
  const weights = new Map<string, Weight>();
  for (const module of MODULE_NAMES) {
    const file = manifest.weights[module];
    const path = file.startsWith("/") ? file : `${directory}/${file}`;
    let read: Awaited<ReturnType<typeof readWeights>>;
    try {
      read = await readWeights(path);
    } catch (error) {
      throw new Error(`Cannot read the ${module} weights "${path}": ${(error as Error).message}`, {
        cause: error,
      });
    }
    for (const [name, weight] of read.weights) weights.set(`${MODULE_PREFIX[module]}${name}`, weight);
  }
  const model = new HyperInverter(architecture, weights, options);
  model.graph(1); // checks every weight now, listing all that are missing or mis-shaped
  return model;
}
