/**
 * A trained attribute classifier as the feature network of the identity loss (losses/identity.ts): the 64
 * hidden features of the Fashion-MNIST `conv` classifier play the part ArcFace plays for faces and MoCo for
 * churches. Its weights are frozen and live under `id_network.*` in the training graphs.
 *
 * @module
 */

import type { GraphBuilder } from "../graph/builder.ts";
import type { Tensor } from "../graph/tensor.ts";
import type { FeatureExtractor } from "../losses/identity.ts";
import { dirname } from "node:path";
import { buildAttributeClassifier, type ClassifierKind } from "./attribute_classifier.ts";
import { AttributeModel } from "./attribute_model.ts";

/** The scope of the feature network's parameters in a training graph. */
export const ID_NETWORK_SCOPE = "id_network";

/** A frozen feature network: the graph module and its weights, named `id_network.*`. */
export interface IdNetwork {
  /** images [B, C, R, R] in [−1, 1] → hidden features [B, F]. */
  extractor: FeatureExtractor;
  /** Frozen weights under {@linkcode ID_NETWORK_SCOPE}. */
  weights: Map<string, Float32Array>;
  /** For logs and run settings, e.g. `conv classifier (…/conv.safetensors)`. */
  description: string;
}

/**
 * Reads an attribute classifier (`deno task learn-directions` writes them) as an identity-loss feature network.
 *
 * @param path a classifier safetensors file
 * @returns the extractor, its frozen weights and a description
 * @throws {Deno.errors.NotFound} when the file is missing; {TypeError} when it is not a classifier
 * @example
 * ```ts
 * import { GraphBuilder } from "../graph/builder.ts";
 * import { loadIdNetwork } from "./classifier_features.ts";
 * const net = await loadIdNetwork("data/models/default/attributes/conv.safetensors");
 * const g = new GraphBuilder("id");
 * console.log(net.extractor(g, g.input("x", [2, 3, 32, 32])).shape); // [2, 64]
 * ```
 */
export async function loadIdNetwork(path: string): Promise<IdNetwork> {
  const model = await AttributeModel.load(path);
  const weights = new Map<string, Float32Array>();
  for (const [name, value] of model.weights) {
    weights.set(`${ID_NETWORK_SCOPE}.${name.replace(/^classifier\./, "")}`, value);
  }
  const kind = model.kind;
  const extractor = (g: GraphBuilder, images: Tensor): Tensor =>
    g.scope(ID_NETWORK_SCOPE, () => buildAttributeClassifier(g, images, kind, model.input.classes).features);
  return { extractor, weights, description: `${kind} classifier (${path})` };
}

/**
 * Where a model keeps its attribute classifier of a kind: `<model folder>/attributes/<kind>.safetensors` (what
 * `deno task learn-directions` writes; the feature network of the feature-identity metric, the generator
 * quality and the identity loss).
 *
 * @param modelPath the model's `model.json`
 * @param kind the classifier (default `conv`)
 * @returns the path
 * @example
 * ```ts
 * import { modelClassifierPath } from "./classifier_features.ts";
 * console.log(modelClassifierPath("data/models/default/model.json")); // data/models/default/attributes/conv.safetensors
 * ```
 */
export function modelClassifierPath(modelPath: string, kind: ClassifierKind = "conv"): string {
  return `${dirname(modelPath)}/attributes/${kind}.safetensors`;
}
