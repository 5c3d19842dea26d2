/**
 * A graph transform for the opt-in int8 inference mode: a copy of a graph whose convolutions with fixed
 * weights (parameters) run in 8 bits ({@linkcode int8Conv}), the others unchanged. Each rewritten weight `w`
 * is replaced by two parameters, `w.int8` (int8 [kh·kw·C, O]) and `w.int8_scale` (float32 [O]), which
 * {@linkcode quantizedParameters} computes once on the host from the float weights.
 *
 * @module
 */

import type { GraphBuilder } from "./builder.ts";
import { copyNodes, startGraphCopy } from "./_graph_copy.ts";
import { int8Conv, quantizeConvWeight } from "./int8_conv.ts";
import type { Tensor } from "./tensor.ts";

/** Suffixes of the parameters that replace a rewritten convolution's weight. */
export const INT8_SUFFIX = ".int8";
/** The per-output-channel scale parameter's suffix. */
export const INT8_SCALE_SUFFIX = ".int8_scale";

/**
 * The default {@linkcode Int8RewriteOptions.minMacs}: 2²⁴ multiply-accumulates per image. Each image of a batch
 * gets its own quantize / unfold / product nodes, so small convolutions in large batches cost more in nodes
 * than they save (the 32² default model at batch 50 with a 2²⁰ threshold: 10.8 vs 7.8 ms/image in float32);
 * every E1 and E2 convolution of church-256 is far above it (≥ 2.4·10⁸).
 */
export const INT8_MIN_MACS = 2 ** 24;

/** Options of {@linkcode withInt8Convs}. */
export interface Int8RewriteOptions {
  /**
   * Rewrite only convolutions of at least this many multiply-accumulates per image (default
   * {@linkcode INT8_MIN_MACS}): below it the quantize / unfold / rescale nodes cost more than the faster
   * product saves.
   */
  minMacs?: number;
  /** Rewrite only convolutions for which this returns true (default: all that qualify). */
  filter?: (weightName: string) => boolean;
}

/**
 * Copies a graph with its eligible convolutions in 8 bits: group 1, no dilation, a parameter as the weight
 * (used by nothing but such convolutions), at least `minMacs` multiply-accumulates per image.
 *
 * @param graph the graph (left unchanged)
 * @param options thresholds
 * @returns the new graph, how many convolutions it rewrote, and the replaced weights (name → float shape)
 * @example
 * ```ts
 * import { GraphBuilder } from "./builder.ts";
 * import { withInt8Convs } from "./int8_rewrite.ts";
 * const g = new GraphBuilder("conv");
 * const x = g.input("x", [1, 8, 32, 32]); // [N, C, H, W]
 * g.output(g.conv(x, g.parameter("w", [8, 8, 3, 3]), { pads: 1 }), "y");
 * const { graph, rewritten } = withInt8Convs(g, { minMacs: 0 });
 * console.log(rewritten, graph.parameters.map((p) => p.name)); // 1 ["w.int8", "w.int8_scale"]
 * ```
 */
export function withInt8Convs(
  graph: GraphBuilder,
  options: Int8RewriteOptions = {},
): { graph: GraphBuilder; rewritten: number; quantizedWeights: ReadonlyMap<string, readonly number[]> } {
  const minMacs = options.minMacs ?? INT8_MIN_MACS;
  type Node = (typeof graph.nodes)[number];
  const qualifies = (node: Node): boolean => {
    if (node.op !== "Conv" || node.inputs.length !== 2) return false;
    const [x, w] = node.inputs;
    const a = node.attributes as { group?: number; dilations?: number[] };
    const out = node.outputs[0].shape;
    const macs = out[1] * out[2] * out[3] * w.shape[1] * w.shape[2] * w.shape[3];
    return w.origin === "parameter" && x.dtype === "float32" && (a.group ?? 1) === 1 &&
      (a.dilations ?? [1, 1]).every((d) => d === 1) && macs >= minMacs && (options.filter?.(w.name) ?? true);
  };
  // A weight is replaced only when every use of it qualifies (a shared weight used elsewhere stays float).
  const otherUses = new Set<Tensor>(graph.outputs);
  for (const node of graph.nodes) {
    node.inputs.forEach((t, i) => {
      if (!(i === 1 && qualifies(node))) otherUses.add(t);
    });
  }
  const replaced = new Map<Tensor, { weight: Tensor; scale: Tensor } | null>();
  for (const node of graph.nodes) {
    const w = node.inputs[1];
    if (qualifies(node) && !otherUses.has(w)) replaced.set(w, null);
  }
  const copy = startGraphCopy(graph, new Set(replaced.keys()));
  const { g, map } = copy;
  let rewritten = 0;
  copyNodes(graph, copy, (node) => {
    const [x, w] = node.inputs;
    if (node.op !== "Conv" || !replaced.has(w)) return undefined;
    let quantized = replaced.get(w);
    if (!quantized) {
      const [o, c, kh, kw] = w.shape;
      quantized = {
        weight: g.parameter(`${w.name}${INT8_SUFFIX}`, [kh * kw * c, o], "int8"),
        scale: g.parameter(`${w.name}${INT8_SCALE_SUFFIX}`, [o]),
      };
      replaced.set(w, quantized);
    }
    const a = node.attributes as { strides?: number[]; pads?: number[] };
    rewritten++;
    return [int8Conv(g, map(x), { ...quantized, shape: w.shape }, { strides: a.strides, pads: a.pads })];
  });
  const quantizedWeights = new Map([...replaced.keys()].map((w) => [w.name, w.shape] as const));
  return { graph: g, rewritten, quantizedWeights };
}

/**
 * The host values of a rewritten graph's int8 parameters: for every replaced weight `w` whose float values are
 * known, `w.int8` and `w.int8_scale` from {@linkcode quantizeConvWeight} (computed once per weight; give the
 * same `cache` across graphs to share them).
 *
 * @param quantizedWeights what {@linkcode withInt8Convs} replaced: float weight name → shape [O, C, kh, kw]
 * @param floatWeight the float32 values of a weight, or undefined when unknown (then it is skipped, and
 *   feeding the graph names its parameters as missing)
 * @param cache where computed values are kept and looked up first (any map that takes them, e.g. a model's
 *   run weights)
 * @returns the cache, with these weights' int8 parameters added
 * @example
 * ```ts
 * import { GraphBuilder } from "./builder.ts";
 * import { quantizedParameters, withInt8Convs } from "./int8_rewrite.ts";
 * const g = new GraphBuilder("conv");
 * g.output(g.conv(g.input("x", [1, 2, 4, 4]), g.parameter("w", [1, 2, 1, 1])), "y");
 * const { quantizedWeights } = withInt8Convs(g, { minMacs: 0 });
 * const values = quantizedParameters(quantizedWeights, () => new Float32Array([0.5, -1]));
 * console.log([...values.get("w.int8")!]); // [64, -127]
 * ```
 */
export function quantizedParameters<V = never>(
  quantizedWeights: ReadonlyMap<string, readonly number[]>,
  floatWeight: (name: string) => Float32Array | undefined,
  cache: Map<string, V | Int8Array | Float32Array> = new Map(),
): Map<string, V | Int8Array | Float32Array> {
  for (const [name, shape] of quantizedWeights) {
    if (cache.has(`${name}${INT8_SUFFIX}`)) continue;
    const data = floatWeight(name);
    if (!data) continue;
    const { weight, scale } = quantizeConvWeight(data, shape);
    cache.set(`${name}${INT8_SUFFIX}`, weight);
    cache.set(`${name}${INT8_SCALE_SUFFIX}`, scale);
  }
  return cache;
}
