/**
 * A graph transform: outputs made by a Reshape are returned before it, and reshaped on the host (a reshape is
 * row-major, so only the shape changes there). ONNX Runtime copies a Reshape's data when its result is a graph
 * output; this skips the copy (church-256's hypernetwork: ten ΔW of 9.4 MB, ≈ 35 ms per inversion).
 *
 * @module
 */

import type { GraphBuilder, GraphNode } from "./builder.ts";
import { copyNodes, startGraphCopy } from "./_graph_copy.ts";
import type { Tensor } from "./tensor.ts";

/**
 * Copies a graph with each output that a Reshape makes replaced by the Reshape's input (same name), when the
 * Reshape's result is used by nothing else and its input is the only result of a node used by nothing else.
 *
 * @param graph the graph (left unchanged)
 * @returns the new graph and, for each changed output, the shape the caller should give its data
 * @example
 * ```ts
 * import { GraphBuilder } from "./builder.ts";
 * import { withOutputReshapesOnHost } from "./host_reshape.ts";
 * const g = new GraphBuilder("r");
 * g.output(g.reshape(g.relu(g.input("x", [2, 6])), [3, 4]), "y");
 * const { graph, hostShapes } = withOutputReshapesOnHost(g);
 * console.log(graph.outputs[0].name, graph.outputs[0].shape, hostShapes.get("y")); // "y" [2, 6] [3, 4]
 * // No Reshape is left; the Identity that names the output is not written (graph/onnx_writer.ts):
 * console.log(graph.nodes.map((n) => n.op)); // ["Relu", "Identity"]
 * ```
 */
export function withOutputReshapesOnHost(
  graph: GraphBuilder,
): { graph: GraphBuilder; hostShapes: ReadonlyMap<string, readonly number[]> } {
  const renamedOutputs = new Map<Tensor, Tensor>(); // output → the tensor its Identity renames
  for (const node of graph.nodes) {
    const [out] = node.outputs;
    if (node.op === "Identity" && graph.outputs.includes(out)) renamedOutputs.set(out, node.inputs[0]);
  }
  const uses = new Map<Tensor, number>();
  for (const node of graph.nodes) for (const t of node.inputs) uses.set(t, (uses.get(t) ?? 0) + 1);
  const hostShapes = new Map<string, readonly number[]>();
  const movedReshapes = new Set<GraphNode>();
  for (const out of graph.outputs) {
    const reshaped = renamedOutputs.get(out) ?? out;
    const producer = graph.producer(reshaped);
    const before = producer?.op === "Reshape" ? producer.inputs[0] : undefined;
    const maker = before && graph.producer(before);
    // Only a Reshape whose result nothing else uses (but the renaming Identity) can leave the graph.
    const reshapedUses = (uses.get(reshaped) ?? 0) - (reshaped === out ? 0 : 1) + (uses.get(out) ?? 0) *
        (reshaped === out ? 0 : 1);
    if (
      !producer || !before || !maker || maker.outputs.length !== 1 || uses.get(before) !== 1 ||
      graph.outputs.includes(before) ||
      reshapedUses !== 0 || graph.outputs.filter((o) =>
          (renamedOutputs.get(o) ?? o) === reshaped
        ).length !== 1
    ) {
      continue;
    }
    movedReshapes.add(producer);
    hostShapes.set(out.name, out.shape);
  }
  // A moved Reshape's input stands for its result: the output is named on it, and the ONNX writer lets the
  // producing node write that name itself (no Identity copy, graph/onnx_writer.ts).
  const copy = startGraphCopy(graph);
  copyNodes(graph, copy, (node) => movedReshapes.has(node) ? [copy.map(node.inputs[0])] : undefined);
  return { graph: copy.g, hostShapes };
}

/** A graph with its output Reshapes left to the host: the graph to run and the shapes to give those outputs. */
export interface HostReshaped {
  /** The graph to run. */
  readonly graph: GraphBuilder;
  /** The declared shape of each output whose Reshape was left out. */
  readonly hostShapes: ReadonlyMap<string, readonly number[]>;
}

const transformed = new WeakMap<GraphBuilder, HostReshaped>();

/**
 * {@linkcode withOutputReshapesOnHost}, computed once per graph: the same copy every time, so that a session
 * cached per graph (runtime/session.ts `sessionFor`) is built once. Inversion stages and training steps use it.
 *
 * @param graph the graph (left unchanged)
 * @returns the graph to run and the host shapes
 * @example
 * ```ts
 * import { GraphBuilder } from "./builder.ts";
 * import { outputReshapesOnHost } from "./host_reshape.ts";
 * const g = new GraphBuilder("r");
 * g.output(g.reshape(g.relu(g.input("x", [2, 6])), [3, 4]), "y");
 * console.log(outputReshapesOnHost(g) === outputReshapesOnHost(g)); // true
 * ```
 */
export function outputReshapesOnHost(graph: GraphBuilder): HostReshaped {
  let result = transformed.get(graph);
  if (!result) transformed.set(graph, result = withOutputReshapesOnHost(graph));
  return result;
}

/**
 * Gives each output whose Reshape was left to the host its declared shape (row-major: the same data).
 *
 * @param outputs a run's outputs by name, updated in place
 * @param hostShapes the shapes, from {@linkcode outputReshapesOnHost}
 * @example
 * ```ts
 * import { withHostShapes } from "./host_reshape.ts";
 * const outputs = { y: { data: new Float32Array(12), shape: [2, 6] } };
 * withHostShapes(outputs, new Map([["y", [3, 4]]]));
 * console.log(outputs.y.shape); // [3, 4]
 * ```
 */
export function withHostShapes<T extends { readonly shape: readonly number[] }>(
  outputs: Record<string, T>,
  hostShapes: ReadonlyMap<string, readonly number[]>,
): void {
  for (const [name, shape] of hostShapes) outputs[name] = { ...outputs[name], shape };
}
