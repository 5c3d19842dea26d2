/**
 * Learned InterFaceGAN directions for the edit sliders: `directions/interfacegan.safetensors` beside a model
 * (written by `deno task learn-directions`: one unit normal [wDim] per attribute, metadata format
 * `interfacegan-directions`). A trained variant shares its base model's frozen generator, so the base model's
 * directions apply to it too.
 *
 * @module
 */

import { readWeights } from "../io/weights_file.ts";

/** Where a model's learned directions live, relative to its folder. */
export const LEARNED_DIRECTIONS_FILE = "directions/interfacegan.safetensors";

/** A directions file and the attribute names it holds. */
export interface LearnedDirections {
  file: string;
  names: string[];
}

/**
 * Reads a directions file.
 *
 * @param file the `.safetensors` file
 * @returns name → unit normal [wDim]
 * @throws {TypeError} when the file is not a directions file
 * @example
 * ```ts
 * import { readLearnedDirections } from "./directions.ts";
 * try { await readLearnedDirections("/nonexistent.safetensors"); } catch (e) { console.log((e as Error).name); } // "NotFound"
 * ```
 */
export async function readLearnedDirections(file: string): Promise<Map<string, Float32Array>> {
  const { weights, metadata } = await readWeights(file);
  if (metadata.format !== "interfacegan-directions") {
    throw new TypeError(`"${file}" is not a directions file (metadata format "${metadata.format}")`);
  }
  const directions = new Map<string, Float32Array>();
  for (const [name, weight] of weights) {
    if (weight.shape.length !== 1) throw new TypeError(`Direction "${name}" in "${file}" is not a vector`);
    directions.set(name, weight.data);
  }
  return directions;
}

/**
 * The first model folder (in order) that has learned directions.
 *
 * @param modelPaths `model.json` paths, e.g. the variant's, then its suite's base model
 * @returns the file and its names, or null when none has any
 * @example
 * ```ts
 * import { findLearnedDirections } from "./directions.ts";
 * console.log(await findLearnedDirections(["/nonexistent/model.json"])); // null
 * ```
 */
export async function findLearnedDirections(
  modelPaths: readonly string[],
): Promise<LearnedDirections | null> {
  for (const modelPath of modelPaths) {
    const file = `${modelPath.slice(0, modelPath.lastIndexOf("/") + 1)}${LEARNED_DIRECTIONS_FILE}`;
    try {
      return { file, names: [...(await readLearnedDirections(file)).keys()] };
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    }
  }
  return null;
}
