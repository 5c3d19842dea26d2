/**
 * Reverse-mode differentiation of the graph IR. {@linkcode gradients} walks the nodes between the requested
 * tensors and the loss backwards and adds the backward nodes to the same {@linkcode GraphBuilder}, using one
 * rule per op from `gradients.ts`. The result is ordinary IR: it can be written as ONNX, run, and
 * differentiated again (double backprop, e.g. for the R1 penalty).
 *
 * @module
 */

import type { GraphBuilder, GraphNode } from "./builder.ts";
import { GRADIENT_RULES } from "./gradients.ts";
import type { Tensor } from "./tensor.ts";

/** Options of {@linkcode gradients}. */
export interface GradientOptions {
  /**
   * Gradient of the final objective w.r.t. `loss` (shaped like it). Default: ones, i.e. the gradient of
   * sum(loss) (for a scalar loss, of the loss itself).
   */
  seed?: Tensor;
  /** Tensors treated as constants: no gradient flows through them (frozen values, detached targets). */
  stopGradient?: ReadonlySet<Tensor>;
}

/**
 * Adds the backward graph of `loss` w.r.t. each tensor of `wrt` to `g`.
 *
 * A tensor used several times gets the sum of its contributions (Add); broadcast operands get their gradient
 * reduced back to their shape. A requested tensor that the loss does not depend on (or only through a
 * `stopGradient` tensor) gets a zero tensor of its shape (an Expand of a scalar 0), so every entry of the
 * result can be output.
 *
 * @param g the graph that holds `loss` and `wrt`
 * @param loss the value to differentiate (any shape; see `seed`)
 * @param wrt tensors (parameters, inputs or intermediate values) to differentiate w.r.t.
 * @param options seed and stop-gradient set
 * @returns the gradient of each tensor of `wrt`, shaped like it
 * @example
 * ```ts
 * import { GraphBuilder } from "./builder.ts";
 * import { gradients } from "./autodiff.ts";
 * const g = new GraphBuilder("square");
 * const x = g.input("x", [3]); // [3]
 * const loss = g.reduceSum(g.mul(x, x), [0], false); // []
 * const dx = gradients(g, loss, [x]).get(x)!; // 2x, [3]
 * g.output(dx, "dx");
 * ```
 */
export function gradients(
  g: GraphBuilder,
  loss: Tensor,
  wrt: readonly Tensor[],
  options: GradientOptions = {},
): Map<Tensor, Tensor> {
  const stop = options.stopGradient ?? new Set<Tensor>();
  // The forward nodes, snapshotted before the backward nodes are appended.
  const forward = g.nodes.slice(0, lastNodeIndex(g, loss) + 1);

  // Tensors that depend on a requested tensor, not through a stopped one.
  const active = new Set<Tensor>(wrt.filter((t) => !stop.has(t)));
  for (const node of forward) {
    if (node.inputs.some((t) => active.has(t))) {
      for (const out of node.outputs) if (!stop.has(out)) active.add(out);
    }
  }

  const grads = new Map<Tensor, Tensor>();
  if (active.has(loss)) {
    const seed = options.seed ?? g.expand(g.scalar(1), loss.shape);
    if (seed.shape.length !== loss.rank || seed.shape.some((d, i) => d !== loss.shape[i])) {
      throw new TypeError(
        `gradients: the seed's shape [${seed.shape}] differs from the loss's [${loss.shape}]`,
      );
    }
    grads.set(loss, g.reshape(seed, loss.shape));
  }

  // Gradients of plain slices (one axis, step 1) wait here unpadded: when a tensor's slices tile it (a split), its
  // gradient is their Concat instead of a sum of zero-padded copies (church-256: E2's merged style convs).
  const pieces = new Map<Tensor, SlicePiece[]>();
  const gradientOf = (t: Tensor): Tensor | undefined => {
    const waiting = pieces.get(t);
    if (waiting) {
      pieces.delete(t);
      const dense = grads.get(t);
      grads.set(t, joinSlicePieces(g, t, waiting, dense));
    }
    return grads.get(t);
  };

  for (let i = forward.length - 1; i >= 0; i--) {
    const node = forward[i];
    if (!active.has(node.outputs[0])) continue;
    const dy = gradientOf(node.outputs[0]);
    if (!dy) continue;
    const needs = node.inputs.map((t) => active.has(t));
    if (!needs.some(Boolean)) continue;
    const piece = plainSlice(node, dy);
    if (piece) {
      const list = pieces.get(node.inputs[0]) ?? [];
      list.push(piece);
      pieces.set(node.inputs[0], list);
      continue;
    }
    const rule = GRADIENT_RULES[node.op];
    if (!rule) throw new TypeError(`gradients: no gradient rule for op ${node.op} (node "${node.name}")`);
    // Named after the forward node (`grad/<its name>/Conv_N`), so that a profile attributes backward time to layers.
    const inputGrads = g.scope("grad/" + node.name, () => rule(g, node, dy, needs));
    node.inputs.forEach((t, k) => {
      const contribution = inputGrads[k];
      if (!needs[k] || !contribution) return;
      checkShape(node, t, contribution);
      const previous = grads.get(t);
      grads.set(t, previous ? g.scope("grad", () => g.add(previous, contribution)) : contribution);
    });
  }

  const result = new Map<Tensor, Tensor>();
  for (const t of wrt) {
    result.set(t, (!stop.has(t) && gradientOf(t)) || g.expand(g.scalar(0), t.shape));
  }
  return result;
}

/** The gradient of a slice along one axis with step 1: dy, placed at `begin` on `axis` of the input. */
interface SlicePiece {
  axis: number;
  begin: number;
  grad: Tensor;
}

/** A Slice node along one axis with step 1 as a piece of its input's gradient; undefined for any other node. */
function plainSlice(node: GraphNode, dy: Tensor): SlicePiece | undefined {
  if (node.op !== "Slice") return undefined;
  const x = node.inputs[0];
  const axes = node.attributes.axes as number[];
  const steps = node.attributes.steps as number[] | undefined;
  if (axes.length !== 1 || (steps && steps[0] !== 1)) return undefined;
  const axis = axes[0] < 0 ? axes[0] + x.rank : axes[0];
  const dim = x.shape[axis];
  const start = (node.attributes.starts as number[])[0];
  const begin = Math.min(Math.max(start < 0 ? start + dim : start, 0), dim);
  return { axis, begin, grad: dy };
}

/**
 * The gradient of a tensor read by slices (and maybe densely, `dense`): the Concat of the pieces, with zeros in
 * the gaps, when they are disjoint along one axis; else each piece zero-padded to the full shape, all summed.
 */
function joinSlicePieces(
  g: GraphBuilder,
  x: Tensor,
  pieces: SlicePiece[],
  dense: Tensor | undefined,
): Tensor {
  const sorted = [...pieces].sort((a, b) => a.begin - b.begin);
  const axis = sorted[0].axis;
  const disjoint = sorted.every((p, i) =>
    p.axis === axis && (i === 0 || sorted[i - 1].begin + sorted[i - 1].grad.shape[axis] <= p.begin)
  );
  const zeros = (size: number) => g.expand(g.scalar(0), x.shape.map((d, k) => k === axis ? size : d));
  const padded = (p: SlicePiece) => {
    const size = p.grad.shape[p.axis];
    if (size === x.shape[p.axis]) return p.grad;
    const pads = new Array(2 * x.rank).fill(0);
    pads[p.axis] = p.begin;
    pads[p.axis + x.rank] = x.shape[p.axis] - p.begin - size;
    return g.pad(p.grad, pads, 0);
  };
  let joined: Tensor[];
  if (disjoint && sorted.length > 1) {
    const parts: Tensor[] = [];
    let at = 0;
    for (const p of sorted) {
      if (p.begin > at) parts.push(zeros(p.begin - at));
      parts.push(p.grad);
      at = p.begin + p.grad.shape[axis];
    }
    if (at < x.shape[axis]) parts.push(zeros(x.shape[axis] - at));
    joined = [g.scope("grad", () => g.concat(parts, axis))];
  } else {
    joined = sorted.map((p) => g.scope("grad", () => padded(p)));
  }
  return g.scope("grad", () => [...(dense ? [dense] : []), ...joined].reduce((sum, t) => g.add(sum, t)));
}

function lastNodeIndex(g: GraphBuilder, loss: Tensor): number {
  const producer = g.producer(loss);
  return producer ? g.nodes.indexOf(producer) : -1;
}

function checkShape(node: GraphNode, input: Tensor, grad: Tensor): void {
  if (grad.rank !== input.rank || grad.shape.some((d, i) => d !== input.shape[i])) {
    throw new TypeError(
      `gradients: the ${node.op} rule gave [${grad.shape}] for input "${input.name}" of shape [${input.shape}]`,
    );
  }
}
