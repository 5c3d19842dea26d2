/**
 * A graph transform: a copy of a graph whose 3×3 stride-1 convolutions run by Winograd F(4×4, 3×3)
 * ({@linkcode winogradConv3x3}), the others unchanged. Inputs, parameters and named outputs keep their names,
 * so the same feeds and weights run the copy.
 *
 * @module
 */

import { GraphBuilder } from "./builder.ts";
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
  const g = new GraphBuilder(graph.name);
  const mapped = new Map<Tensor, Tensor>();
  const map = (t: Tensor): Tensor => {
    const m = mapped.get(t);
    if (!m) throw new TypeError(`Tensor "${t.name}" of graph "${graph.name}" is used before it is made`);
    return m;
  };
  for (const t of graph.inputs) mapped.set(t, g.input(t.name, t.shape, t.dtype));
  for (const p of graph.parameters) {
    const init = graph.parameterInit(p);
    mapped.set(p, g.parameter(p.name, p.shape, p.dtype, init ? { init } : {}));
  }
  for (const [t, data] of graph.constants) mapped.set(t, g.constant(data, t.shape, t.name));
  const renamedOutputs = new Map<Tensor, Tensor>(); // output → the tensor its Identity renames
  let rewritten = 0;
  for (const node of graph.nodes) {
    const [out] = node.outputs;
    if (node.op === "Identity" && graph.outputs.includes(out)) {
      renamedOutputs.set(out, node.inputs[0]);
      continue;
    }
    let results: Tensor[];
    const [x, w] = node.inputs;
    const attributes = node.attributes as {
      strides?: number[];
      dilations?: number[];
      pads?: number[];
      group?: number;
    };
    const fixed = w !== undefined && (w.origin === "parameter" || w.origin === "constant");
    if (
      node.op === "Conv" && node.inputs.length === 2 && winogradApplies(w.shape, attributes) &&
      w.shape[1] >= minChannels &&
      Math.min(out.shape[2], out.shape[3]) >= (fixed ? minFixed : minSize) &&
      Math.max(out.shape[2], out.shape[3]) <= maxSize
    ) {
      results = [winogradConv3x3(g, map(x), map(w), { pads: attributes.pads?.[0], group: attributes.group })];
      rewritten++;
    } else {
      results = g.node(node.op, node.inputs.map(map), node.attributes);
    }
    node.outputs.forEach((t, i) => mapped.set(t, results[i]));
  }
  for (const out of graph.outputs) {
    const source = renamedOutputs.get(out);
    g.output(map(source ?? out), out.name);
  }
  return { graph: g, rewritten };
}
