/**
 * The gradient rules: one short function per op of {@linkcode OP_SET} (tinygrad / JAX style).
 * A rule sees the forward node, the gradient of its output and which inputs need a gradient, and returns the
 * gradient of each input (already reduced to the input's shape), or undefined where none is needed or the
 * gradient is zero. Rules emit ordinary IR nodes into the same graph, so gradients of gradients work.
 *
 * Every rule is built from differentiable ops, so every rule is twice differentiable. The step masks of Relu and
 * LeakyRelu come from `Greater` (cast to float), those of Abs and ReduceMax from `Sign`; both have a zero
 * gradient, so the second derivative is the exact one almost everywhere (zero), as in PyTorch. At a kink the
 * rules take PyTorch's one-sided choice: Relu'(0) = 0, LeakyRelu'(0) = alpha, Abs'(0) = 0; ReduceMax splits the
 * gradient evenly between ties (like `torch.amax`).
 *
 * @module
 */

import type { ConstantData, GraphBuilder, GraphNode } from "./builder.ts";
import type { AttributeValue, OpName } from "./ops.ts";
import type { Tensor } from "./tensor.ts";

/**
 * A gradient rule.
 *
 * @param g the graph to add the backward nodes to
 * @param node the forward node
 * @param dy gradient of the loss w.r.t. the node's (single) output, shaped like it
 * @param needs for each input, whether its gradient is wanted
 * @returns the gradient of each input, shaped like it; undefined for zero or unwanted gradients
 */
export type GradientRule = (
  g: GraphBuilder,
  node: GraphNode,
  dy: Tensor,
  needs: readonly boolean[],
) => (Tensor | undefined)[];

/**
 * Sums a broadcast gradient back to `shape` (NumPy broadcasting in reverse).
 *
 * @param g graph builder
 * @param grad gradient of the broadcast result
 * @param shape the operand's shape
 * @returns the gradient shaped like the operand
 */
export function unbroadcast(g: GraphBuilder, grad: Tensor, shape: readonly number[]): Tensor {
  if (sameShape(grad.shape, shape)) return grad;
  const lead = grad.rank - shape.length;
  let out = grad;
  if (lead > 0) out = g.reduceSum(out, range(lead), false);
  const ones = shape.flatMap((d, i) => (d === 1 && out.shape[i] !== 1 ? [i] : []));
  if (ones.length) out = g.reduceSum(out, ones, true);
  return g.reshape(out, shape);
}

/**
 * Ops that only inference graphs use (the int8 mode, graph/int8_conv.ts): their gradient rule throws, naming the
 * node, so differentiating a quantized graph fails at build time rather than training on a zero gradient. Cast
 * does the same, except from bool (the step masks): a comparison's result has no gradient.
 */
export const INFERENCE_ONLY_OPS: readonly OpName[] = [
  "DynamicQuantizeLinear",
  "MatMulInteger",
  "Gather",
];

/** The rule of an op that only inference graphs use (the int8 mode): differentiating through it is an error. */
function inferenceOnly(op: string): GradientRule {
  return (_g, node) => {
    throw new TypeError(
      `${op} "${node.name}" has no gradient: it belongs to inference-only graphs (the int8 mode, graph/int8_conv.ts); differentiate the float32 graph instead`,
    );
  };
}

/**
 * The rule table, keyed by {@linkcode OpName}: `satisfies` makes an op without a rule (or a rule for no op) a
 * type error. An op whose gradient is zero says so with its own rule (`Sign`), it is never just missing.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { GraphBuilder } from "./builder.ts";
 * import { GRADIENT_RULES } from "./gradients.ts";
 * const g = new GraphBuilder("neg");
 * const y = g.neg(g.input("x", [3]));
 * const [dx] = GRADIENT_RULES.Neg(g, g.producer(y)!, g.input("dy", [3]), [true]);
 * assert.deepEqual(dx!.shape, [3]);
 * ```
 */
export const GRADIENT_RULES: Readonly<Record<OpName, GradientRule>> = {
  Add: (g, { inputs: [a, b] }, dy, needs) => [
    needs[0] ? unbroadcast(g, dy, a.shape) : undefined,
    needs[1] ? unbroadcast(g, dy, b.shape) : undefined,
  ],
  Sub: (g, { inputs: [a, b] }, dy, needs) => [
    needs[0] ? unbroadcast(g, dy, a.shape) : undefined,
    needs[1] ? unbroadcast(g, g.neg(dy), b.shape) : undefined,
  ],
  Mul: (g, { inputs: [a, b] }, dy, needs) => [
    needs[0] ? unbroadcast(g, g.mul(dy, b), a.shape) : undefined,
    needs[1] ? unbroadcast(g, g.mul(dy, a), b.shape) : undefined,
  ],
  Div: (g, { inputs: [a, b], outputs: [y] }, dy, needs) => [
    needs[0] ? unbroadcast(g, g.div(dy, b), a.shape) : undefined,
    needs[1] ? unbroadcast(g, g.neg(g.div(g.mul(dy, y), b)), b.shape) : undefined,
  ],
  // d/db uses ln a: only asked for when the exponent depends on a differentiated value.
  Pow: (g, { inputs: [a, b], outputs: [y] }, dy, needs) => [
    needs[0] ? unbroadcast(g, g.mul(dy, g.mul(b, g.pow(a, g.sub(b, g.scalar(1))))), a.shape) : undefined,
    needs[1] ? unbroadcast(g, g.mul(dy, g.mul(y, g.log(a))), b.shape) : undefined,
  ],
  Neg: (g, _node, dy) => [g.neg(dy)],
  Sqrt: (g, { outputs: [y] }, dy) => [g.div(g.scale(dy, 0.5), y)],
  Reciprocal: (g, { outputs: [y] }, dy) => [g.neg(g.mul(dy, g.mul(y, y)))],
  Exp: (g, { outputs: [y] }, dy) => [g.mul(dy, y)],
  Log: (g, { inputs: [x] }, dy) => [g.div(dy, x)],
  Abs: (g, { inputs: [x] }, dy) => [g.mul(dy, g.sign(x))],
  Relu: (g, { outputs: [y] }, dy) => [g.mul(dy, step(g, y))], // step(relu(x)) is step(x)
  Sigmoid: (g, { outputs: [y] }, dy) => [g.mul(dy, g.mul(y, g.sub(g.scalar(1), y)))],
  Tanh: (g, { outputs: [y] }, dy) => [g.mul(dy, g.sub(g.scalar(1), g.mul(y, y)))],
  Identity: (_g, _node, dy) => [dy],
  Sign: () => [undefined], // zero almost everywhere: the step masks above rely on it
  LeakyRelu: (g, { inputs: [x], attributes }, dy) => {
    const alpha = attributes.alpha as number;
    return [g.mul(dy, g.add(g.scalar(alpha), g.scale(step(g, x), 1 - alpha)))]; // alpha where x ≤ 0, else 1
  },
  Greater: () => [undefined, undefined], // a comparison: zero almost everywhere, as Sign
  MatMul: (g, { inputs: [a, b] }, dy, needs) => [
    needs[0] ? unbroadcast(g, g.matMul(dy, swapLast(g, b)), a.shape) : undefined,
    needs[1] ? unbroadcast(g, g.matMul(swapLast(g, a), dy), b.shape) : undefined,
  ],
  Conv: (g, { inputs: [x, w], attributes }, dy, needs) => {
    const c = convAttributes(attributes);
    let dx: Tensor | undefined;
    const [outChannels, , kh, kw] = w.shape;
    const pointwise = kh === 1 && kw === 1 && c.group === 1 && c.strides.every((s) => s === 1) &&
      c.pads.every((p) => p === 0);
    if (needs[0] && pointwise) {
      // A 1×1 conv is a product over channels: dx = wᵀ·dy, with the transpose left to ONNX Runtime's MatMul
      // (its Transpose of the [O, C] kernel, what the flipped-kernel Conv needs, took 2 ms per 512×1024).
      const [n, , h, width] = dy.shape;
      const kernel = g.transpose(g.reshape(w, [outChannels, x.shape[1]]), [1, 0]); // [C, O]
      dx = g.reshape(g.matMul(kernel, g.reshape(dy, [n, outChannels, h * width])), x.shape); // [N, C, H, W]
    } else if (needs[0] && c.strides.every((s) => s === 1) && flippedPads(c, w.shape).every((p) => p >= 0)) {
      // Stride 1: dx is a plain Conv of dy with the flipped, transposed kernel. ONNX Runtime's ConvTranspose
      // (GEMM + col2im) took 2.5–3× the time of the same MACs as a Conv (church-256 training step profile).
      dx = g.conv(dy, flippedTransposedKernel(g, w, c.group), {
        pads: flippedPads(c, w.shape),
        dilations: c.dilations,
        group: c.group,
      });
    } else if (needs[0]) {
      const [, , kh, kw] = w.shape;
      const full = (axis: number, k: number) =>
        c.strides[axis] * (dy.shape[2 + axis] - 1) + (k - 1) * c.dilations[axis] + 1 - c.pads[axis] -
        c.pads[axis + 2];
      dx = g.convTranspose(dy, w, {
        ...c,
        outputPadding: [x.shape[2] - full(0, kh), x.shape[3] - full(1, kw)],
      });
    }
    return [dx, needs[1] ? convWeightGradient(g, x, dy, w.shape, c) : undefined];
  },
  // ConvTranspose(x, w) is the adjoint of Conv(·, w): dx = Conv(dy, w), and w's gradient is Conv's weight
  // gradient with dy as the input and x as the output gradient.
  ConvTranspose: (g, { inputs: [x, w], attributes }, dy, needs) => {
    const c = convAttributes(attributes);
    return [
      needs[0] ? g.conv(dy, w, c) : undefined,
      needs[1] ? convWeightGradient(g, dy, x, w.shape, c) : undefined,
    ];
  },
  Reshape: (g, { inputs: [x] }, dy) => [g.reshape(dy, x.shape)],
  Transpose: (g, { attributes }, dy) => {
    const perm = attributes.perm as number[];
    const inverse = perm.map((_, i) => perm.indexOf(i));
    return [g.transpose(dy, inverse)];
  },
  ReduceSum: (g, { inputs: [x], attributes }, dy) => [g.expand(keptDims(g, dy, x, attributes), x.shape)],
  ReduceMean: (g, { inputs: [x], attributes, outputs: [y] }, dy) => [
    g.expand(g.scale(keptDims(g, dy, x, attributes), y.size / x.size), x.shape),
  ],
  ReduceMax: (g, { inputs: [x], attributes, outputs: [y] }, dy) => {
    const axes = reductionAxes(attributes, x.rank);
    const max = keptDims(g, y, x, attributes);
    const mask = g.sub(g.scalar(1), g.sign(g.sub(max, x))); // 1 where x is the max (max − x ≥ 0)
    const share = g.div(keptDims(g, dy, x, attributes), g.reduceSum(mask, axes, true));
    return [g.mul(mask, share)];
  },
  Concat: (g, { inputs, attributes }, dy, needs) => {
    const axis = normalize(attributes.axis as number, dy.rank);
    let start = 0;
    return inputs.map((t, i) => {
      const begin = start;
      start += t.shape[axis];
      return needs[i] ? g.slice(dy, [axis], [begin], [start]) : undefined;
    });
  },
  // The adjoint of a slice scatters dy into zeros: steps > 1 interleave zeros with a pad on a new axis.
  Slice: (g, { inputs: [x], attributes }, dy) => {
    const axes = (attributes.axes as number[]).map((a) => normalize(a, x.rank));
    const starts = attributes.starts as number[];
    const steps = (attributes.steps as number[] | undefined) ?? axes.map(() => 1);
    let grad = dy;
    axes.forEach((axis, i) => {
      const dim = x.shape[axis];
      const clamp = (v: number) => Math.min(Math.max(v < 0 ? v + dim : v, 0), dim);
      const begin = clamp(starts[i]);
      const count = grad.shape[axis];
      const step = steps[i];
      if (step > 1 && count > 0) {
        const split = [...grad.shape.slice(0, axis), count, 1, ...grad.shape.slice(axis + 1)];
        const spread = padAxis(g, g.reshape(grad, split), axis + 1, 0, step - 1);
        const merged = [...grad.shape.slice(0, axis), count * step, ...grad.shape.slice(axis + 1)];
        grad = g.reshape(spread, merged);
      }
      grad = padAxis(g, grad, axis, begin, dim - begin - grad.shape[axis]);
    });
    return [grad];
  },
  Expand: (g, { inputs: [x] }, dy) => [unbroadcast(g, dy, x.shape)],
  // Negated pads undo a pad (crop) and a crop (zero pad) alike.
  Pad: (g, { attributes }, dy) => [g.pad(dy, (attributes.pads as number[]).map((p) => -p), 0)],
  // A fixed resize is linear and separable: y = A_h · x · A_wᵀ per channel, so dx = A_hᵀ · dy · A_w.
  Resize: (g, { inputs: [x], outputs: [y], attributes }, dy) => {
    const mode = attributes.mode as string;
    const coordinates = attributes.coordinate_transformation_mode as string;
    const [, , h, w] = x.shape;
    const [, , oh, ow] = y.shape;
    const heightT = g.constant(
      transposed(resizeMatrix(h, oh, mode, coordinates), oh, h),
      [h, oh],
      "resize_h",
    );
    const width = g.constant(resizeMatrix(w, ow, mode, coordinates), [ow, w], "resize_w");
    return [g.matMul(g.matMul(heightT, dy), width)];
  },
  InstanceNormalization: (g, { inputs: [x, scale], attributes }, dy, needs) => {
    const epsilon = (attributes.epsilon as number | undefined) ?? 1e-5;
    const spatial = range(x.rank - 2).map((i) => i + 2);
    const channelShape = x.shape.map((d, i) => (i === 1 ? d : 1));
    const centered = g.sub(x, g.reduceMean(x, spatial, true));
    const variance = g.reduceMean(g.mul(centered, centered), spatial, true);
    const inverse = g.reciprocal(g.sqrt(g.add(variance, g.scalar(epsilon))));
    const normalized = g.mul(centered, inverse);
    const perChannel = (t: Tensor) => g.reshape(g.reduceSum(t, [0, ...spatial], true), [x.shape[1]]);
    let dx: Tensor | undefined;
    if (needs[0]) {
      const dNormalized = g.mul(dy, g.reshape(scale, channelShape));
      const meanGrad = g.reduceMean(dNormalized, spatial, true);
      const projection = g.mul(normalized, g.reduceMean(g.mul(dNormalized, normalized), spatial, true));
      dx = g.mul(inverse, g.sub(g.sub(dNormalized, meanGrad), projection));
    }
    return [
      dx,
      needs[1] ? perChannel(g.mul(dy, normalized)) : undefined,
      needs[2] ? perChannel(dy) : undefined,
    ];
  },
  // Each output spreads dy / (its window's in-bounds count) over its window: a depthwise ConvTranspose with ones.
  AveragePool: (g, { inputs: [x], outputs: [y], attributes }, dy) => {
    const [, channels, h, w] = x.shape;
    const [, , oh, ow] = y.shape;
    const kernel = attributes.kernel_shape as number[];
    const strides = (attributes.strides as number[] | undefined) ?? [1, 1];
    const pads = (attributes.pads as number[] | undefined) ?? [0, 0, 0, 0];
    const counts = new Float32Array(oh * ow);
    const inside = (o: number, axis: number, size: number) => {
      const begin = o * strides[axis] - pads[axis];
      return Math.min(begin + kernel[axis], size) - Math.max(begin, 0);
    };
    for (let i = 0; i < oh; i++) {
      for (let j = 0; j < ow; j++) counts[i * ow + j] = 1 / (inside(i, 0, h) * inside(j, 1, w));
    }
    const weighted = g.mul(dy, g.constant(counts, [1, 1, oh, ow], "pool_inverse_counts"));
    const ones = g.constant(new Float32Array(channels * kernel[0] * kernel[1]).fill(1), [
      channels,
      1,
      kernel[0],
      kernel[1],
    ], "pool_window");
    const full = (axis: number, o: number) =>
      strides[axis] * (o - 1) + kernel[axis] - pads[axis] - pads[axis + 2];
    return [g.convTranspose(weighted, ones, {
      strides,
      pads,
      group: channels,
      outputPadding: [h - full(0, oh), w - full(1, ow)],
    })];
  },
  DynamicQuantizeLinear: inferenceOnly("DynamicQuantizeLinear"),
  MatMulInteger: inferenceOnly("MatMulInteger"),
  // From bool (a comparison, the step masks) there is nothing to differentiate; any other Cast is inference-only.
  Cast: (g, node, dy, needs) =>
    node.inputs[0].dtype === "bool" ? [undefined] : inferenceOnly("Cast")(g, node, dy, needs),
  Gather: inferenceOnly("Gather"),
} satisfies Record<OpName, GradientRule>;

// ---------------------------------------------------------------- helpers

interface ConvAttributes {
  strides: number[];
  pads: number[];
  dilations: number[];
  group: number;
}

function convAttributes(attributes: Readonly<Record<string, AttributeValue>>): ConvAttributes {
  return {
    strides: [...((attributes.strides as number[] | undefined) ?? [1, 1])],
    pads: [...((attributes.pads as number[] | undefined) ?? [0, 0, 0, 0])],
    dilations: [...((attributes.dilations as number[] | undefined) ?? [1, 1])],
    group: (attributes.group as number | undefined) ?? 1,
  };
}

/** Largest patch tensor (floats) that {@linkcode convWeightGradient} builds at once: 2²² floats = 16 MiB. */
const PATCH_FLOATS = 1 << 22;

/**
 * Gradient of Conv(input, w) w.r.t. w [O, C/g, kh, kw], given outGrad [N, O, OH, OW], as matrix products:
 * for each kernel offset (i, j) the input window it sees is a strided slice of the padded input, and
 * dW[:, :, i, j] = Σ_n outGrad[n] · window[n]ᵀ per group. Offsets are stacked into patches
 * [N, g, (C/g)·m, OH·OW] (m offsets at a time, at most {@linkcode PATCH_FLOATS} floats, so that a large layer's
 * im2col does not add to the backward pass's peak memory), multiplied by outGrad [N, g, O/g, OH·OW] (one batched
 * MatMul, transposed operand fused by ONNX Runtime), summed over N.
 *
 * This replaced a convolution over the batch axis (batch and channel axes swapped, outGrad as an OH×OW
 * kernel): ONNX Runtime re-packed outGrad once per input channel there and reached 7 GFLOP/s; the MatMul form
 * runs the same MACs as one well-shaped GEMM per group (mini training step: backward ÷ forward 3.3 → 1.5–1.9).
 * The same function gives ConvTranspose's weight gradient (input = its output gradient, outGrad = its input).
 */
function convWeightGradient(
  g: GraphBuilder,
  input: Tensor,
  outGrad: Tensor,
  weightShape: readonly number[],
  c: ConvAttributes,
): Tensor {
  const [n, channels, h, w] = input.shape;
  const [, outChannels, oh, ow] = outGrad.shape;
  const [, inPerGroup, kh, kw] = weightShape;
  const groups = c.group;
  const outPerGroup = outChannels / groups;
  const length = oh * ow;
  // Batch > 1: either one product per sample summed afterwards ([N, O, (C/g)·k²] partial sums), or the batch
  // moved next to the spatial axes (one transposed copy of the patches and of outGrad) so that the product
  // contracts over N·L at once. The second wins when the partial sums outweigh the copies (deep, small layers).
  const fold = n > 1 && n * outChannels * inPerGroup * kh * kw > input.size + outGrad.size;
  const [batch, span] = fold ? [1, n * length] : [n, length];
  const dy = fold
    ? g.reshape(g.transpose(g.reshape(outGrad, [n, groups, outPerGroup, length]), [1, 2, 0, 3]), [
      1,
      groups,
      outPerGroup,
      span,
    ]) // [1, g, O/g, N·L]
    : g.reshape(outGrad, [n, groups, outPerGroup, length]); // [N, g, O/g, L]
  // The reach of the conv's windows: the one-hot Conv below yields exactly oh × ow positions from it.
  const [hEnd, wEnd] = [
    c.strides[0] * (oh - 1) + c.dilations[0] * (kh - 1) + 1 - c.pads[0],
    c.strides[1] * (ow - 1) + c.dilations[1] * (kw - 1) + 1 - c.pads[1],
  ];
  // Drop input rows/columns past the last window (a ConvTranspose's output padding), and pad what the
  // window reaches beyond the input, so that the Conv's own arithmetic gives oh × ow.
  const cropped = hEnd < h || wEnd < w
    ? g.slice(input, [2, 3], [0, 0], [Math.min(h, hEnd), Math.min(w, wEnd)])
    : input;
  const pads = [c.pads[0], c.pads[1], Math.max(0, hEnd - h), Math.max(0, wEnd - w)];
  const offsets = Array.from({ length: kh * kw }, (_, k) => [Math.floor(k / kw), k % kw]);
  const perChunk = Math.max(1, Math.min(offsets.length, Math.floor(PATCH_FLOATS / (n * channels * length))));
  const chunks: Tensor[] = [];
  for (let begin = 0; begin < offsets.length; begin += perChunk) {
    const chunk = offsets.slice(begin, begin + perChunk);
    const m = chunk.length;
    // im2col as one depthwise Conv with 0/1 kernels: output channel c·m + t is input channel c seen through
    // kernel offset t (exact: each output is one input value times 1). Was a strided Slice per offset + Concat.
    const select = new Float32Array(channels * m * kh * kw);
    for (let ch = 0; ch < channels; ch++) {
      chunk.forEach(([i, j], t) => (select[((ch * m + t) * kh + i) * kw + j] = 1));
    }
    // A 1×1 stride-1 conv without padding sees the input itself: no unfolding (church-256: its one such unfold, a
    // copy of [1, 128, 256, 256], took 8.8 ms per step).
    const identity = kh === 1 && kw === 1 && c.strides.every((s) => s === 1) && pads.every((p) => p === 0);
    const unfolded = identity
      ? cropped
      : g.conv(cropped, g.constant(select, [channels * m, 1, kh, kw], "im2col"), {
        strides: c.strides,
        pads,
        dilations: c.dilations,
        group: channels,
      }); // [N, C·m, OH, OW]
    const patches = fold
      ? g.reshape(
        g.transpose(g.reshape(unfolded, [n, groups, inPerGroup * m, length]), [1, 2, 0, 3]),
        [1, groups, inPerGroup * m, span],
      ) // [1, g, (C/g)·m, N·L]
      : g.reshape(unfolded, [n, groups, inPerGroup * m, length]); // [N, g, (C/g)·m, L]
    let product = g.matMul(dy, swapLast(g, patches)); // [batch', g, O/g, (C/g)·m]
    if (batch > 1) product = g.reduceSum(product, [0], false);
    chunks.push(g.reshape(product, [outChannels, inPerGroup, m])); // [O, C/g, m]
  }
  return g.reshape(g.concat(chunks, 2), weightShape); // [O, C/g, kh, kw]
}

/** Pads of the Conv that computes a stride-1 Conv's input gradient: d·(k − 1) − p on each side. */
function flippedPads(c: ConvAttributes, weightShape: readonly number[]): number[] {
  const [, , kh, kw] = weightShape;
  const reach = [c.dilations[0] * (kh - 1), c.dilations[1] * (kw - 1)];
  return c.pads.map((p, i) => reach[i % 2] - p);
}

/**
 * w [O, C/g, kh, kw] → w' [C, O/g, kh, kw] with w'[g·C/g + c, o, i, j] = w[g·O/g + o, c, kh−1−i, kw−1−j]: the
 * kernel of the Conv that is the adjoint of a stride-1 Conv. The spatial flip reverses the flattened kh·kw
 * index, a MatMul with an exact 0/1 permutation (every rule stays differentiable; the op set has no Gather).
 */
function flippedTransposedKernel(g: GraphBuilder, w: Tensor, groups: number): Tensor {
  const [outChannels, inPerGroup, kh, kw] = w.shape;
  const taps = kh * kw;
  const outPerGroup = outChannels / groups;
  let kernel = g.reshape(w, [groups, outPerGroup, inPerGroup, taps]);
  if (taps > 1) {
    const reverse = new Float32Array(taps * taps);
    for (let k = 0; k < taps; k++) reverse[k * taps + (taps - 1 - k)] = 1;
    kernel = g.matMul(kernel, g.constant(reverse, [taps, taps], "kernel_flip"));
  }
  const swapped = outPerGroup === 1 || inPerGroup === 1 ? kernel : g.transpose(kernel, [0, 2, 1, 3]);
  return g.reshape(swapped, [groups * inPerGroup, outPerGroup, kh, kw]); // [C, O/g, kh, kw]
}

/**
 * 1 where x > 0, else 0 (Relu'(0) = 0, as in PyTorch): sign(relu(x)), two elementwise passes (it was
 * (sign + |sign|) / 2, four).
 */
/**
 * 1 where x > 0, else 0 (float): Cast(Greater(x, 0)), whose gradient is zero. ONNX Runtime's Sign is not
 * vectorised: the Sign(Relu(x)) this replaced took 14 ms on 8 M values where Greater + Cast take 8 ms.
 */
function step(g: GraphBuilder, x: Tensor): Tensor {
  return g.cast(g.greater(x, g.scalar(0)), "float32");
}

function swapLast(g: GraphBuilder, t: Tensor): Tensor {
  const perm = range(t.rank);
  [perm[t.rank - 2], perm[t.rank - 1]] = [perm[t.rank - 1], perm[t.rank - 2]];
  return g.transpose(t, perm);
}

function reductionAxes(attributes: Readonly<Record<string, AttributeValue>>, rank: number): number[] {
  return (attributes.axes as number[]).map((a) => normalize(a, rank));
}

/** A reduction's output (or its gradient) reshaped to keepdims form, so that it broadcasts against x. */
function keptDims(
  g: GraphBuilder,
  t: Tensor,
  x: Tensor,
  attributes: Readonly<Record<string, AttributeValue>>,
): Tensor {
  const axes = reductionAxes(attributes, x.rank);
  return g.reshape(t, x.shape.map((d, i) => (axes.includes(i) ? 1 : d)));
}

function padAxis(g: GraphBuilder, t: Tensor, axis: number, begin: number, end: number): Tensor {
  if (begin === 0 && end === 0) return t;
  const pads = new Array(2 * t.rank).fill(0);
  pads[axis] = begin;
  pads[axis + t.rank] = end;
  return g.pad(t, pads, 0);
}

/**
 * The [outSize, inSize] matrix of a 1-D ONNX Resize (opset 17 rules with `sizes`: scale = out/in; linear
 * clamps the source coordinate to [0, in − 1]; nearest rounds half down, `round_prefer_floor`).
 */
export function resizeMatrix(
  inSize: number,
  outSize: number,
  mode: string,
  coordinates: string,
): Float32Array {
  const matrix = new Float32Array(outSize * inSize);
  const scale = outSize / inSize;
  for (let o = 0; o < outSize; o++) {
    let source: number;
    if (coordinates === "align_corners") source = outSize === 1 ? 0 : (o * (inSize - 1)) / (outSize - 1);
    else if (coordinates === "asymmetric") source = o / scale;
    else if (coordinates === "half_pixel") source = (o + 0.5) / scale - 0.5;
    else throw new TypeError(`Resize gradient: unsupported coordinate_transformation_mode ${coordinates}`);
    if (mode === "nearest") {
      const index = Math.min(Math.max(Math.ceil(source - 0.5), 0), inSize - 1);
      matrix[o * inSize + index] = 1;
    } else if (mode === "linear") {
      const clamped = Math.min(Math.max(source, 0), inSize - 1);
      const low = Math.floor(clamped);
      const high = Math.min(low + 1, inSize - 1);
      const frac = clamped - low;
      matrix[o * inSize + low] += 1 - frac;
      matrix[o * inSize + high] += frac;
    } else throw new TypeError(`Resize gradient: unsupported mode ${mode}`);
  }
  return matrix;
}

function transposed(matrix: ConstantData, rows: number, cols: number): Float32Array {
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) out[c * rows + r] = matrix[r * cols + c] as number;
  }
  return out;
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

function normalize(axis: number, rank: number): number {
  return axis < 0 ? axis + rank : axis;
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}
