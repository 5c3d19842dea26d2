/**
 * The start that the graph transforms share (winograd_rewrite.ts, int8_rewrite.ts, host_reshape.ts): a new
 * graph of the same name with the original's inputs, the parameters a transform keeps (with their
 * initialisers) and its constants, and the map from the original's tensors to the copy's.
 *
 * @module
 */

import { GraphBuilder } from "./builder.ts";
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
