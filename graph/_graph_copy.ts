/**
 * The start that the graph transforms share (winograd_rewrite.ts, int8_rewrite.ts, host_reshape.ts): a new
 * graph of the same name with the original's inputs, the parameters a transform keeps (with their
 * initialisers) and its constants, and the map from the original's tensors to the copy's.
 *
 * @module
 */

import { GraphBuilder, type GraphNode } from "./builder.ts";
import type { Tensor } from "./tensor.ts";

/** A graph being copied: the new graph, the tensor map, and a lookup that names a tensor used too early. */
export interface GraphCopy {
  /** The new graph. */
  readonly g: GraphBuilder;
  /** Original tensor → its counterpart in the new graph. */
  readonly mapped: Map<Tensor, Tensor>;
  /** The counterpart of an original tensor; throws naming it when it has none yet. */
  readonly map: (t: Tensor) => Tensor;
}

/**
 * Starts a copy of a graph: inputs, parameters (but those `skip` drops, e.g. weights a transform replaces) and
 * constants, in their order.
 *
 * @param graph the original (left unchanged)
 * @param skip parameters not to declare
 * @returns the copy so far
 * @example
 * ```ts
 * import { GraphBuilder } from "./builder.ts";
 * import { startGraphCopy } from "./_graph_copy.ts";
 * const g = new GraphBuilder("net");
 * const x = g.input("x", [2]);
 * g.parameter("w", [2]);
 * const { g: copy, map } = startGraphCopy(g);
 * console.log(copy.name, map(x).name, copy.parameters.length); // "net" "x" 1
 * ```
 */
export function startGraphCopy(graph: GraphBuilder, skip: ReadonlySet<Tensor> = new Set()): GraphCopy {
  const g = new GraphBuilder(graph.name);
  const mapped = new Map<Tensor, Tensor>();
  const map = (t: Tensor): Tensor => {
    const m = mapped.get(t);
    if (!m) throw new TypeError(`Tensor "${t.name}" of graph "${graph.name}" is used before it is made`);
    return m;
  };
  for (const t of graph.inputs) mapped.set(t, g.input(t.name, t.shape, t.dtype));
  for (const p of graph.parameters) {
    if (skip.has(p)) continue;
    const init = graph.parameterInit(p);
    mapped.set(p, g.parameter(p.name, p.shape, p.dtype, init ? { init } : {}));
  }
  for (const [t, data] of graph.constants) mapped.set(t, g.constant(data, t.shape, t.name));
  return { g, mapped, map };
}

/**
 * Copies every node of the original into a started copy, in order, letting `rewrite` replace a node (its
 * results stand for the node's outputs; undefined copies the node as it is), then declares the outputs under
 * their names. An Identity that only names an output is not copied: its input stands for it (later nodes may
 * read an output, e.g. a loss reading the images), and the output is named at the end.
 *
 * @param graph the original
 * @param copy the copy from {@linkcode startGraphCopy}
 * @param rewrite a node's replacement in the copy, or undefined
 * @example
 * ```ts
 * import { GraphBuilder } from "./builder.ts";
 * import { copyNodes, startGraphCopy } from "./_graph_copy.ts";
 * const g = new GraphBuilder("net");
 * g.output(g.relu(g.input("x", [2])), "y");
 * const copy = startGraphCopy(g);
 * copyNodes(g, copy, (node) => node.op === "Relu" ? [copy.g.abs(copy.map(node.inputs[0]))] : undefined);
 * console.log(copy.g.nodes.map((n) => n.op), copy.g.outputs[0].name); // ["Abs", "Identity"] "y"
 * ```
 */
export function copyNodes(
  graph: GraphBuilder,
  copy: GraphCopy,
  rewrite: (node: GraphNode) => Tensor[] | undefined,
): void {
  const { g, mapped, map } = copy;
  const renamedOutputs = new Map<Tensor, Tensor>(); // output → the tensor its Identity renames
  for (const node of graph.nodes) {
    const [out] = node.outputs;
    if (node.op === "Identity" && graph.outputs.includes(out)) {
      renamedOutputs.set(out, node.inputs[0]);
      mapped.set(out, map(node.inputs[0]));
      continue;
    }
    // A copied node keeps the original's scopes, so that a profile of the copy still names its layers (not a
    // rewrite's nodes: the parameters it declares are named from the graph's root).
    const results = rewrite(node) ??
      g.withScopePath(
        node.name.split("/").slice(0, -1),
        () => g.node(node.op, node.inputs.map(map), node.attributes),
      );
    node.outputs.forEach((t, i) => mapped.set(t, results[i]));
  }
  for (const out of graph.outputs) g.output(map(renamedOutputs.get(out) ?? out), out.name);
}
