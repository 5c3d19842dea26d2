/**
 * A validation pass, the part the trainers share: one session of a forward graph fed the live parameters, run
 * over the first whole batches of the validation images.
 *
 * @module
 */

import type { GraphBuilder } from "../graph/builder.ts";
import type { HostTensor } from "../runtime/host_tensor.ts";
import { sessionFor } from "../runtime/session.ts";
import type { TrainableParameter } from "./optimizers.ts";

/** Images by index: `(indices) → Float32Array [B, C, R, R]` in [−1, 1], and how many there are. */
export interface IndexedImages {
  count: number;
  batch: (indices: Int32Array) => Float32Array;
}

/** One validation batch: its images and the graph's outputs. */
export interface ValidationBatch {
  x: Float32Array;
  outputs: Record<string, HostTensor>;
}

/**
 * How many whole batches validation uses: the first `limit` images (default all) in batches of `batch`.
 *
 * @param images the validation images
 * @param batch the batch size
 * @param limit at most this many images
 * @returns the number of batches (0 when there is not one whole batch)
 * @example
 * ```ts
 * import { validationBatchCount } from "./validation_batches.ts";
 * console.log(validationBatchCount({ count: 10, batch: () => new Float32Array() }, 4)); // 2
 * ```
 */
export function validationBatchCount(images: IndexedImages, batch: number, limit?: number): number {
  return Math.floor(Math.min(images.count, limit ?? Infinity) / batch);
}

/**
 * Runs `graph` on batches 0..batches−1 of `images` (image `b·batch + i` in row i), feeding every graph parameter
 * from `parameters` and the images to `input`.
 *
 * @param graph the forward graph (batch size fixed in its input)
 * @param parameters every parameter of the graph, live
 * @param images the validation images
 * @param options `batch`, `batches`, the image `input` name, the `device` (default `cpu`)
 * @returns the batches, one at a time
 */
export async function* validationBatches(
  graph: GraphBuilder,
  parameters: ReadonlyMap<string, TrainableParameter>,
  images: IndexedImages,
  options: { batch: number; batches: number; input: string; device?: string },
): AsyncGenerator<ValidationBatch> {
  const session = await sessionFor(graph, { device: options.device ?? "cpu" });
  const feeds: Record<string, Float32Array> = {};
  for (const p of graph.parameters) feeds[p.name] = parameters.get(p.name)!.data;
  for (let b = 0; b < options.batches; b++) {
    const indices = Int32Array.from({ length: options.batch }, (_, i) => b * options.batch + i);
    const x = images.batch(indices);
    const { outputs } = await session.run({ ...feeds, [options.input]: x });
    yield { x, outputs };
  }
}
