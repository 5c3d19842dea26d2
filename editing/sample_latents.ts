/**
 * Samples of a model's W distribution: z ~ N(0, I) from the project's counter PRNG → mapping network → w, the
 * codes InterFaceGAN labels and GANSpace decomposes.
 *
 * @module
 */

import { mappingGraph } from "../generator/generator_graphs.ts";
import { numWs } from "../generator/config.ts";
import { prngFill } from "../io/prng.ts";
import type { HyperInverter } from "../model/hyperinverter.ts";
import { sessionFor } from "../runtime/session.ts";
import { parameterFeeds } from "../runtime/weights.ts";

/** Box–Muller over the counter PRNG: `count` standard normal values, reproducible from (seed, stream). */
export function standardNormal(seed: number, stream: number, count: number): Float32Array {
  const uniform = prngFill(seed, stream, 2 * Math.ceil(count / 2), 0.5, 0.5); // in [0, 1)
  const out = new Float32Array(count);
  for (let i = 0; i < count; i += 2) {
    const radius = Math.sqrt(-2 * Math.log(1 - uniform[i])); // 1 − u ∈ (0, 1]
    const angle = 2 * Math.PI * uniform[i + 1];
    out[i] = radius * Math.cos(angle);
    if (i + 1 < count) out[i + 1] = radius * Math.sin(angle);
  }
  return out;
}

/**
 * Maps `count` seeded z to w with the model's mapping network (ψ = 1, no truncation).
 *
 * @param model a HyperInverter whose weights include the mapping network
 * @param count number of samples
 * @param options `seed` (default 1), `batch` per run (default 256)
 * @returns w [count, wDim] (one row per sample: every W+ row of a sample is equal)
 * @example
 * ```ts
 * import { loadHyperInverter } from "../model/load.ts";
 * import { sampleW } from "./sample_latents.ts";
 * const model = await loadHyperInverter("data/models/default/model.json");
 * const ws = await sampleW(model, 3);
 * console.log(ws.length); // 384 (3 × wDim 128)
 * ```
 */
export async function sampleW(
  model: HyperInverter,
  count: number,
  options: { seed?: number; batch?: number } = {},
): Promise<Float32Array> {
  if (!Number.isInteger(count) || count < 1) {
    throw new RangeError(`count must be a positive integer, got ${count}`);
  }
  const config = model.architecture.generator;
  const batch = Math.min(options.batch ?? 256, count);
  const graph = mappingGraph(config, { batch });
  const session = await sessionFor(graph);
  const feeds = parameterFeeds(graph, model.weights);
  const z = standardNormal(options.seed ?? 1, 0, Math.ceil(count / batch) * batch * config.zDim);
  const rows = numWs(config), dim = config.wDim;
  const out = new Float32Array(count * dim);
  for (let first = 0; first < count; first += batch) {
    const { outputs } = await session.run({
      z: z.subarray(first * config.zDim, (first + batch) * config.zDim),
      ...feeds,
    });
    const ws = outputs.ws.data as Float32Array; // [batch, numWs, wDim]
    for (let b = 0; b < batch && first + b < count; b++) {
      out.set(ws.subarray(b * rows * dim, b * rows * dim + dim), (first + b) * dim);
    }
  }
  return out;
}

/**
 * Broadcasts one w per sample to every W+ row: [N, wDim] → [N, numWs, wDim].
 *
 * @param ws [N, wDim]
 * @param rows numWs
 * @param dim wDim
 * @returns [N, rows, dim]
 * @example
 * ```ts
 * import { broadcastRows } from "./sample_latents.ts";
 * console.log(broadcastRows(new Float32Array([1, 2]), 3, 2)); // Float32Array(6) [1, 2, 1, 2, 1, 2]
 * ```
 */
export function broadcastRows(ws: Float32Array, rows: number, dim: number): Float32Array {
  if (ws.length % dim !== 0) throw new TypeError(`ws has ${ws.length} values, not a multiple of wDim ${dim}`);
  const count = ws.length / dim;
  const out = new Float32Array(count * rows * dim);
  for (let n = 0; n < count; n++) {
    for (let r = 0; r < rows; r++) out.set(ws.subarray(n * dim, (n + 1) * dim), (n * rows + r) * dim);
  }
  return out;
}
