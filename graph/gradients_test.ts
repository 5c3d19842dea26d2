/**
 * Every gradient rule against central differences through ONNX Runtime (JAX-style).
 *
 * Each case builds y = f(inputs) and the analytic gradients of L = Σ y·R (R fixed, random). For three random
 * directions V the analytic directional derivative Σ_i ⟨∂L/∂x_i, V_i⟩ is compared with
 * (L(x + hV) − L(x − hV)) / 2h, h = 1e-2, with L summed in float64 on the host from the float32 y.
 * Error budget: truncation is O(h²·f''') ≈ 1e-4 relative for the smooth ops (zero for the linear ones); the
 * float32 rounding of y (≈ 6e-8·|y| per element, a few ulps after several ops) divided by 2h gives ≈ 1e-5·Σ|y·R|.
 * Tolerance: 2e-3·Σ|∂L/∂x·V| + 1e-4·Σ|y·R|. A wrong rule is off by O(1) relative.
 * Inputs near a kink (Abs, Relu, LeakyRelu) or a tie (ReduceMax) are "spaced": a shuffled grid with gaps of
 * at least 0.04 that avoids 0, so x ± hV (|hV| ≤ 0.01) does not cross one. Inputs of Sqrt, Log, Reciprocal and
 * Pow's base are in [0.5, 1.5].
 */
import assert from "node:assert/strict";
import { gradients } from "./autodiff.ts";
import { GraphBuilder } from "./builder.ts";
import { GRADIENT_RULES, INFERENCE_ONLY_OPS } from "./gradients.ts";
import { OP_SET } from "./ops.ts";
import type { Tensor } from "./tensor.ts";
import { GraphSession } from "../runtime/session.ts";

type Kind = "normal" | "positive" | "spaced";
interface InputSpec {
  shape: number[];
  kind?: Kind;
}
type Build = (g: GraphBuilder, inputs: Tensor[]) => Tensor;

const STEP = 1e-2;

function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

function values(spec: InputSpec, next: () => number): Float32Array {
  const n = spec.shape.reduce((a, b) => a * b, 1);
  if (spec.kind === "spaced") {
    const order = Array.from({ length: n }, (_, i) => i).sort(() => next() - 0.5);
    return Float32Array.from(order, (k) => ((k + 0.5) / n) * 2 - 1);
  }
  if (spec.kind === "positive") return Float32Array.from({ length: n }, () => 0.5 + next());
  return Float32Array.from({ length: n }, () => next() * 2 - 1);
}

function declare(g: GraphBuilder, specs: InputSpec[]): Tensor[] {
  return specs.map((s, i) => g.input(`x${i}`, s.shape));
}

/** Checks the gradients of Σ build(inputs)·R against central differences; returns the worst relative error. */
async function checkGradient(specs: InputSpec[], build: Build, seed = 1): Promise<number> {
  const next = random(seed);
  const x = specs.map((s) => values(s, next));

  const forward = new GraphBuilder("forward");
  const y = build(forward, declare(forward, specs));
  forward.output(y, "y");
  const r = Float32Array.from({ length: y.size }, () => next() * 2 - 1);

  const backward = new GraphBuilder("backward");
  const inputs = declare(backward, specs);
  const yb = build(backward, inputs);
  const weights = backward.constant(r, yb.shape, "R");
  const loss = backward.reduceSum(backward.mul(yb, weights), yb.shape.map((_, i) => i), false);
  const grads = gradients(backward, loss, inputs);
  inputs.forEach((t, i) => backward.output(grads.get(t)!, `g${i}`));

  const feeds = (arrays: Float32Array[]) => Object.fromEntries(arrays.map((a, i) => [`x${i}`, a]));
  const analytic = (await (await GraphSession.create(backward)).run(feeds(x))).outputs;
  const session = await GraphSession.create(forward);
  const lossAt = async (arrays: Float32Array[]) => {
    const out = (await session.run(feeds(arrays))).outputs.y.data as Float32Array;
    let sum = 0, magnitude = 0;
    out.forEach((v, i) => (sum += v * r[i], magnitude += Math.abs(v * r[i])));
    return { sum, magnitude };
  };

  let worst = 0;
  for (let trial = 0; trial < 3; trial++) {
    const directions = x.map((a) => Float32Array.from(a, () => next() * 2 - 1));
    let directional = 0, scale = 0;
    directions.forEach((v, i) => {
      const grad = analytic[`g${i}`].data as Float32Array;
      assert.equal(grad.length, v.length);
      v.forEach((d, j) => (directional += grad[j] * d, scale += Math.abs(grad[j] * d)));
    });
    const shifted = (sign: number) =>
      x.map((a, i) => Float32Array.from(a, (v, j) => v + sign * STEP * directions[i][j]));
    const plus = await lossAt(shifted(1));
    const minus = await lossAt(shifted(-1));
    const numeric = (plus.sum - minus.sum) / (2 * STEP);
    const tolerance = 2e-3 * scale + 1e-4 * plus.magnitude + 1e-6;
    const error = Math.abs(numeric - directional);
    assert.ok(
      error <= tolerance,
      `directional derivative ${directional} vs central difference ${numeric} (|Δ| ${error} > ${tolerance})`,
    );
    worst = Math.max(worst, error / (scale + 1e-12));
  }
  return worst;
}

interface Case {
  name: string;
  ops: string[];
  inputs: InputSpec[];
  build: Build;
}

const n = (...shape: number[]): InputSpec => ({ shape });
const pos = (...shape: number[]): InputSpec => ({ shape, kind: "positive" });
const spaced = (...shape: number[]): InputSpec => ({ shape, kind: "spaced" });

const CASES: Case[] = [
  {
    name: "Add with broadcasting",
    ops: ["Add"],
    inputs: [n(2, 3, 4), n(3, 1)],
    build: (g, [a, b]) => g.add(a, b),
  },
  {
    name: "Sub with broadcasting",
    ops: ["Sub"],
    inputs: [n(3, 1), n(2, 3, 4)],
    build: (g, [a, b]) => g.sub(a, b),
  },
  { name: "Mul by a scalar input", ops: ["Mul"], inputs: [n(2, 3), n()], build: (g, [a, b]) => g.mul(a, b) },
  { name: "Div, both operands", ops: ["Div"], inputs: [n(2, 3), pos(3)], build: (g, [a, b]) => g.div(a, b) },
  {
    name: "Pow, base and exponent",
    ops: ["Pow"],
    inputs: [pos(2, 3), n(2, 1)],
    build: (g, [a, b]) => g.pow(a, b),
  },
  {
    name: "Pow with a constant exponent",
    ops: ["Pow"],
    inputs: [n(2, 3)],
    build: (g, [a]) => g.pow(a, g.scalar(2)),
  },
  { name: "Neg", ops: ["Neg"], inputs: [n(2, 3)], build: (g, [x]) => g.neg(x) },
  { name: "Sqrt", ops: ["Sqrt"], inputs: [pos(2, 3)], build: (g, [x]) => g.sqrt(x) },
  { name: "Reciprocal", ops: ["Reciprocal"], inputs: [pos(2, 3)], build: (g, [x]) => g.reciprocal(x) },
  { name: "Exp", ops: ["Exp"], inputs: [n(2, 3)], build: (g, [x]) => g.exp(x) },
  { name: "Log", ops: ["Log"], inputs: [pos(2, 3)], build: (g, [x]) => g.log(x) },
  { name: "Abs", ops: ["Abs"], inputs: [spaced(4, 5)], build: (g, [x]) => g.abs(x) },
  { name: "Relu", ops: ["Relu"], inputs: [spaced(4, 5)], build: (g, [x]) => g.relu(x) },
  { name: "Sigmoid", ops: ["Sigmoid"], inputs: [n(2, 3)], build: (g, [x]) => g.sigmoid(x) },
  { name: "Tanh", ops: ["Tanh"], inputs: [n(2, 3)], build: (g, [x]) => g.tanh(x) },
  { name: "Identity", ops: ["Identity"], inputs: [n(2, 3)], build: (g, [x]) => g.identity(x) },
  { name: "Sign (zero gradient)", ops: ["Sign"], inputs: [spaced(4, 5)], build: (g, [x]) => g.sign(x) },
  { name: "LeakyRelu", ops: ["LeakyRelu"], inputs: [spaced(4, 5)], build: (g, [x]) => g.leakyRelu(x, 0.2) },
  {
    name: "a step mask: Greater cast to float (no gradient through it)",
    ops: ["Greater", "Cast"],
    inputs: [spaced(4, 5), spaced(4, 5)],
    build: (g, [x, y]) => g.mul(g.mul(x, x), g.cast(g.greater(y, g.scalar(0)), "float32")),
  },
  {
    name: "MatMul, broadcast rhs",
    ops: ["MatMul"],
    inputs: [n(2, 3, 4), n(4, 5)],
    build: (g, [a, b]) => g.matMul(a, b),
  },
  {
    name: "MatMul, broadcast lhs",
    ops: ["MatMul"],
    inputs: [n(3, 4), n(2, 4, 5)],
    build: (g, [a, b]) => g.matMul(a, b),
  },
  {
    name: "MatMul, broadcast batch dims of size 1",
    ops: ["MatMul"],
    inputs: [n(2, 1, 3, 4), n(3, 4, 2)],
    build: (g, [a, b]) => g.matMul(a, b),
  },
  {
    name: "Conv, pads 1",
    ops: ["Conv"],
    inputs: [n(2, 3, 5, 5), n(4, 3, 3, 3)],
    build: (g, [x, w]) => g.conv(x, w, { pads: 1 }),
  },
  {
    name: "Conv, stride 2, asymmetric pads, unused last rows",
    ops: ["Conv"],
    inputs: [n(2, 2, 6, 7), n(3, 2, 3, 2)],
    build: (g, [x, w]) => g.conv(x, w, { strides: [2, 2], pads: [1, 0, 0, 1] }),
  },
  {
    name: "Conv, dilation 2 and stride 2",
    ops: ["Conv"],
    inputs: [n(1, 2, 9, 8), n(2, 2, 3, 3)],
    build: (g, [x, w]) => g.conv(x, w, { dilations: [2, 2], strides: [2, 1], pads: 2 }),
  },
  {
    name: "Conv, stride 1, dilation 2, asymmetric pads, 3×2 kernel (dx as a Conv with the flipped kernel)",
    ops: ["Conv"],
    inputs: [n(2, 2, 7, 6), n(3, 2, 3, 2)],
    build: (g, [x, w]) => g.conv(x, w, { dilations: [2, 1], pads: [2, 0, 1, 1] }),
  },
  {
    name: "Conv, stride 1, pads wider than the kernel reaches (dx falls back to ConvTranspose)",
    ops: ["Conv"],
    inputs: [n(1, 2, 4, 4), n(2, 2, 2, 2)],
    build: (g, [x, w]) => g.conv(x, w, { pads: [2, 0, 0, 0] }),
  },
  {
    name: "Conv, depthwise 3×3 and 1×1 (group = channels)",
    ops: ["Conv"],
    inputs: [n(2, 3, 5, 5), n(3, 1, 3, 3), n(2, 3, 1, 1)],
    build: (g, [x, w, u]) => g.conv(g.conv(x, w, { pads: 1, group: 3 }), u),
  },
  {
    name: "Conv 1×1, stride 1, unpadded (dx as a product over channels)",
    ops: ["Conv"],
    inputs: [n(2, 4, 3, 5), n(6, 4, 1, 1)],
    build: (g, [x, w]) => g.conv(x, w),
  },
  {
    name: "Conv, batch 3, 2 groups, 3×3 maps (batch folded into the weight gradient's product)",
    ops: ["Conv"],
    inputs: [n(3, 4, 3, 3), n(6, 2, 3, 3)],
    build: (g, [x, w]) => g.conv(x, w, { pads: 1, group: 2 }),
  },
  {
    name: "Conv, batch 2, stride 2, 4×4 maps (batch folded)",
    ops: ["Conv"],
    inputs: [n(2, 4, 4, 4), n(4, 4, 3, 3)],
    build: (g, [x, w]) => g.conv(x, w, { pads: 1, strides: [2, 2] }),
  },
  {
    name: "Conv, 2 groups",
    ops: ["Conv"],
    inputs: [n(2, 4, 5, 5), n(6, 2, 3, 3)],
    build: (g, [x, w]) => g.conv(x, w, { pads: 1, group: 2 }),
  },
  {
    name: "Conv, per-sample weights as groups (group = batch, batch 1)",
    ops: ["Conv"],
    inputs: [n(1, 6, 5, 5), n(8, 3, 3, 3)],
    build: (g, [x, w]) => g.conv(x, w, { pads: 1, group: 2 }),
  },
  {
    name: "ConvTranspose, stride 2, pads 1, groups",
    ops: ["ConvTranspose"],
    inputs: [n(2, 4, 3, 3), n(4, 3, 4, 4)],
    build: (g, [x, w]) => g.convTranspose(x, w, { strides: [2, 2], pads: 1, group: 2 }),
  },
  {
    name: "ConvTranspose, output padding and dilation",
    ops: ["ConvTranspose"],
    inputs: [n(1, 2, 3, 4), n(2, 3, 3, 3)],
    build: (g, [x, w]) =>
      g.convTranspose(x, w, { strides: [2, 2], dilations: [2, 1], outputPadding: [1, 1] }),
  },
  {
    name: "Reshape and Transpose",
    ops: ["Reshape", "Transpose"],
    inputs: [n(2, 3, 4)],
    build: (g, [x]) => g.transpose(g.reshape(x, [4, 6]), [1, 0]),
  },
  {
    name: "Transpose, rank 4",
    ops: ["Transpose"],
    inputs: [n(2, 3, 4, 5)],
    build: (g, [x]) => g.transpose(x, [2, 0, 3, 1]),
  },
  {
    name: "ReduceSum, kept and dropped axes",
    ops: ["ReduceSum"],
    inputs: [n(2, 3, 4)],
    build: (g, [x]) => g.add(g.reduceSum(x, [-1], false), g.reshape(g.reduceSum(x, [0, 2], true), [3])),
  },
  {
    name: "ReduceMean",
    ops: ["ReduceMean"],
    inputs: [n(2, 3, 4)],
    build: (g, [x]) => g.reduceMean(x, [0, 2], false),
  },
  {
    name: "ReduceMax",
    ops: ["ReduceMax"],
    inputs: [spaced(3, 4, 2)],
    build: (g, [x]) => g.node("ReduceMax", [x], { axes: [1], keepdims: 0 })[0],
  },
  {
    name: "Concat, one input used twice",
    ops: ["Concat"],
    inputs: [n(2, 3), n(2, 1)],
    build: (g, [a, b]) => g.concat([a, b, a], 1),
  },
  {
    name: "Slice, steps 2, negative start, clamped end, two axes",
    ops: ["Slice"],
    inputs: [n(3, 7, 6)],
    build: (g, [x]) => g.slice(x, [1, 2], [1, -5], [100, 6], [2, 3]),
  },
  { name: "Slice, step 1", ops: ["Slice"], inputs: [n(4, 5)], build: (g, [x]) => g.slice(x, [0], [1], [3]) },
  { name: "Expand", ops: ["Expand"], inputs: [n(3, 1)], build: (g, [x]) => g.expand(x, [2, 3, 4]) },
  { name: "Pad", ops: ["Pad"], inputs: [n(2, 3, 4)], build: (g, [x]) => g.pad(x, [0, 1, 2, 1, 0, 3], 0.5) },
  {
    name: "Pad with a crop",
    ops: ["Pad"],
    inputs: [n(2, 5, 4)],
    build: (g, [x]) => g.pad(x, [0, -1, 2, 1, -2, 0]),
  },
  {
    name: "Resize, linear half_pixel, 8 → 3 (non-integer)",
    ops: ["Resize"],
    inputs: [n(1, 2, 8, 8)],
    build: (g, [x]) => g.resize(x, [3, 5]),
  },
  {
    name: "Resize, linear half_pixel, 16 → 4 (the 1024 → 256 pattern)",
    ops: ["Resize"],
    inputs: [n(1, 2, 16, 16)],
    build: (g, [x]) => g.resize(x, [4, 4]),
  },
  {
    name: "Resize, linear align_corners, 4 → 8 (FPN)",
    ops: ["Resize"],
    inputs: [n(1, 2, 4, 4)],
    build: (g, [x]) => g.resize(x, [8, 8], { coordinates: "align_corners" }),
  },
  {
    name: "Resize, identity 6 → 6",
    ops: ["Resize"],
    inputs: [n(1, 2, 6, 6)],
    build: (g, [x]) => g.resize(x, [6, 6]),
  },
  {
    name: "Resize, nearest, 3 → 7",
    ops: ["Resize"],
    inputs: [n(1, 1, 3, 3)],
    build: (g, [x]) => g.resize(x, [7, 5], { mode: "nearest", coordinates: "asymmetric" }),
  },
  {
    name: "InstanceNormalization, x, scale and bias",
    ops: ["InstanceNormalization"],
    inputs: [n(2, 3, 4, 5), n(3), n(3)],
    build: (g, [x, s, b]) => g.node("InstanceNormalization", [x, s, b], { epsilon: 1e-5 })[0],
  },
  {
    name: "AveragePool, kernel 3, stride 2, pads 1 (pads not counted)",
    ops: ["AveragePool"],
    inputs: [n(2, 3, 6, 7)],
    build: (g, [x]) =>
      g.node("AveragePool", [x], { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] })[0],
  },
  {
    name: "AveragePool, 2×2 blocks",
    ops: ["AveragePool"],
    inputs: [n(1, 2, 4, 6)],
    build: (g, [x]) => g.node("AveragePool", [x], { kernel_shape: [2, 2], strides: [2, 2] })[0],
  },
  {
    name: "a shared input: x·x + conv(x) + x",
    ops: ["Mul", "Conv", "Add"],
    inputs: [n(1, 2, 4, 4), n(2, 2, 3, 3)],
    build: (g, [x, w]) => g.add(g.add(g.mul(x, x), g.conv(x, w, { pads: 1 })), x),
  },
];

/** Second order: y = ∂(Σ f(x)·R')/∂x, so the rules' own nodes are differentiated. */
function firstGradient(build: Build): Build {
  return (g, inputs) => {
    const y = build(g, inputs);
    const weights = g.constant(
      Float32Array.from({ length: y.size }, (_, i) => Math.sin(i + 1)),
      y.shape,
      "R1",
    );
    const loss = g.reduceSum(g.mul(y, weights), y.shape.map((_, i) => i), false);
    const grads = gradients(g, loss, inputs);
    // Mix every input's gradient into one output so that all of them are checked.
    return g.concat(inputs.map((t) => g.reshape(grads.get(t)!, [t.size])), 0);
  };
}

const SECOND_ORDER: Case[] = [
  {
    name: "Sigmoid, Tanh, Exp, Pow, Div, Sqrt, Log",
    ops: [],
    inputs: [pos(2, 3), n(2, 3)],
    build: (g, [a, b]) =>
      g.add(
        g.div(g.pow(a, g.tanh(b)), g.sqrt(g.add(g.exp(b), a))),
        g.mul(g.log(a), g.sigmoid(g.mul(a, b))),
      ),
  },
  {
    name: "grouped strided Conv and ConvTranspose",
    ops: [],
    inputs: [n(1, 4, 5, 5), n(4, 2, 3, 3), n(4, 1, 4, 4)],
    build: (g, [x, w, u]) => {
      const y = g.conv(x, w, { strides: [2, 2], pads: 1, group: 2 });
      return g.tanh(g.convTranspose(g.mul(y, y), u, { strides: [2, 2], pads: 1, group: 4 }));
    },
  },
  {
    name: "InstanceNormalization, MatMul, LeakyRelu",
    ops: [],
    inputs: [n(2, 3, 3, 4), n(3), n(3), n(4, 2)],
    build: (g, [x, s, b, m]) =>
      g.matMul(g.leakyRelu(g.node("InstanceNormalization", [x, s, b], { epsilon: 1e-5 })[0], 0.2), m),
  },
  {
    name: "Resize, AveragePool, Slice, Pad, Concat, ReduceMean",
    ops: [],
    inputs: [n(1, 2, 6, 6)],
    build: (g, [x]) => {
      const up = g.resize(g.mul(x, x), [9, 9], { coordinates: "align_corners" });
      const pooled =
        g.node("AveragePool", [up], { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] })[0];
      const sliced = g.pad(g.slice(g.mul(pooled, pooled), [2], [0], [5], [2]), [0, 0, 2, 0, 0, 0, 0, 0]);
      return g.concat([sliced, g.reduceMean(g.mul(pooled, pooled), [3], true)], 3);
    },
  },
];

Deno.test("every op of the op set has a gradient rule", () => {
  assert.deepEqual(Object.keys(OP_SET).filter((op) => !(op in GRADIENT_RULES)), []);
  assert.deepEqual(Object.keys(GRADIENT_RULES).filter((op) => !(op in OP_SET)), []);
});

Deno.test("every op of the op set is checked by a central-difference case, or is inference-only and refused", () => {
  const checked = new Set<string>([...CASES.flatMap((c) => c.ops), ...INFERENCE_ONLY_OPS]);
  assert.deepEqual(Object.keys(OP_SET).filter((op) => !checked.has(op)), []);
  for (const op of INFERENCE_ONLY_OPS) {
    const g = new GraphBuilder("inference_only");
    const x = g.input("x", [2, 2]);
    const y = op === "DynamicQuantizeLinear"
      ? g.dynamicQuantizeLinear(x)[0]
      : op === "Gather"
      ? g.gather(x, g.constant(new Int32Array([1, 0]), [2]), 0)
      : g.matMulInteger(
        g.input("a", [2, 2], "uint8"),
        g.input("b", [2, 2], "int8"),
        g.input("z", [], "uint8"),
      );
    assert.throws(
      () => GRADIENT_RULES[op](g, g.producer(y)!, y, [true]),
      new RegExp(`${op} ".*" has no gradient`),
    );
  }
});

for (const c of CASES) {
  Deno.test(`gradient of ${c.name} matches central differences`, async () => {
    await checkGradient(c.inputs, c.build);
  });
}

for (const c of SECOND_ORDER) {
  Deno.test(`second derivative through ${c.name} matches central differences of the gradient`, async () => {
    await checkGradient(c.inputs, firstGradient(c.build), 7);
  });
}

Deno.test("Conv's weight gradient is a MatMul over im2col patches, not a convolution with an OH×OW kernel", () => {
  const g = new GraphBuilder("weight gradient");
  const x = g.input("x", [2, 8, 16, 16]);
  const w = g.input("w", [4, 8, 3, 3]);
  const y = g.conv(x, w, { pads: 1, strides: [2, 2] });
  const loss = g.reduceSum(g.mul(y, y), [0, 1, 2, 3], false);
  const before = g.nodes.length;
  gradients(g, loss, [w]);
  const backward = g.nodes.slice(before).map((node) => node.op);
  // The one Conv is the im2col: depthwise (one group per input channel) with a constant 0/1 kernel, never a
  // convolution whose kernel is the output gradient.
  const convs = g.nodes.slice(before).filter((node) => node.op === "Conv");
  assert.equal(convs.length, 1, `backward ops: ${backward.join(", ")}`);
  assert.equal(convs[0].attributes.group, 8);
  assert.deepEqual(convs[0].inputs[1].shape, [8 * 9, 1, 3, 3]);
  assert.ok(!g.inputs.includes(convs[0].inputs[1]) && !backward.includes("Slice"), backward.join(", "));
  assert.equal(backward.filter((op) => op === "MatMul").length, 1);
  assert.ok(backward.includes("ReduceSum"), "batch 2 of 16×16 maps: one product per sample, summed");
});

Deno.test("a deep layer's weight gradient folds the batch into the product instead of summing partial products", () => {
  const g = new GraphBuilder("folded weight gradient");
  const x = g.input("x", [2, 64, 4, 4]);
  const y = g.conv(x, g.input("w", [64, 64, 3, 3]), { pads: 1 });
  const loss = g.reduceSum(g.mul(y, y), [0, 1, 2, 3], false);
  const before = g.nodes.length;
  gradients(g, loss, [g.inputs[1]]);
  const backward = g.nodes.slice(before).map((node) => node.op);
  assert.ok(!backward.includes("ReduceSum") && backward.includes("Transpose"), backward.join(", "));
});

Deno.test("a stride-1 Conv's input gradient is a Conv with the flipped kernel; stride 2 keeps ConvTranspose", () => {
  for (const [strides, expected] of [[[1, 1], "Conv"], [[2, 2], "ConvTranspose"]] as const) {
    const g = new GraphBuilder("input gradient");
    const x = g.input("x", [1, 4, 8, 8]);
    const y = g.conv(x, g.parameter("w", [4, 4, 3, 3]), { pads: 1, strides });
    const before = g.nodes.length;
    gradients(g, g.reduceSum(g.mul(y, y), [0, 1, 2, 3], false), [x]);
    const backward = g.nodes.slice(before).map((node) => node.op);
    assert.ok(backward.includes(expected), `${strides}: ${backward.join(", ")}`);
    assert.ok(!backward.includes(expected === "Conv" ? "ConvTranspose" : "Conv"), backward.join(", "));
  }
});

Deno.test("Relu and LeakyRelu masks are Greater cast to float (ONNX Runtime's Sign is not vectorised): no Sign, Abs or Relu", () => {
  for (
    const build of [
      (g: GraphBuilder, x: Tensor) => g.relu(x),
      (g: GraphBuilder, x: Tensor) => g.leakyRelu(x, 0.2),
    ]
  ) {
    const g = new GraphBuilder("mask");
    const x = g.input("x", [8]);
    const y = build(g, x);
    const [dx] = GRADIENT_RULES[g.producer(y)!.op](g, g.producer(y)!, g.input("dy", [8]), [true]);
    const ops = g.nodes.slice(1).map((node) => node.op);
    assert.ok(dx && !ops.some((op) => op === "Abs" || op === "Sign" || op === "Relu"), ops.join(", "));
    assert.equal(ops.filter((op) => op === "Greater").length, 1);
    assert.equal(ops.filter((op) => op === "Cast").length, 1);
  }
});

Deno.test("a 1×1 stride-1 unpadded conv's weight gradient multiplies the input itself (no im2col Conv)", () => {
  const g = new GraphBuilder("pointwise weight gradient");
  const x = g.input("x", [2, 4, 8, 8]);
  const w = g.parameter("w", [6, 4, 1, 1]);
  const y = g.conv(x, w);
  const before = g.nodes.length;
  gradients(g, g.reduceSum(g.mul(y, y), [0, 1, 2, 3], false), [w]);
  const backward = g.nodes.slice(before).map((node) => node.op);
  assert.ok(!backward.includes("Conv"), backward.join(", "));
  assert.ok(backward.includes("MatMul"), backward.join(", "));
});
