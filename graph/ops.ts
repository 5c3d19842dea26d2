/**
 * The op set of the IR: a deliberately small list, one entry per op, each with its documentation, its
 * attribute types and its static shape rule. Every higher-level operation (modulated conv, FIR filters,
 * demodulation, the layers' activations…) is composed of these, so the gradient rules of `graph/` need one rule per entry.
 *
 * IR nodes keep every static operand as an attribute (a reshape's target shape, a reduction's axes, a slice's
 * bounds, a resize's output size). The ONNX writer turns those into the int64 constant inputs ONNX expects.
 *
 * | op | inputs | attributes | meaning |
 * |---|---|---|---|
 * | Add Sub Mul Div Pow | a, b | | elementwise with NumPy broadcasting |
 * | Neg Sqrt Reciprocal Exp Log Abs Relu Sigmoid Tanh Identity | x | | elementwise |
 * | Sign | x | | elementwise −1, 0 or 1 (float); its gradient is zero (the step masks of the gradient rules) |
 * | LeakyRelu | x | alpha (float) | x ≥ 0 ? x : alpha·x |
 * | Greater | a, b | | a > b elementwise, bool, with broadcasting; no gradient (the step masks of the gradient rules) |
 * | MatMul | a, b | | batched matrix product, NumPy broadcasting of batch dims, ranks ≥ 2 |
 * | Conv | x [N,C,H,W], w [O,C/g,kh,kw] | strides, pads [t,l,b,r], dilations, group | 2-D cross-correlation |
 * | ConvTranspose | x [N,C,H,W], w [C,O/g,kh,kw] | strides, pads, dilations, group, output_padding | adjoint of Conv |
 * | Reshape | x | shape (fully static, no −1 or 0) | row-major reshape |
 * | Transpose | x | perm | axis permutation |
 * | ReduceSum ReduceMean ReduceMax | x | axes, keepdims (0/1) | reductions |
 * | Concat | xs… | axis | concatenation |
 * | Slice | x | starts, ends, axes, steps | strided slice |
 * | Expand | x | shape | broadcast to a shape |
 * | Pad | x | pads [b0…, e0…], value (float) | constant padding |
 * | Resize | x [N,C,H,W] | sizes, mode ("linear"/"nearest"), coordinate_transformation_mode | resampling |
 * | InstanceNormalization | x, scale [C], bias [C] | epsilon (float) | per-sample, per-channel normalisation |
 * | AveragePool | x | kernel_shape, strides, pads | mean pooling (no padding counted) |
 * | DynamicQuantizeLinear | x (float32) | | uint8 q, scale [], zero point [] (uint8) of x's range ∪ {0}; inference only |
 * | MatMulInteger | a (uint8) [M, K], b (int8) [K, N], a zero point [] | | int32 Σ (a − zp)·b; inference only |
 * | Cast | x | to (an ONNX dtype code) | element type conversion; inference only, except from bool (a mask) |
 * | Gather | data, indices (int32/int64) | axis | data's slices at the indices along axis; inference only |
 *
 * @module
 */

import { type DType, formatShape, ONNX_DTYPE_CODE, type TensorType } from "./tensor.ts";

/** An attribute value: ints, floats (declared in the op's `floatAttributes`), or a string. */
export type AttributeValue = number | readonly number[] | string;

/** Attributes of one node. */
export type Attributes = Readonly<Record<string, AttributeValue>>;

/**
 * The op set: every ONNX op type the IR knows, in the order of the table above. {@linkcode OP_SET} (the shape
 * rules) and `GRADIENT_RULES` (graph/gradients.ts) are checked against this list by the compiler: adding a name
 * here without a shape rule and a gradient rule, or a rule without a name, fails `deno check`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { OP_NAMES } from "./ops.ts";
 * assert.equal(OP_NAMES.length, 37);
 * assert.ok(OP_NAMES.includes("Conv"));
 * ```
 */
export const OP_NAMES = [
  "Add",
  "Sub",
  "Mul",
  "Div",
  "Pow",
  "Neg",
  "Sqrt",
  "Reciprocal",
  "Exp",
  "Log",
  "Abs",
  "Relu",
  "Sigmoid",
  "Tanh",
  "Identity",
  "Sign",
  "LeakyRelu",
  "Greater",
  "MatMul",
  "Conv",
  "ConvTranspose",
  "Reshape",
  "Transpose",
  "ReduceSum",
  "ReduceMean",
  "ReduceMax",
  "Concat",
  "Slice",
  "Expand",
  "Pad",
  "Resize",
  "InstanceNormalization",
  "AveragePool",
  "DynamicQuantizeLinear",
  "MatMulInteger",
  "Cast",
  "Gather",
] as const;

/** An op of the op set (`"NotAnOp"` does not type-check). */
export type OpName = typeof OP_NAMES[number];

/**
 * Whether a string names an op of the op set (for names that come from outside the type system).
 *
 * @param name a candidate op type
 * @returns true when `name` is in {@linkcode OP_NAMES}
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isOpName } from "./ops.ts";
 * assert.equal(isOpName("Conv"), true);
 * assert.equal(isOpName("NotAnOp"), false);
 * ```
 */
export function isOpName(name: string): name is OpName {
  return (OP_NAMES as readonly string[]).includes(name);
}

/** What a shape rule sees of a node: its name (for messages), its input types and its attributes. */
export interface NodeSignature {
  /** The op. */
  readonly op: OpName;
  /** The node's name, for messages. */
  readonly name: string;
  /** The input types, in the op's order. */
  readonly inputs: readonly TensorType[];
  /** The static attributes. */
  readonly attributes: Attributes;
}

/** One entry of the op set. */
export interface OpDefinition {
  /** One line saying what the op computes. */
  readonly summary: string;
  /** Number of tensor inputs, or `"variadic"`. */
  readonly arity: number | "variadic";
  /** Attributes written as ONNX FLOAT(S) (the others are INT(S) or STRING). */
  readonly floatAttributes?: readonly string[];
  /**
   * IR attributes that ONNX takes as int64 inputs, in input order after the tensor inputs; an empty string
   * stands for an omitted optional input (e.g. Resize's `roi` and `scales`).
   */
  readonly attributesAsInputs?: readonly string[];
  /** The static shape rule: output types from input types and attributes. Throws TypeError on mismatch. */
  infer(node: NodeSignature): TensorType[];
}

/** Error for a node whose input types do not fit, naming the node and the shapes. */
export function shapeError(node: NodeSignature, message: string): TypeError {
  const shapes = node.inputs.map((t) => formatShape(t.shape)).join(" and ");
  return new TypeError(`${node.op} "${node.name}": ${message} (inputs ${shapes})`);
}

function ints(node: NodeSignature, key: string, fallback?: readonly number[]): readonly number[] {
  const value = node.attributes[key] ?? fallback;
  if (!Array.isArray(value) || !value.every((v) => Number.isInteger(v))) {
    throw shapeError(node, `attribute ${key} must be a list of integers, got ${JSON.stringify(value)}`);
  }
  return value;
}

function int(node: NodeSignature, key: string, fallback?: number): number {
  const value = node.attributes[key] ?? fallback;
  if (typeof value !== "number" || !Number.isInteger(value)) {
    throw shapeError(node, `attribute ${key} must be an integer, got ${JSON.stringify(value)}`);
  }
  return value;
}

function normalizeAxis(node: NodeSignature, axis: number, rank: number): number {
  if (axis < -rank || axis >= rank) throw shapeError(node, `axis ${axis} is out of range for rank ${rank}`);
  return axis < 0 ? axis + rank : axis;
}

function sameDtype(node: NodeSignature): DType {
  const dtype = node.inputs[0].dtype;
  for (const t of node.inputs) {
    if (t.dtype !== dtype) throw shapeError(node, `mixed dtypes ${dtype} and ${t.dtype}`);
  }
  return dtype;
}

/**
 * NumPy broadcasting of two shapes.
 *
 * @param a first shape
 * @param b second shape
 * @returns the broadcast shape, or null when the shapes do not broadcast
 * @example
 * ```ts
 * import { broadcastShapes } from "./ops.ts";
 * console.log(broadcastShapes([2, 1, 4], [3, 1])); // [2, 3, 4]
 * ```
 */
export function broadcastShapes(a: readonly number[], b: readonly number[]): number[] | null {
  const rank = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    const da = a[a.length - rank + i] ?? 1;
    const db = b[b.length - rank + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) return null;
    out.push(da === 1 ? db : da);
  }
  return out;
}

const elementwiseBinary = (summary: string): OpDefinition => ({
  summary,
  arity: 2,
  infer(node) {
    const dtype = sameDtype(node);
    const shape = broadcastShapes(node.inputs[0].shape, node.inputs[1].shape);
    if (!shape) throw shapeError(node, "shapes do not broadcast");
    return [{ shape, dtype }];
  },
});

const elementwiseUnary = (summary: string, floatAttributes?: string[]): OpDefinition => ({
  summary,
  arity: 1,
  floatAttributes,
  infer(node) {
    return [{ shape: node.inputs[0].shape, dtype: node.inputs[0].dtype }];
  },
});

/**
 * The output length of a convolution along one axis (ONNX Conv's shape rule).
 *
 * @param input input length
 * @param kernel kernel length
 * @param stride stride
 * @param padBegin zero padding before
 * @param padEnd zero padding after
 * @param dilation dilation
 * @returns ⌊(input + padBegin + padEnd − dilation·(kernel − 1) − 1) / stride⌋ + 1
 *
 * @example
 * ```ts
 * import { convOutputSize } from "./ops.ts";
 * console.log(convOutputSize(8, 4, 2, 1, 1, 1)); // 4
 * ```
 */
export function convOutputSize(
  input: number,
  kernel: number,
  stride: number,
  padBegin: number,
  padEnd: number,
  dilation: number,
) {
  return Math.floor((input + padBegin + padEnd - dilation * (kernel - 1) - 1) / stride) + 1;
}

/** The common part of the Conv and ConvTranspose rules: 4-D operands of one dtype, and the attributes. */
function convSignature(node: NodeSignature) {
  const dtype = sameDtype(node);
  const [x, w] = node.inputs;
  if (x.shape.length !== 4 || w.shape.length !== 4) throw shapeError(node, "input and weight must be 4-D");
  return { dtype, x, w, ...convAttributes(node) };
}

function convAttributes(node: NodeSignature) {
  const strides = ints(node, "strides", [1, 1]);
  const pads = ints(node, "pads", [0, 0, 0, 0]);
  const dilations = ints(node, "dilations", [1, 1]);
  const group = int(node, "group", 1);
  if (strides.length !== 2 || dilations.length !== 2 || pads.length !== 4) {
    throw shapeError(node, "only 2-D convolutions are supported (strides [2], dilations [2], pads [4])");
  }
  return { strides, pads, dilations, group };
}

function reduce(summary: string): OpDefinition {
  return {
    summary,
    arity: 1,
    // Opset 17: ReduceSum takes axes as an input, ReduceMean and ReduceMax as an attribute.
    attributesAsInputs: summary.startsWith("Sum") ? ["axes"] : undefined,
    infer(node) {
      const x = node.inputs[0];
      const axes = ints(node, "axes").map((a) => normalizeAxis(node, a, x.shape.length));
      const keep = int(node, "keepdims", 1) === 1;
      const shape: number[] = [];
      x.shape.forEach((d, i) => {
        if (!axes.includes(i)) shape.push(d);
        else if (keep) shape.push(1);
      });
      return [{ shape, dtype: x.dtype }];
    },
  };
}

/**
 * The op set's definitions and shape rules, keyed by {@linkcode OpName}: `satisfies` makes a missing or an
 * unknown op a type error.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { OP_SET } from "./ops.ts";
 * const [y] = OP_SET.MatMul.infer({
 *   op: "MatMul",
 *   name: "m",
 *   inputs: [{ shape: [2, 3], dtype: "float32" }, { shape: [3, 4], dtype: "float32" }],
 *   attributes: {},
 * });
 * assert.deepEqual(y.shape, [2, 4]);
 * ```
 */
export const OP_SET: Readonly<Record<OpName, OpDefinition>> = {
  Add: elementwiseBinary("a + b"),
  Sub: elementwiseBinary("a − b"),
  Mul: elementwiseBinary("a · b"),
  Div: elementwiseBinary("a / b"),
  Pow: elementwiseBinary("a ^ b"),
  Neg: elementwiseUnary("−x"),
  Sqrt: elementwiseUnary("√x"),
  Reciprocal: elementwiseUnary("1 / x"),
  Exp: elementwiseUnary("eˣ"),
  Log: elementwiseUnary("ln x"),
  Abs: elementwiseUnary("|x|"),
  Relu: elementwiseUnary("max(x, 0)"),
  Sigmoid: elementwiseUnary("1 / (1 + e⁻ˣ)"),
  Tanh: elementwiseUnary("tanh x"),
  Identity: elementwiseUnary("x"),
  Sign: elementwiseUnary("−1, 0 or 1 by the sign of x"),
  LeakyRelu: elementwiseUnary("x ≥ 0 ? x : alpha·x", ["alpha"]),
  Greater: {
    summary: "a > b elementwise (bool)",
    arity: 2,
    infer(node) {
      sameDtype(node);
      const shape = broadcastShapes(node.inputs[0].shape, node.inputs[1].shape);
      if (!shape) throw shapeError(node, "shapes do not broadcast");
      return [{ shape, dtype: "bool" }];
    },
  },
  MatMul: {
    summary: "batched matrix product",
    arity: 2,
    infer(node) {
      const dtype = sameDtype(node);
      const [a, b] = node.inputs;
      if (a.shape.length < 2 || b.shape.length < 2) throw shapeError(node, "both operands need rank ≥ 2");
      const [m, k] = a.shape.slice(-2);
      const [k2, n] = b.shape.slice(-2);
      if (k !== k2) throw shapeError(node, `inner dimensions ${k} and ${k2} differ`);
      const batch = broadcastShapes(a.shape.slice(0, -2), b.shape.slice(0, -2));
      if (!batch) throw shapeError(node, "batch dimensions do not broadcast");
      return [{ shape: [...batch, m, n], dtype }];
    },
  },
  Conv: {
    summary: "2-D cross-correlation, NCHW",
    arity: 2,
    infer(node) {
      const { dtype, x, w, strides, pads, dilations, group } = convSignature(node);
      const [n, c, h, wi] = x.shape;
      const [o, cPerGroup, kh, kw] = w.shape;
      if (c !== cPerGroup * group) {
        throw shapeError(node, `input has ${c} channels but weight expects ${cPerGroup}·group ${group}`);
      }
      if (o % group !== 0) throw shapeError(node, `output channels ${o} are not divisible by group ${group}`);
      const oh = convOutputSize(h, kh, strides[0], pads[0], pads[2], dilations[0]);
      const ow = convOutputSize(wi, kw, strides[1], pads[1], pads[3], dilations[1]);
      if (oh <= 0 || ow <= 0) throw shapeError(node, "output would be empty");
      return [{ shape: [n, o, oh, ow], dtype }];
    },
  },
  ConvTranspose: {
    summary: "2-D transposed convolution (the adjoint of Conv), NCHW; weight [C, O/group, kh, kw]",
    arity: 2,
    infer(node) {
      const { dtype, x, w, strides, pads, dilations, group } = convSignature(node);
      const outputPadding = ints(node, "output_padding", [0, 0]);
      const [n, c, h, wi] = x.shape;
      const [cw, oPerGroup, kh, kw] = w.shape;
      if (c !== cw) throw shapeError(node, `input has ${c} channels but weight has ${cw} input channels`);
      if (c % group !== 0) throw shapeError(node, `input channels ${c} are not divisible by group ${group}`);
      const oh = strides[0] * (h - 1) + outputPadding[0] + (kh - 1) * dilations[0] + 1 - pads[0] - pads[2];
      const ow = strides[1] * (wi - 1) + outputPadding[1] + (kw - 1) * dilations[1] + 1 - pads[1] - pads[3];
      if (oh <= 0 || ow <= 0) throw shapeError(node, "output would be empty");
      return [{ shape: [n, oPerGroup * group, oh, ow], dtype }];
    },
  },
  Reshape: {
    summary: "row-major reshape to a fully static shape",
    arity: 1,
    attributesAsInputs: ["shape"],
    infer(node) {
      const x = node.inputs[0];
      const shape = ints(node, "shape");
      if (shape.some((d) => d < 0)) {
        throw shapeError(node, `target ${formatShape(shape)} must be fully static`);
      }
      const from = x.shape.reduce((p, d) => p * d, 1);
      const to = shape.reduce((p, d) => p * d, 1);
      if (from !== to) throw shapeError(node, `cannot reshape ${from} elements to ${formatShape(shape)}`);
      return [{ shape: [...shape], dtype: x.dtype }];
    },
  },
  Transpose: {
    summary: "axis permutation",
    arity: 1,
    infer(node) {
      const x = node.inputs[0];
      const perm = ints(node, "perm");
      const sorted = [...perm].sort((a, b) => a - b);
      if (perm.length !== x.shape.length || sorted.some((p, i) => p !== i)) {
        throw shapeError(node, `perm ${formatShape(perm)} is not a permutation of rank ${x.shape.length}`);
      }
      return [{ shape: perm.map((p) => x.shape[p]), dtype: x.dtype }];
    },
  },
  ReduceSum: reduce("Sum over axes"),
  ReduceMean: reduce("Mean over axes"),
  ReduceMax: reduce("Max over axes"),
  Concat: {
    summary: "concatenation along an axis",
    arity: "variadic",
    infer(node) {
      const dtype = sameDtype(node);
      const first = node.inputs[0];
      const axis = normalizeAxis(node, int(node, "axis"), first.shape.length);
      let total = 0;
      for (const t of node.inputs) {
        if (
          t.shape.length !== first.shape.length || t.shape.some((d, i) => i !== axis && d !== first.shape[i])
        ) {
          throw shapeError(node, `shapes differ outside axis ${axis}`);
        }
        total += t.shape[axis];
      }
      const shape = [...first.shape];
      shape[axis] = total;
      return [{ shape, dtype }];
    },
  },
  Slice: {
    summary: "strided slice (starts/ends clamp as in ONNX)",
    arity: 1,
    attributesAsInputs: ["starts", "ends", "axes", "steps"],
    infer(node) {
      const x = node.inputs[0];
      const starts = ints(node, "starts");
      const ends = ints(node, "ends");
      const axes = ints(node, "axes").map((a) => normalizeAxis(node, a, x.shape.length));
      const steps = ints(node, "steps", axes.map(() => 1));
      if (starts.length !== axes.length || ends.length !== axes.length || steps.length !== axes.length) {
        throw shapeError(node, "starts, ends, axes and steps must have the same length");
      }
      const shape = [...x.shape];
      axes.forEach((axis, i) => {
        const dim = x.shape[axis];
        const step = steps[i];
        if (step <= 0) throw shapeError(node, "only positive steps are supported");
        const clamp = (v: number) => Math.min(Math.max(v < 0 ? v + dim : v, 0), dim);
        const start = clamp(starts[i]);
        const end = clamp(ends[i]);
        shape[axis] = Math.max(0, Math.ceil((end - start) / step));
      });
      return [{ shape, dtype: x.dtype }];
    },
  },
  Expand: {
    summary: "broadcast to a shape",
    arity: 1,
    attributesAsInputs: ["shape"],
    infer(node) {
      const x = node.inputs[0];
      const target = ints(node, "shape");
      const shape = broadcastShapes(x.shape, target);
      if (!shape) throw shapeError(node, `cannot expand to ${formatShape(target)}`);
      return [{ shape, dtype: x.dtype }];
    },
  },
  Pad: {
    summary: "constant padding; pads = [begin of each axis…, end of each axis…] (negative crops)",
    arity: 1,
    floatAttributes: ["value"],
    attributesAsInputs: ["pads", "value"],
    infer(node) {
      const x = node.inputs[0];
      const pads = ints(node, "pads");
      const rank = x.shape.length;
      if (pads.length !== 2 * rank) throw shapeError(node, `pads must have ${2 * rank} entries`);
      const shape = x.shape.map((d, i) => d + pads[i] + pads[i + rank]);
      if (shape.some((d) => d < 0)) throw shapeError(node, `pads ${formatShape(pads)} crop below zero`);
      return [{ shape, dtype: x.dtype }];
    },
  },
  Resize: {
    summary: "resampling of the two spatial axes of NCHW to `sizes` (linear or nearest)",
    arity: 1,
    attributesAsInputs: ["", "", "sizes"],
    infer(node) {
      const x = node.inputs[0];
      const sizes = ints(node, "sizes");
      if (x.shape.length !== 4 || sizes.length !== 4) throw shapeError(node, "input and sizes must be 4-D");
      if (sizes[0] !== x.shape[0] || sizes[1] !== x.shape[1]) {
        throw shapeError(node, `only the spatial axes can be resized, sizes ${formatShape(sizes)}`);
      }
      return [{ shape: [...sizes], dtype: x.dtype }];
    },
  },
  InstanceNormalization: {
    summary: "(x − mean_hw) / √(var_hw + epsilon) · scale + bias, per sample and channel",
    arity: 3,
    floatAttributes: ["epsilon"],
    infer(node) {
      const dtype = sameDtype(node);
      const [x, scale, bias] = node.inputs;
      if (x.shape.length < 3) throw shapeError(node, "input must have rank ≥ 3");
      const c = x.shape[1];
      if (
        scale.shape.length !== 1 || scale.shape[0] !== c || bias.shape.length !== 1 || bias.shape[0] !== c
      ) {
        throw shapeError(node, `scale and bias must be [${c}]`);
      }
      return [{ shape: x.shape, dtype }];
    },
  },
  AveragePool: {
    summary: "mean pooling over windows (pads excluded from the count)",
    arity: 1,
    infer(node) {
      const x = node.inputs[0];
      const kernel = ints(node, "kernel_shape");
      const strides = ints(node, "strides", kernel.map(() => 1));
      const pads = ints(node, "pads", [0, 0, 0, 0]);
      if (x.shape.length !== 4 || kernel.length !== 2) {
        throw shapeError(node, "only 2-D pooling is supported");
      }
      const [n, c, h, w] = x.shape;
      const oh = convOutputSize(h, kernel[0], strides[0], pads[0], pads[2], 1);
      const ow = convOutputSize(w, kernel[1], strides[1], pads[1], pads[3], 1);
      return [{ shape: [n, c, oh, ow], dtype: x.dtype }];
    },
  },
  DynamicQuantizeLinear: {
    summary: "uint8 quantization of a float32 tensor over its range (with 0), and its scale and zero point",
    arity: 1,
    infer(node) {
      const x = node.inputs[0];
      if (x.dtype !== "float32") throw shapeError(node, `input must be float32, got ${x.dtype}`);
      return [{ shape: x.shape, dtype: "uint8" }, { shape: [], dtype: "float32" }, {
        shape: [],
        dtype: "uint8",
      }];
    },
  },
  MatMulInteger: {
    summary: "int32 matrix product of uint8 a (minus its zero point) and int8 b",
    arity: 3,
    infer(node) {
      const [a, b, zeroPoint] = node.inputs;
      if (a.dtype !== "uint8" || b.dtype !== "int8" || zeroPoint.dtype !== "uint8") {
        throw shapeError(
          node,
          `expects uint8 a, int8 b, uint8 zero point; got ${a.dtype}, ${b.dtype}, ${zeroPoint.dtype}`,
        );
      }
      if (a.shape.length !== 2 || b.shape.length !== 2) throw shapeError(node, "both operands must be 2-D");
      if (zeroPoint.shape.length !== 0) throw shapeError(node, "the zero point must be a scalar");
      if (a.shape[1] !== b.shape[0]) {
        throw shapeError(node, `inner dimensions ${a.shape[1]} and ${b.shape[0]} differ`);
      }
      return [{ shape: [a.shape[0], b.shape[1]], dtype: "int32" }];
    },
  },
  Cast: {
    summary: "converts the element type",
    arity: 1,
    infer(node) {
      const code = int(node, "to");
      const dtype = (Object.keys(ONNX_DTYPE_CODE) as DType[]).find((d) => ONNX_DTYPE_CODE[d] === code);
      if (!dtype) throw shapeError(node, `unknown target dtype code ${code}`);
      return [{ shape: node.inputs[0].shape, dtype }];
    },
  },
  Gather: {
    summary: "the slices of data at the given indices along an axis (ONNX Gather)",
    arity: 2,
    infer(node) {
      const [data, indices] = node.inputs;
      if (indices.dtype !== "int64" && indices.dtype !== "int32") {
        throw shapeError(node, `indices must be int32 or int64, got ${indices.dtype}`);
      }
      const axis = normalizeAxis(node, int(node, "axis", 0), data.shape.length);
      return [{
        shape: [...data.shape.slice(0, axis), ...indices.shape, ...data.shape.slice(axis + 1)],
        dtype: data.dtype,
      }];
    },
  },
} satisfies Record<OpName, OpDefinition>;
