/**
 * Finds an edit direction or a GANSpace PCA from what a user types on a command line, in any of the formats we
 * read: our learned directions, an imported `.safetensors`, or the official PyTorch files (read with the
 * restricted unpickler: nothing in them is executed).
 *
 * @module
 */

import { readTorchFileFromPath } from "../io/torch_file.ts";
import { readWeights } from "../io/weights_file.ts";
import { convertGanSpacePca, convertInterfaceGanDirection } from "../convert/directions.ts";
import { isTorchTensor, stateDictOf, tensorWeight } from "../convert/torch_values.ts";
import { readDirections } from "./direction_file.ts";
import type { GanSpacePca } from "./directions.ts";

/** Where a model's learned directions live, relative to its folder. */
export const LEARNED_DIRECTIONS_FILE = "directions/interfacegan.safetensors";

/**
 * Loads an InterFaceGAN direction.
 *
 * - `footwear`: a direction learned for the model (`<modelFolder>/directions/interfacegan.safetensors`);
 * - `file.safetensors:footwear`: a named direction of a directions file;
 * - `age.safetensors`: a file made by `deno task import interfacegan` (tensor `direction` [1, wDim]);
 * - `age.pt`: the official file ([1, 512] tensor).
 *
 * @param spec one of the above
 * @param options `modelFolder` for bare names; `wDim` to check the length
 * @returns the direction [wDim]
 * @example
 * ```ts
 * import { loadInterfaceGanDirection } from "./load_direction.ts";
 * const age = await loadInterfaceGanDirection("../shared/fixtures/official-editings/interfacegan_directions/age.pt");
 * console.log(age.length); // 512
 * ```
 */
export async function loadInterfaceGanDirection(
  spec: string,
  options: { modelFolder?: string; wDim?: number } = {},
): Promise<Float32Array> {
  let direction: Float32Array;
  const named = /^(.*\.safetensors):([a-z0-9_-]+)$/i.exec(spec);
  if (named || /^[a-z0-9_-]+$/i.test(spec)) {
    const file = named ? named[1] : `${options.modelFolder ?? "."}/${LEARNED_DIRECTIONS_FILE}`;
    const name = named ? named[2] : spec;
    const directions = await readDirections(file);
    const found = directions.get(name);
    if (!found) {
      throw new RangeError(
        `No direction "${name}" in ${file} (it has: ${[...directions.keys()].join(", ")})`,
      );
    }
    direction = found.direction;
  } else if (spec.endsWith(".safetensors")) {
    const { weights } = await readWeights(spec);
    const weight = weights.get("direction");
    if (!weight) throw new TypeError(`"${spec}" has no "direction" tensor (import it with deno task import)`);
    direction = convertInterfaceGanDirection(weight, spec).get("direction")!.data;
  } else {
    const value = await readTorchFileFromPath(spec);
    if (!isTorchTensor(value)) throw new TypeError(`"${spec}" does not hold a bare tensor`);
    direction = convertInterfaceGanDirection(tensorWeight(value), spec).get("direction")!.data;
  }
  if (options.wDim !== undefined && direction.length !== options.wDim) {
    throw new TypeError(
      `Direction "${spec}" has ${direction.length} values; the model's wDim is ${options.wDim}`,
    );
  }
  return direction;
}

/**
 * Loads a GANSpace PCA: the official `.pt` ({mean [1, 512], comp [80, 1, 512], std [80]}) or its imported
 * `.safetensors`.
 *
 * @param path the file
 * @returns mean [wDim], comp [K, wDim] row-major, std [K]
 * @example
 * ```ts
 * import { loadGanSpacePca } from "./load_direction.ts";
 * const pca = await loadGanSpacePca("../shared/fixtures/official-editings/ganspace_pca/church_pca.pt");
 * console.log(pca.std.length, pca.comp.length); // 80 40960
 * ```
 */
export async function loadGanSpacePca(path: string): Promise<GanSpacePca> {
  const entries = path.endsWith(".safetensors")
    ? (await readWeights(path)).weights
    : stateDictOf(await readTorchFileFromPath(path));
  const converted = convertGanSpacePca(entries, path);
  return {
    mean: converted.get("mean")!.data,
    comp: converted.get("comp")!.data,
    std: converted.get("std")!.data,
  };
}
