/**
 * Multiply-accumulate counts of a graph, by op kind, with the same conventions as the reference timings
 * (shared/fixtures/reference/TIMINGS.md): Conv = out.numel·(C/group)·k², ConvTranspose = in.numel·(O/group)·k²
 * (the useful MACs), MatMul = batch·m·k·n. Elementwise work is not counted.
 *
 * @module
 */

import type { GraphBuilder } from "./builder.ts";
import { numel } from "./tensor.ts";

/** MACs by op kind. */
export interface MacCount {
  /** Dense (non-depthwise) convolutions. */
  conv: number;
  /** Transposed convolutions. */
  convTranspose: number;
  /** Depthwise convolutions (group = channels), e.g. FIR filters. */
  depthwise: number;
  /** Matrix products. */
  matMul: number;
  /** All of the above. */
  total: number;
}

/**
 * Counts the multiply-accumulates of a graph.
 *
 * @param graph the graph
 * @returns MACs by op kind
 * @example
 * ```ts
 * import { GraphBuilder } from "./builder.ts";
 * import { countMacs } from "./flops.ts";
 * const g = new GraphBuilder("fc");
 * g.output(g.matMul(g.input("x", [2, 8]), g.parameter("w", [8, 4])), "y");
 * console.log(countMacs(g).matMul); // 64
 * ```
 */
export function countMacs(graph: GraphBuilder): MacCount {
  const count: MacCount = { conv: 0, convTranspose: 0, depthwise: 0, matMul: 0, total: 0 };
  for (const node of graph.nodes) {
    if (node.op === "Conv" || node.op === "ConvTranspose") {
      const [x, w] = node.inputs;
      const group = (node.attributes.group as number | undefined) ?? 1;
      const kernel = w.shape[2] * w.shape[3];
      const depthwise = group > 1 && group === x.shape[1];
      const macs = node.op === "Conv"
        ? numel(node.outputs[0].shape) * w.shape[1] * kernel
        : numel(x.shape) * w.shape[1] * kernel;
      if (depthwise) count.depthwise += macs;
      else if (node.op === "Conv") count.conv += macs;
      else count.convTranspose += macs;
    } else if (node.op === "MatMul" || node.op === "MatMulInteger") {
      const [a, b] = node.inputs;
      const out = node.outputs[0].shape;
      count.matMul += numel(out) * a.shape[a.shape.length - 1];
      void b;
    }
  }
  count.total = count.conv + count.convTranspose + count.depthwise + count.matMul;
  return count;
}
