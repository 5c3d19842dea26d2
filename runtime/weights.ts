/**
 * Picking a graph's parameters out of a weight map (a checkpoint's state dict), with a clear error for
 * every weight the graph needs and the map lacks.
 *
 * @module
 */

import type { GraphBuilder } from "../graph/builder.ts";
import { formatShape, sameShape } from "../graph/tensor.ts";
import type { HostData } from "./host_tensor.ts";

/** A weight as a checkpoint holds it: a flat array, with its shape when known. */
export type WeightValue = HostData | { readonly data: HostData; readonly shape: readonly number[] };

/**
 * The values of a weight, given with or without its shape.
 *
 * @param value a weight
 * @returns its typed array (no copy)
 * @example
 * ```ts
 * import { weightData } from "./weights.ts";
 * console.log(weightData({ data: new Float32Array([1, 2]), shape: [2] }).length); // 2
 * ```
 */
export function weightData(value: WeightValue): HostData {
  return ArrayBuffer.isView(value) ? value : value.data;
}

/**
 * The feeds for every parameter of a graph, taken by name from a weight map. Entries the graph does not use
 * are ignored (a synthesis graph takes only the `synthesis.*` part of a generator checkpoint).
 *
 * @param graph the graph whose parameters are needed
 * @param weights weights by state-dict name
 * @returns feeds by parameter name
 * @throws {TypeError} listing every missing weight and every weight whose shape or size differs
 * @example
 * ```ts
 * import { GraphBuilder } from "../graph/builder.ts";
 * import { parameterFeeds } from "./weights.ts";
 * const g = new GraphBuilder("scale");
 * g.output(g.mul(g.input("x", [2]), g.parameter("gain", [2])), "y");
 * const feeds = parameterFeeds(g, new Map([["gain", new Float32Array([2, 3])], ["unused", new Float32Array(1)]]));
 * console.log(Object.keys(feeds)); // ["gain"]
 * ```
 */
export function parameterFeeds(
  graph: GraphBuilder,
  weights: ReadonlyMap<string, WeightValue>,
): Record<string, HostData> {
  const feeds: Record<string, HostData> = {};
  const missing: string[] = [];
  const wrong: string[] = [];
  for (const p of graph.parameters) {
    const value = weights.get(p.name);
    if (value === undefined) {
      missing.push(`${p.name} ${formatShape(p.shape)}`);
      continue;
    }
    const data = weightData(value);
    if (!ArrayBuffer.isView(value) && !sameShape(value.shape, p.shape)) {
      wrong.push(`"${p.name}" has shape ${formatShape(value.shape)}, expected ${formatShape(p.shape)}`);
    } else if (data.length !== p.size) {
      wrong.push(`"${p.name}" has ${data.length} values, expected ${p.size} for ${formatShape(p.shape)}`);
    } else {
      feeds[p.name] = data;
    }
  }
  if (missing.length || wrong.length) {
    const parts = [];
    if (missing.length) parts.push(`missing ${missing.length} weight(s): ${missing.join(", ")}`);
    if (wrong.length) parts.push(`${wrong.length} weight(s) do not fit: ${wrong.join("; ")}`);
    throw new TypeError(`Weights for graph "${graph.name}": ${parts.join("; ")}`);
  }
  return feeds;
}
