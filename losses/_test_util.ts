/**
 * Test helper: build a small graph, run it on ONNX Runtime, return every output's values.
 *
 * @module
 */

import { GraphBuilder } from "../graph/builder.ts";
import type { Tensor } from "../graph/tensor.ts";
import { GraphSession } from "../runtime/session.ts";

/**
 * Builds a graph with float32 inputs of the given shapes, runs it once and returns its outputs.
 *
 * @param inputs name → [shape, values]
 * @param build adds nodes and returns name → output tensor
 * @returns name → values
 */
export async function runGraph(
  inputs: Record<string, [number[], Float32Array]>,
  build: (g: GraphBuilder, x: Record<string, Tensor>) => Record<string, Tensor>,
): Promise<Record<string, Float32Array>> {
  const g = new GraphBuilder("test");
  const tensors: Record<string, Tensor> = {};
  for (const [name, [shape]] of Object.entries(inputs)) tensors[name] = g.input(name, shape);
  for (const [name, t] of Object.entries(build(g, tensors))) g.output(t, name);
  const session = await GraphSession.create(g);
  const feeds = Object.fromEntries(Object.entries(inputs).map(([name, [, values]]) => [name, values]));
  const { outputs } = await session.run(feeds);
  return Object.fromEntries(Object.entries(outputs).map(([name, t]) => [name, t.data as Float32Array]));
}
