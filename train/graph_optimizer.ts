/**
 * Adam and Ranger updates as graph operations, so that a training step (forward, backward and update) is one
 * `session.run`: the step graph takes every trainable parameter and its optimizer state as inputs and returns the
 * new ones as outputs (on a GPU they could stay resident). Each op mirrors one float32-rounded operation of the
 * host loops of `optimizers.ts` in the same order, so the in-graph Adam gives the host's values bit for bit
 * (ONNX Runtime's float32 Add, Mul, Div and Sqrt are correctly rounded, as the host's `Math.fround` of a double
 * result is). Ranger's gradient centralisation takes its row means in float32 in the graph (the host sums in
 * float64), so Ranger may differ from the host by an ulp in the centralised gradient.
 *
 * Every number that depends on the step or on the optimizer's options is a scalar graph input (`optimizer.*`),
 * so one graph serves any instance of the optimizer and every step.
 *
 * @module
 */

import type { GraphBuilder } from "../graph/builder.ts";
import type { Tensor } from "../graph/tensor.ts";

/** The in-graph form of an optimizer: its state buffers, its scalar inputs and its update nodes. */
export interface GraphUpdateRule {
  /** Which optimizer (a graph built for one kind cannot be stepped by another). */
  readonly kind: "adam" | "ranger";
  /** State buffers per parameter, shaped like it, in checkpoint naming (`exp_avg`, …). */
  readonly buffers: readonly string[];
  /** Scalar inputs (without the `optimizer.` prefix). */
  readonly scalars: readonly string[];
  /**
   * The gradient as the elementwise update sees it (Ranger: centralised per row); the identity for Adam.
   *
   * @param g the step graph
   * @param parameter the parameter, in its own shape
   * @param gradient its gradient
   * @param scalars the scalar inputs by name
   * @returns the gradient to update with, shaped like the parameter
   */
  prepare?(
    g: GraphBuilder,
    parameter: Tensor,
    gradient: Tensor,
    scalars: Readonly<Record<string, Tensor>>,
  ): Tensor;
  /**
   * Adds the elementwise update of one parameter, or of several flattened into one vector (the update is
   * elementwise, so small parameters are updated together: fewer nodes).
   *
   * @param g the step graph
   * @param parameter the parameter (or the concatenated parameters)
   * @param gradient its (prepared) gradient
   * @param state its state buffers by buffer name
   * @param scalars the scalar inputs by name
   * @returns the new parameter and the new state buffers
   */
  add(
    g: GraphBuilder,
    parameter: Tensor,
    gradient: Tensor,
    state: Readonly<Record<string, Tensor>>,
    scalars: Readonly<Record<string, Tensor>>,
  ): { parameter: Tensor; state: Record<string, Tensor> };
}

/**
 * Adam as graph ops (`torch.optim.Adam`, as the host loop of `Adam.step`): m = β1·m + (1−β1)·g;
 * v = β2·v + ((1−β2)·g)·g; p ← p + (−lr/(1−β1ᵗ))·(m / (√v / √(1−β2ᵗ) + eps)).
 * Scalars: `beta1`, `one_minus_beta1`, `beta2`, `one_minus_beta2`, `eps`, `step_value` (−lr/(1−β1ᵗ)) and
 * `correction2` (√(1−β2ᵗ)), each float32-rounded on the host as `Adam.step` does.
 *
 * @example
 * ```ts
 * import { GraphBuilder } from "../graph/builder.ts";
 * import { ADAM_GRAPH_UPDATE } from "./graph_optimizer.ts";
 * const g = new GraphBuilder("adam");
 * const p = g.parameter("p", [3]);
 * const scalars = Object.fromEntries(ADAM_GRAPH_UPDATE.scalars.map((s) => [s, g.input(`optimizer.${s}`, [])]));
 * const state = { exp_avg: g.input("m", [3]), exp_avg_sq: g.input("v", [3]) };
 * const next = ADAM_GRAPH_UPDATE.add(g, p, g.input("grad", [3]), state, scalars);
 * console.log(next.parameter.shape, Object.keys(next.state)); // [3] ["exp_avg", "exp_avg_sq"]
 * ```
 */
export const ADAM_GRAPH_UPDATE: GraphUpdateRule = {
  kind: "adam",
  buffers: ["exp_avg", "exp_avg_sq"],
  scalars: ["beta1", "one_minus_beta1", "beta2", "one_minus_beta2", "eps", "step_value", "correction2"],
  add(g, parameter, gradient, state, s) {
    const m = g.add(g.mul(state.exp_avg, s.beta1), g.mul(gradient, s.one_minus_beta1));
    const v = g.add(g.mul(state.exp_avg_sq, s.beta2), g.mul(g.mul(gradient, s.one_minus_beta2), gradient));
    const denominator = g.add(g.div(g.sqrt(v), s.correction2), s.eps);
    const next = g.add(parameter, g.mul(g.div(m, denominator), s.step_value));
    return { parameter: next, state: { exp_avg: m, exp_avg_sq: v } };
  },
};

/**
 * Ranger (RAdam + Lookahead + gradient centralisation) as graph ops, as the host loop of `Ranger.step`.
 * Step-dependent branches become exact 0/1 blends of float32 values (x·1 + y·0 = x exactly for finite y):
 * `adaptive` (1 once RAdam's SMA passes its threshold: m / (√v + eps), else m alone), `sync` (1 on every k-th
 * step: the parameter takes the new slow weights) and `lookahead` (α on those steps, else 0, which leaves the
 * slow weights as they are); `centralize` is 1 when gradient centralisation is on.
 *
 * @example
 * ```ts
 * import { GraphBuilder } from "../graph/builder.ts";
 * import { RANGER_GRAPH_UPDATE } from "./graph_optimizer.ts";
 * const g = new GraphBuilder("ranger");
 * const p = g.parameter("p", [2, 3]);
 * const scalars = Object.fromEntries(RANGER_GRAPH_UPDATE.scalars.map((s) => [s, g.input(`optimizer.${s}`, [])]));
 * const state = Object.fromEntries(RANGER_GRAPH_UPDATE.buffers.map((b) => [b, g.input(b, [2, 3])]));
 * const next = RANGER_GRAPH_UPDATE.add(g, p, g.input("grad", [2, 3]), state, scalars);
 * console.log(Object.keys(next.state)); // ["exp_avg", "exp_avg_sq", "slow_buffer"]
 * ```
 */
export const RANGER_GRAPH_UPDATE: GraphUpdateRule = {
  kind: "ranger",
  buffers: ["exp_avg", "exp_avg_sq", "slow_buffer"],
  scalars: [
    "beta1",
    "one_minus_beta1",
    "beta2",
    "one_minus_beta2",
    "eps",
    "step_value",
    "adaptive",
    "one_minus_adaptive",
    "lookahead",
    "sync",
    "one_minus_sync",
    "centralize",
  ],
  prepare(g, parameter, gradient, s) {
    if (parameter.rank <= 1) return gradient;
    // grad − mean over every axis but the first (per output channel / row), when centralisation is on
    const axes = parameter.shape.map((_, i) => i).slice(1);
    return g.sub(gradient, g.mul(g.reduceMean(gradient, axes, true), s.centralize));
  },
  add(g, parameter, grad, state, s) {
    const v = g.add(g.mul(state.exp_avg_sq, s.beta2), g.mul(g.mul(grad, s.one_minus_beta2), grad));
    const m = g.add(g.mul(state.exp_avg, s.beta1), g.mul(grad, s.one_minus_beta1));
    const radam = g.add(g.sqrt(v), s.eps);
    const denominator = g.add(g.mul(radam, s.adaptive), s.one_minus_adaptive); // √v + eps, or 1
    const updated = g.add(parameter, g.mul(g.div(m, denominator), s.step_value));
    const slow = g.add(state.slow_buffer, g.mul(g.sub(updated, state.slow_buffer), s.lookahead));
    const next = g.add(g.mul(slow, s.sync), g.mul(updated, s.one_minus_sync));
    return { parameter: next, state: { exp_avg: m, exp_avg_sq: v, slow_buffer: slow } };
  },
};
