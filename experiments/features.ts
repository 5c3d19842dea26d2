/**
 * The feature-identity metric's features: the penultimate (hidden) features of a Fashion-MNIST attribute
 * classifier from `editing/` (weights under `data/models/default/attributes/`, written by `deno task learn-directions`), standing in for the paper's ArcFace identity
 * on faces. Absent classifier → null, and the metric is left null.
 *
 * @module
 */

import type { FeatureFunction } from "./evaluate.ts";
import { AttributeModel } from "../editing/attribute_model.ts";

/**
 * Where the classifier weights are looked for by default (the `conv` classifier first): the default model's
 * `attributes/` under the current directory (the repository root under `deno task`). `ablate` passes the
 * suite's base model's `attributes/` instead.
 */
export const CLASSIFIER_DIRECTORY = "data/models/default/attributes";

/**
 * Loads the classifier's feature function, or null when no classifier weights exist.
 *
 * @param directory folder with `*.safetensors` classifier weights
 * @returns `{ name, run }` or null
 * @example
 * ```ts
 * import { classifierFeatures } from "./features.ts";
 * console.log(await classifierFeatures("/nonexistent")); // null
 * ```
 */
export async function classifierFeatures(
  directory: string = CLASSIFIER_DIRECTORY,
): Promise<{ name: string; run: FeatureFunction } | null> {
  const files: string[] = [];
  try {
    for await (const entry of Deno.readDir(directory)) {
      if (entry.isFile && entry.name.endsWith(".safetensors")) files.push(entry.name);
    }
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return null;
    throw error;
  }
  if (!files.length) return null;
  files.sort((a, b) => Number(b.includes("conv")) - Number(a.includes("conv")) || a.localeCompare(b));
  const model = await AttributeModel.load(`${directory}/${files[0]}`);
  return {
    // The last three path parts ("data/models/default/attributes/…"): no machine-specific prefix in metrics.json.
    name: `${directory.split("/").filter(Boolean).slice(-3).join("/")}/${
      files[0]
    } (${model.kind}, penultimate features, cosine)`,
    run: async (images: Float32Array, batch: number) => (await model.predict(images, batch)).features,
  };
}
