/**
 * Learned InterFaceGAN directions on disk: one safetensors file, one [wDim] tensor per attribute, and the
 * provenance of each (attribute model, samples, accuracies) as JSON in the metadata.
 *
 * @module
 */

import { readWeights, type Weight, writeWeights } from "../io/weights_file.ts";

/** A direction and what is known about how it was learned. */
export interface StoredDirection {
  /** Unit normal [wDim]. */
  direction: Float32Array;
  /** Free-form provenance (e.g. `{ labelledBy: "conv", validationAccuracy: 0.97 }`). */
  about: Record<string, unknown>;
}

/**
 * Writes directions atomically.
 *
 * @param path a `.safetensors` file
 * @param directions name → direction
 * @param options `overwrite` (default false)
 * @example
 * ```ts
 * import { readDirections, writeDirections } from "./direction_file.ts";
 * const path = await Deno.makeTempFile({ suffix: ".safetensors" });
 * const direction = new Float32Array([0.6, 0.8]);
 * await writeDirections(path, new Map([["smile", { direction, about: { note: "example" } }]]), { overwrite: true });
 * console.log((await readDirections(path)).get("smile")!.about.note); // example
 * ```
 */
export async function writeDirections(
  path: string,
  directions: ReadonlyMap<string, StoredDirection>,
  options: { overwrite?: boolean } = {},
): Promise<void> {
  const weights = new Map<string, Weight>();
  const about: Record<string, unknown> = {};
  for (const [name, { direction, about: info }] of directions) {
    if (!/^[a-z0-9_-]+$/i.test(name)) throw new RangeError(`Direction name "${name}" is not file-safe`);
    if (direction.some((v) => !Number.isFinite(v))) throw new RangeError(`Direction "${name}" is not finite`);
    weights.set(name, { data: direction, shape: [direction.length] });
    about[name] = info;
  }
  await writeWeights(path, weights, {
    overwrite: options.overwrite,
    metadata: { format: "interfacegan-directions", about: JSON.stringify(about) },
  });
}

/**
 * Reads directions written by {@linkcode writeDirections}.
 *
 * @param path a `.safetensors` file
 * @returns name → direction, in file order
 * @throws {TypeError} when the file is not a directions file or a tensor is not one-dimensional
 */
export async function readDirections(path: string): Promise<Map<string, StoredDirection>> {
  const { weights, metadata } = await readWeights(path);
  if (metadata.format !== "interfacegan-directions") {
    throw new TypeError(`"${path}" is not a directions file (metadata format "${metadata.format}")`);
  }
  const about = JSON.parse(metadata.about ?? "{}") as Record<string, Record<string, unknown>>;
  const out = new Map<string, StoredDirection>();
  for (const [name, weight] of weights) {
    if (weight.shape.length !== 1) {
      throw new TypeError(`Direction "${name}" in "${path}" has shape [${weight.shape}], expected [wDim]`);
    }
    out.set(name, { direction: weight.data, about: about[name] ?? {} });
  }
  return out;
}
