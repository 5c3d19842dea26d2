/**
 * A graph transform: a copy of a graph whose 3×3 stride-1 convolutions run by Winograd F(4×4, 3×3)
 * ({@linkcode winogradConv3x3}), the others unchanged. Inputs, parameters and named outputs keep their names,
 * so the same feeds and weights run the copy.
 *
 * @module
 */

import type { GraphBuilder } from "./builder.ts";
import { copyNodes, startGraphCopy } from "./_graph_copy.ts";
import type { Tensor } from "./tensor.ts";
import { winogradApplies, winogradConv3x3 } from "./winograd.ts";

/** Options of {@linkcode withWinogradConvs}. */
export interface WinogradRewriteOptions {
  /**
   * Rewrite only convolutions whose output side is at least this (default 32): below it the transforms,
   * and the weight transform of a computed weight (run on every call), cost more than the 4× fewer
   * multiplies save.
   */
  minOutputSize?: number;
  /**
   * The same threshold for weights that are parameters or constants (default: `minOutputSize`): when the
   * weights are baked in, ONNX Runtime folds their transform once per session, so smaller convolutions gain.
   */
  minOutputSizeFixedWeight?: number;
  /**
   * Rewrite only convolutions whose output side is at most this (default: no limit): at large sides the
   * transforms' memory traffic (their tensors are 2.25× the input and output) outweighs the saved multiplies.
   */
  maxOutputSize?: number;
  /**
   * Rewrite only convolutions with at least this many input channels per group (default 128): with fewer,
   * each of the 36 products is too thin to make up for the transforms (64 channels at 128²: no gain).
   */
  minChannels?: number;
  /**
   * How a rewritten convolution whose weight is a parameter gets its Winograd weights: `graph` (default)
   * transforms it in the graph on every run (or once, when ONNX Runtime can fold a baked weight);
   * `parameter` declares a parameter `<weight name>.winograd` [36, O, C/G] instead, to be fed with
   * `winogradWeight` (graph/winograd.ts) of the weight (then the weight itself is no longer a parameter of the graph).
   */
  parameterWeights?: "graph" | "parameter";
}

/**
 * Copies a graph with its eligible convolutions replaced by Winograd convolutions.
 *
 * @param graph the graph (left unchanged)
 * @param options size thresholds
 * @returns the new graph and how many convolutions it rewrote
 * @example
 * ```ts
 * import { GraphBuilder } from "./builder.ts";
 * import { withWinogradConvs } from "./winograd_rewrite.ts";
 * const g = new GraphBuilder("conv");
 * const x = g.input("x", [1, 8, 32, 32]); // [N, C, H, W]
 * g.output(g.conv(x, g.parameter("w", [8, 8, 3, 3]), { pads: 1 }), "y");
 * const { graph, rewritten } = withWinogradConvs(g, { minChannels: 8 });
 * console.log(rewritten, graph.parameters.map((p) => p.name), graph.outputs[0].shape); // 1 ["w"] [1, 8, 32, 32]
 * ```
 */
export function withWinogradConvs(
  graph: GraphBuilder,
  options: WinogradRewriteOptions = {},
): { graph: GraphBuilder; rewritten: number } {
  const minSize = options.minOutputSize ?? 32;
  const minFixed = options.minOutputSizeFixedWeight ?? minSize;
  const minChannels = options.minChannels ?? 128;
  const maxSize = options.maxOutputSize ?? Infinity;
  const transformed = options.parameterWeights === "parameter";
  // A parameter used only as a rewritten conv's weight is replaced by its `.winograd` parameter (declared
  // where the conv is rewritten); the others are declared first, in their order.
  const eligible = (node: (typeof graph.nodes)[number]): boolean => {
    if (node.op !== "Conv" || node.inputs.length !== 2) return false;
    const [, w] = node.inputs;
    const out = node.outputs[0];
    const fixed = w.origin === "parameter" || w.origin === "constant";
    return winogradApplies(w.shape, node.attributes as { pads?: number[] }) && w.shape[1] >= minChannels &&
      Math.min(out.shape[2], out.shape[3]) >= (fixed ? minFixed : minSize) &&
      Math.max(out.shape[2], out.shape[3]) <= maxSize;
  };
  const replaced = new Set<Tensor>();
  if (transformed) {
    const otherUses = new Set<Tensor>();
    for (const node of graph.nodes) {
      node.inputs.forEach((t, i) => {
        if (!(eligible(node) && i === 1)) otherUses.add(t);
      });
    }
    for (const t of graph.outputs) otherUses.add(t);
    for (const node of graph.nodes) {
      const w = node.inputs[1];
      if (eligible(node) && w.origin === "parameter" && !otherUses.has(w)) replaced.add(w);
    }
  }
  const copy = startGraphCopy(graph, replaced);
  const { g, map } = copy;
  let rewritten = 0;
  copyNodes(graph, copy, (node) => {
    if (!eligible(node)) return undefined;
    const [x, w] = node.inputs;
    const attributes = node.attributes as { pads?: number[]; group?: number };
    const options = { pads: attributes.pads?.[0], group: attributes.group };
    rewritten++;
    if (replaced.has(w)) {
      const u = g.parameter(`${w.name}.winograd`, [36, w.shape[0], w.shape[1]]); // [36, O, C/G]
      // The original weight gives only the shape here.
      return [winogradConv3x3(g, map(x), w, { ...options, transformedWeight: u })];
    }
    return [winogradConv3x3(g, map(x), map(w), options)];
  });
  return { graph: g, rewritten };
}
