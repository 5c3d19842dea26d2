/**
 * A graph transform: outputs made by a Reshape are returned before it, and reshaped on the host (a reshape is
 * row-major, so only the shape changes there). ONNX Runtime copies a Reshape's data when its result is a graph
 * output; this skips the copy (church-256's hypernetwork: ten ΔW of 9.4 MB, ≈ 35 ms per inversion).
 *
 * @module
 */

import type { GraphBuilder } from "./builder.ts";
import { startGraphCopy } from "./_graph_copy.ts";
import type { Tensor } from "./tensor.ts";

/**
 * Copies a graph with each output that a Reshape makes replaced by the Reshape's input (same name).
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
 * // No Reshape and no renaming Identity are left:
 * console.log(graph.nodes.map((n) => n.op)); // ["Relu"]
 * ```
 */
export function withOutputReshapesOnHost(
  graph: GraphBuilder,
): { graph: GraphBuilder; hostShapes: ReadonlyMap<string, readonly number[]> } {
  const { g, mapped, map } = startGraphCopy(graph);
  const renamedOutputs = new Map<Tensor, Tensor>(); // output → the tensor its Identity renames
  for (const node of graph.nodes) {
    const [out] = node.outputs;
    if (node.op === "Identity" && graph.outputs.includes(out)) renamedOutputs.set(out, node.inputs[0]);
  }
  // The tensor before each output's Reshape, when it is made by a single-output node and used by nothing
  // else: that node then writes the output itself, under the output's name (no copying Identity).
  const uses = new Map<Tensor, number>();
  for (const node of graph.nodes) for (const t of node.inputs) uses.set(t, (uses.get(t) ?? 0) + 1);
  const hostShapes = new Map<string, readonly number[]>();
  const outputOf = new Map<Tensor, string>(); // tensor before a Reshape → the output's name
  for (const out of graph.outputs) {
    const reshaped = renamedOutputs.get(out) ?? out;
    const producer = graph.producer(reshaped);
    const before = producer?.op === "Reshape" ? producer.inputs[0] : undefined;
    const maker = before && graph.producer(before);
    // Only a Reshape whose result nothing else uses (but the renaming Identity) can leave the graph.
    const reshapedUses = (uses.get(reshaped) ?? 0) - (reshaped === out ? 0 : 1) + (uses.get(out) ?? 0) *
        (reshaped === out ? 0 : 1);
    if (
      !before || !maker || maker.outputs.length !== 1 || uses.get(before) !== 1 ||
      graph.outputs.includes(before) ||
      reshapedUses !== 0 || graph.outputs.filter((o) =>
          (renamedOutputs.get(o) ?? o) === reshaped
        ).length !== 1
    ) {
      continue;
    }
    outputOf.set(before, out.name);
    hostShapes.set(out.name, out.shape);
  }
  const movedReshapes = new Set(
    graph.outputs.filter((o) => hostShapes.has(o.name)).map((o) =>
      graph.producer(renamedOutputs.get(o) ?? o)
    ),
  );
  for (const node of graph.nodes) {
    const [out] = node.outputs;
    if (movedReshapes.has(node)) continue; // done on the host
    if (node.op === "Identity" && graph.outputs.includes(out)) { // outputs are named below
      if (!hostShapes.has(out.name)) mapped.set(out, map(node.inputs[0])); // later nodes may read an output
      continue;
    }
    const name = outputOf.get(out);
    if (name !== undefined) {
      mapped.set(out, g.node(node.op, node.inputs.map(map), node.attributes, name)[0]);
      continue;
    }
    const results = g.node(node.op, node.inputs.map(map), node.attributes);
    node.outputs.forEach((t, i) => mapped.set(t, results[i]));
  }
  for (const out of graph.outputs) {
    if (hostShapes.has(out.name)) {
      const before = [...outputOf].find(([, name]) => name === out.name)![0];
      g.output(map(before));
    } else {
      g.output(map(renamedOutputs.get(out) ?? out), out.name);
    }
  }
  return { graph: g, hostShapes };
}
