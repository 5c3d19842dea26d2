/**
 * A trained attribute classifier ({@linkcode buildAttributeClassifier}) with its weights: train it on labelled
 * images, save and load it as one safetensors file, and run it on batches of images.
 *
 * @module
 */

import { readWeights, type Weight, writeWeights } from "../io/weights_file.ts";
import { GraphSession, sessionFor } from "../runtime/session.ts";
import { Adam, type TrainableParameter } from "../train/optimizers.ts";
import { Trainer } from "../train/training_step.ts";
import type { GraphBuilder } from "../graph/builder.ts";
import { BatchSampler } from "../train/data/batches.ts";
import {
  attributeClassifierGraph,
  CLASSIFIER_KINDS,
  type ClassifierInput,
  type ClassifierKind,
  FASHION_MNIST_INPUT,
  initialClassifierWeights,
} from "./attribute_classifier.ts";

/** Labelled images by index, as the trainers' sources: `batch(indices)` → [B, C, R, R] in [−1, 1]. */
export interface LabelledSource {
  /** How many samples. */
  count: number;
  /** The images of the samples at `indices`, batched. */
  batch: (indices: Int32Array) => Float32Array;
  /** The label of each sample. */
  labels: ArrayLike<number>;
}

/** Options of {@linkcode AttributeModel.train}. */
export interface ClassifierTrainingOptions {
  /** Optimizer steps (default 1500). */
  steps?: number;
  /** Images per step (default 64). */
  batch?: number;
  /** Adam learning rate (default 1e-3). */
  learningRate?: number;
  /** Seed of the initial weights and the batch order (default 1). */
  seed?: number;
  /** Image shape and class count (default Fashion-MNIST at 32², RGB, 10 classes). */
  input?: ClassifierInput;
  /** Called after each step. */
  onStep?: (step: number, loss: number) => void;
}

/** Batch of a prediction: logits [B, classes] and hidden features [B, F], row-major. */
export interface Prediction {
  /** The classifier's logits. */
  logits: Float32Array;
  /** The features before the last layer. */
  features: Float32Array;
  /** Feature width F. */
  featureSize: number;
}

/**
 * A classifier and its weights.
 *
 * @example
 * ```ts
 * import { AttributeModel } from "./attribute_model.ts";
 * const images = new Float32Array(4 * 3 * 32 * 32).map((_, i) => ((i * 7919) % 200) / 100 - 1);
 * const source = { count: 4, labels: [0, 1, 0, 1], batch: (ix: Int32Array) => images.slice(0, ix.length * 3072) };
 * const model = await AttributeModel.train("mlp", source, { steps: 2, batch: 4 });
 * const { logits } = await model.predict(images, 4);
 * console.log(logits.length); // 40
 * ```
 */
export class AttributeModel {
  readonly #graphs = new Map<number, GraphBuilder>();

  /**
   * @param kind the architecture
   * @param weights every `classifier.*` parameter
   * @param input image shape and classes
   * @param metadata free-form notes stored with the weights (e.g. accuracy, training data)
   */
  /** Builds the classifier from its configuration and weights. */
  constructor(
    readonly kind: ClassifierKind,
    readonly weights: ReadonlyMap<string, Float32Array>,
    readonly input: ClassifierInput = FASHION_MNIST_INPUT,
    readonly metadata: Record<string, string> = {},
  ) {
    const expected = attributeClassifierGraph(kind, 1, { input }).parameters;
    const problems = expected.filter((p) =>
      weights.get(p.name)?.length !== p.shape.reduce((a, b) => a * b, 1)
    )
      .map((p) => `${p.name} (expected ${p.shape.join("×")}, got ${weights.get(p.name)?.length ?? "none"})`);
    if (problems.length) {
      throw new TypeError(`Classifier "${kind}" weights do not fit: ${problems.join(", ")}`);
    }
  }

  /**
   * Trains a classifier with cross-entropy and Adam on a labelled source.
   *
   * @param kind the architecture
   * @param source the labelled images
   * @param options steps, batch, learning rate, seed, progress
   * @returns the trained model
   */
  static async train(
    kind: ClassifierKind,
    source: LabelledSource,
    options: ClassifierTrainingOptions = {},
  ): Promise<AttributeModel> {
    const input = options.input ?? FASHION_MNIST_INPUT;
    const batch = options.batch ?? 64;
    const steps = options.steps ?? 1500;
    const seed = options.seed ?? 1;
    if (source.labels.length !== source.count) {
      throw new TypeError(`The source has ${source.count} images but ${source.labels.length} labels`);
    }
    const graph = attributeClassifierGraph(kind, batch, { input, train: true });
    const initial = initialClassifierWeights(graph, seed);
    const parameters = new Map<string, TrainableParameter>();
    for (const p of graph.parameters) parameters.set(p.name, { data: initial.get(p.name)!, shape: p.shape });
    const trainer = new Trainer(graph, parameters, new Adam({ lr: options.learningRate ?? 1e-3 }));
    const sampler = new BatchSampler(source.count, batch, seed, { dropLast: true });
    for (let step = 1; step <= steps; step++) {
      const indices = sampler.next();
      const labels = new Float32Array(batch * input.classes); // [B, classes] one-hot
      indices.forEach((index, b) => {
        const label = source.labels[index];
        if (!Number.isInteger(label) || label < 0 || label >= input.classes) {
          throw new RangeError(`Label ${label} of image ${index} is not a class in [0, ${input.classes})`);
        }
        labels[b * input.classes + label] = 1;
      });
      const result = await trainer.step({ x: source.batch(indices), labels });
      options.onStep?.(step, result.loss);
    }
    const weights = new Map([...parameters].map(([name, p]) => [name, p.data]));
    return new AttributeModel(kind, weights, input, { steps: String(steps), seed: String(seed) });
  }

  /**
   * Reads a classifier written by {@linkcode AttributeModel.save}.
   *
   * @param path a safetensors file
   * @returns the model
   */
  static async load(path: string): Promise<AttributeModel> {
    const { weights, metadata } = await readWeights(path);
    const kind = metadata.kind as ClassifierKind;
    if (!CLASSIFIER_KINDS.includes(kind)) {
      throw new TypeError(`"${path}" is not an attribute classifier (metadata kind "${metadata.kind}")`);
    }
    const input = JSON.parse(metadata.input ?? JSON.stringify(FASHION_MNIST_INPUT)) as ClassifierInput;
    return new AttributeModel(kind, new Map([...weights].map(([n, w]) => [n, w.data])), input, metadata);
  }

  /**
   * Writes the weights (float32) and the kind, input and metadata, atomically.
   *
   * @param path a safetensors file
   * @param options `overwrite` (default false: an existing file is an error)
   */
  async save(path: string, options: { overwrite?: boolean } = {}): Promise<void> {
    const shapes = new Map(
      attributeClassifierGraph(this.kind, 1, { input: this.input }).parameters
        .map((p) => [p.name, p.shape]),
    );
    const weights = new Map<string, Weight>();
    for (const [name, data] of this.weights) weights.set(name, { data, shape: shapes.get(name)! });
    await writeWeights(path, weights, {
      overwrite: options.overwrite,
      metadata: { ...this.metadata, kind: this.kind, input: JSON.stringify(this.input) },
    });
  }

  /**
   * Runs the classifier on images, in batches.
   *
   * @param images [N, C, R, R] in [−1, 1]
   * @param batch images per run (N need not be a multiple: the last batch is padded)
   * @returns logits [N, classes] and features [N, F]
   */
  async predict(images: Float32Array, batch: number): Promise<Prediction> {
    const { channels, size, classes } = this.input;
    const perImage = channels * size * size;
    if (images.length % perImage !== 0) {
      throw new TypeError(
        `Images have ${images.length} values, not a multiple of ${channels}×${size}×${size}`,
      );
    }
    const count = images.length / perImage;
    let graph = this.#graphs.get(batch);
    if (!graph) {
      this.#graphs.set(batch, graph = attributeClassifierGraph(this.kind, batch, { input: this.input }));
    }
    const session: GraphSession = await sessionFor(graph, { initializers: this.weights });
    const featureSize = graph.outputs.find((t) => t.name === "features")!.shape[1];
    const logits = new Float32Array(count * classes);
    const features = new Float32Array(count * featureSize);
    for (let first = 0; first < count; first += batch) {
      const n = Math.min(batch, count - first);
      const x = new Float32Array(batch * perImage); // [batch, C, R, R], zero-padded
      x.set(images.subarray(first * perImage, (first + n) * perImage));
      const { outputs } = await session.run({ x });
      logits.set((outputs.logits.data as Float32Array).subarray(0, n * classes), first * classes);
      features.set((outputs.features.data as Float32Array).subarray(0, n * featureSize), first * featureSize);
    }
    return { logits, features, featureSize };
  }
}
