/**
 * Small image classifiers that label generated and reconstructed images with attributes, as InterFaceGAN labels
 * faces with an attribute model before fitting a boundary in W. Two architectures, so that a direction learned
 * with one can be measured with the other (the paper's Table 2 measures age with DEX, not with the model that
 * labelled InterFaceGAN's training samples):
 *
 * - `conv`: three 3×3 conv + ReLU + 2×2 average-pool stages (16, 32, 64 channels), a 64-unit hidden layer
 *   (the features), 10 logits.
 * - `mlp`: 2×2 average pool to 16², one 128-unit hidden layer (the features), 10 logits.
 *
 * Images are [B, C, R, R] in [−1, 1] with R a multiple of 8 (32 for Fashion-MNIST).
 *
 * @module
 */

import { GraphBuilder } from "../graph/builder.ts";
import type { Tensor } from "../graph/tensor.ts";
import { conv2d } from "../encoders/conv2d.ts";
import { prngFill } from "../io/prng.ts";
import { addTrainingOutputs } from "../train/training_step.ts";

/** The two classifier architectures. */
export type ClassifierKind = "conv" | "mlp";

/** The classifier kinds, for validation and listings. */
export const CLASSIFIER_KINDS: readonly ClassifierKind[] = ["conv", "mlp"];

/** Shape of the images a classifier reads. */
export interface ClassifierInput {
  /** Image channels C (3 for our generators, grey replicated). */
  channels: number;
  /** Image side R, a multiple of 8. */
  size: number;
  /** Number of classes (10 for Fashion-MNIST). */
  classes: number;
}

/** The default input: Fashion-MNIST padded to 32², grey replicated to RGB, 10 classes. */
export const FASHION_MNIST_INPUT: ClassifierInput = { channels: 3, size: 32, classes: 10 };

function linear(g: GraphBuilder, x: Tensor, outFeatures: number): Tensor {
  const weight = g.parameter("weight", [x.shape[1], outFeatures]); // [I, O]
  const bias = g.parameter("bias", [outFeatures]); // [O]
  return g.add(g.matMul(x, weight), bias); // [B, O]
}

function averagePool2(g: GraphBuilder, x: Tensor): Tensor {
  return g.node("AveragePool", [x], { kernel_shape: [2, 2], strides: [2, 2] })[0]; // [B, C, H/2, W/2]
}

/**
 * Adds a classifier to a graph, its parameters under the current scope (`classifier.*` in the graphs below).
 *
 * @param g the graph
 * @param images [B, C, R, R] in [−1, 1]
 * @param kind the architecture
 * @returns logits [B, classes] and the hidden features [B, F] (for feature-similarity metrics)
 * @example
 * ```ts
 * import { GraphBuilder } from "../graph/builder.ts";
 * import { buildAttributeClassifier } from "./attribute_classifier.ts";
 * const g = new GraphBuilder("c");
 * const { logits, features } = buildAttributeClassifier(g, g.input("x", [2, 3, 32, 32]), "conv");
 * console.log(logits.shape, features.shape); // [2, 10] [2, 64]
 * ```
 */
export function buildAttributeClassifier(
  g: GraphBuilder,
  images: Tensor,
  kind: ClassifierKind,
  classes = 10,
): { logits: Tensor; features: Tensor } {
  const [batch, channels, size] = images.shape;
  if (images.rank !== 4 || size % 8 !== 0 || images.shape[3] !== size) {
    throw new TypeError(
      `Classifier input must be [B, C, R, R] with R a multiple of 8, got [${images.shape}]`,
    );
  }
  if (kind === "conv") {
    let x = images;
    for (const [stage, width] of [16, 32, 64].entries()) {
      x = g.scope(`conv${stage}`, () => conv2d(g, x, { outChannels: width, kernelSize: 3, padding: 1 }));
      x = averagePool2(g, g.relu(x)); // [B, width, R/2^(stage+1), …]
    }
    const flat = g.reshape(x, [batch, 64 * (size / 8) ** 2]); // [B, 64·(R/8)²]
    const features = g.relu(g.scope("hidden", () => linear(g, flat, 64))); // [B, 64]
    return { logits: g.scope("head", () => linear(g, features, classes)), features };
  }
  if (kind === "mlp") {
    const pooled = averagePool2(g, images); // [B, C, R/2, R/2]
    const flat = g.reshape(pooled, [batch, channels * (size / 2) ** 2]); // [B, C·R²/4]
    const features = g.relu(g.scope("hidden", () => linear(g, flat, 128))); // [B, 128]
    return { logits: g.scope("head", () => linear(g, features, classes)), features };
  }
  throw new RangeError(`Unknown classifier kind "${kind}" (expected ${CLASSIFIER_KINDS.join(" or ")})`);
}

/**
 * The classifier as a graph: inputs `x` [B, C, R, R]; outputs `logits` and `features`, or, with `train`, the
 * mean cross-entropy against one-hot `labels` [B, classes] as `loss` and the gradient of every parameter
 * (`grad.classifier.*`, for `Trainer`).
 *
 * @param kind the architecture
 * @param batch B
 * @returns the graph (parameters `classifier.*`)
 * @example
 * ```ts
 * import { attributeClassifierGraph } from "./attribute_classifier.ts";
 * const g = attributeClassifierGraph("mlp", 4, { train: true });
 * console.log(g.inputs.map((t) => t.name)); // ["x", "labels"]
 * ```
 */
export function attributeClassifierGraph(
  kind: ClassifierKind,
  batch: number,
  options: { input?: ClassifierInput; train?: boolean } = {},
): GraphBuilder {
  const input = options.input ?? FASHION_MNIST_INPUT;
  const g = new GraphBuilder(`classifier_${kind}${options.train ? "_train" : ""}`);
  const x = g.input("x", [batch, input.channels, input.size, input.size]);
  const labels = options.train ? g.input("labels", [batch, input.classes]) : null;
  const { logits, features } = g.scope(
    "classifier",
    () => buildAttributeClassifier(g, x, kind, input.classes),
  );
  if (!labels) {
    g.output(logits, "logits");
    g.output(features, "features");
    return g;
  }
  // Cross-entropy: logsumexp(logits) − ⟨labels, logits⟩, with the max subtracted for stability.
  const peak = g.node("ReduceMax", [logits], { axes: [1], keepdims: 1 })[0]; // [B, 1]
  const sumExp = g.reduceSum(g.exp(g.sub(logits, peak)), [1]); // [B, 1]
  const logSumExp = g.add(g.log(sumExp), peak); // [B, 1]
  const picked = g.reduceSum(g.mul(labels, logits), [1]); // [B, 1]
  addTrainingOutputs(g, g.reduceMean(g.sub(logSumExp, picked), [0, 1], false)); // loss []
  return g;
}

/**
 * He-uniform initial weights for every parameter of a classifier graph (biases zero), reproducible from a seed.
 *
 * @param graph a graph from {@linkcode attributeClassifierGraph}
 * @param seed PRNG seed
 * @returns parameter name → values
 * @example
 * ```ts
 * import { attributeClassifierGraph, initialClassifierWeights } from "./attribute_classifier.ts";
 * const weights = initialClassifierWeights(attributeClassifierGraph("mlp", 1), 7);
 * console.log(weights.get("classifier.head.bias")!.length); // 10
 * ```
 */
export function initialClassifierWeights(graph: GraphBuilder, seed: number): Map<string, Float32Array> {
  const weights = new Map<string, Float32Array>();
  graph.parameters.forEach((p, k) => {
    const size = p.shape.reduce((a, b) => a * b, 1);
    if (p.name.endsWith(".bias")) weights.set(p.name, new Float32Array(size));
    else {
      const fanIn = p.shape.length === 4 ? p.shape[1] * p.shape[2] * p.shape[3] : p.shape[0];
      weights.set(p.name, prngFill(seed, k, size, 0, Math.sqrt(6 / fanIn)));
    }
  });
  return weights;
}
