/**
 * The graph builder: modules are functions that call its methods to add nodes. Every method checks shapes
 * and dtypes when it is called, so a mismatch is reported at build time, naming the node and the shapes.
 *
 * @module
 */

import { type Attributes, type AttributeValue, isOpName, OP_NAMES, OP_SET, type OpName } from "./ops.ts";
import {
  assertValidShape,
  type DType,
  dtypeOfArray,
  formatShape,
  numel,
  ONNX_DTYPE_CODE,
  Tensor,
  type TensorOrigin,
} from "./tensor.ts";

/** A node of the IR: an op from {@linkcode OP_SET}, its tensor inputs and outputs, and static attributes. */
export interface GraphNode {
  /** The op, one of the op set. */
  readonly op: OpName;
  /** Unique node name, scoped (`synthesis/b8/conv1/Conv_12`). */
  readonly name: string;
  /** Tensor inputs, in the op's order. */
  readonly inputs: readonly Tensor[];
  /** Output tensors (one for every op of the set). */
  readonly outputs: readonly Tensor[];
  /** Static attributes (frozen). */
  readonly attributes: Attributes;
}

/** Host data of a constant or an initializer. */
export type ConstantData = Float32Array | Int32Array | BigInt64Array | Uint8Array | Int8Array | Uint16Array;

/** Options of {@linkcode GraphBuilder.conv}. */
export interface ConvOptions {
  /** Strides [h, w]; default [1, 1]. */
  strides?: readonly number[];
  /** Paddings [top, left, bottom, right]; default zeros. A single number pads all four sides. */
  pads?: readonly number[] | number;
  /** Dilations [h, w]; default [1, 1]. */
  dilations?: readonly number[];
  /** Number of groups; default 1. */
  group?: number;
}

/** Options of {@linkcode GraphBuilder.convTranspose}. */
export interface ConvTransposeOptions extends ConvOptions {
  /** Extra output size at the end of each spatial axis; default [0, 0]. */
  outputPadding?: readonly number[];
}

/**
 * How a parameter starts when a trainer seeds it (a module declares it; the trainer draws the values):
 * - `fanIn`: uniform in ±gain·√(3 / fanIn), fanIn = size / shape[0] (LeCun-uniform at gain 1);
 * - `uniform`: uniform in ±scale;
 * - `constant`: every element `value` (0 for biases).
 *
 * A parameter without a declared init (and outside {@linkcode GraphBuilder.initScope}) gets the trainer's
 * default: `fanIn` with gain 1 for weights, 0 for biases, 1 for normalisation scales (see the trainer).
 */
export type ParameterInit =
  | { readonly kind: "fanIn"; readonly gain: number }
  | { readonly kind: "uniform"; readonly scale: number }
  | { readonly kind: "constant"; readonly value: number };

/** Options of {@linkcode GraphBuilder.parameter}. */
export interface ParameterOptions {
  /** How the parameter starts (default: the enclosing {@linkcode GraphBuilder.initScope}'s, else the trainer's). */
  init?: ParameterInit;
}

function checkInit(init: ParameterInit, name: string): ParameterInit {
  const number = init.kind === "fanIn"
    ? init.gain
    : init.kind === "uniform"
    ? init.scale
    : init.kind === "constant"
    ? init.value
    : undefined;
  if (typeof number !== "number" || !Number.isFinite(number)) {
    throw new TypeError(
      `Parameter "${name}" has an invalid init ${JSON.stringify(init)}; expected { kind: "fanIn", gain }, ` +
        `{ kind: "uniform", scale } or { kind: "constant", value } with a finite number`,
    );
  }
  return Object.freeze({ ...init });
}

let nextGraphId = 1;

/**
 * Builds a graph with static shapes. Values are {@linkcode Tensor}s; inputs, parameters (named inputs that
 * may later be baked into initializers), constants and nodes are kept in insertion order.
 *
 * @example
 * ```ts
 * import { GraphBuilder } from "./builder.ts";
 * const g = new GraphBuilder("affine");
 * const x = g.input("x", [2, 4]); // [2, 4]
 * const w = g.parameter("w", [4, 3]); // [4, 3]
 * const y = g.add(g.matMul(x, w), g.scalar(1)); // [2, 3]
 * g.output(y, "y");
 * console.log(y.shape); // [2, 3]
 * ```
 */
export class GraphBuilder {
  /** Unique id of this graph; tensors carry it so that tensors of two graphs cannot be mixed. */
  readonly id = nextGraphId++;
  /** Every tensor, indexed by id. */
  readonly tensors: Tensor[] = [];
  /** Nodes in topological (insertion) order. */
  readonly nodes: GraphNode[] = [];
  /** Graph inputs that callers feed each run (data, not parameters). */
  readonly inputs: Tensor[] = [];
  /** Named parameters, fed as inputs or baked as initializers when the graph is written. */
  readonly parameters: Tensor[] = [];
  /** Constants (small, fixed data), written as initializers. */
  readonly constants = new Map<Tensor, ConstantData>();
  /** Graph outputs, in order. */
  readonly outputs: Tensor[] = [];
  private readonly names = new Set<string>();
  private readonly scopes: string[] = [];
  private readonly initScopes: ParameterInit[] = [];
  private readonly inits = new Map<string, ParameterInit>();
  private readonly producers = new Map<Tensor, GraphNode>();
  private counter = 0;

  /**
   * An empty graph.
   *
   * @param name graph name, written into the ONNX model
   */
  constructor(readonly name: string) {}

  // ---------------------------------------------------------------- values

  /**
   * Declares a data input.
   *
   * @param name unique input name
   * @param shape static shape
   * @param dtype element type (default float32)
   * @returns the input tensor
   */
  input(name: string, shape: readonly number[], dtype: DType = "float32"): Tensor {
    const t = this.newTensor(name, shape, dtype, "input", false);
    this.inputs.push(t);
    return t;
  }

  /**
   * Declares a named parameter (a weight). Its name is prefixed by the current scopes
   * (`synthesis.b8.conv0.weight`). Declaring the same name twice returns the same tensor if the shapes
   * agree, which is how layers share parameters.
   *
   * @param name parameter name, relative to the current scope
   * @param shape static shape
   * @param dtype element type (default float32)
   * @param options how it starts (`init`; recorded for trainers, see {@linkcode GraphBuilder.parameterInit})
   * @returns the parameter tensor
   * @throws {TypeError} for a shape that differs from an earlier declaration, or an invalid init
   */
  parameter(
    name: string,
    shape: readonly number[],
    dtype: DType = "float32",
    options: ParameterOptions = {},
  ): Tensor {
    const full = this.scoped(name, ".");
    const existing = this.parameters.find((p) => p.name === full);
    if (existing) {
      if (existing.shape.length !== shape.length || existing.shape.some((d, i) => d !== shape[i])) {
        throw new TypeError(
          `Parameter "${full}" is declared twice with different shapes ${formatShape(existing.shape)} and ${
            formatShape(shape)
          }`,
        );
      }
      return existing;
    }
    const t = this.newTensor(full, shape, dtype, "parameter", false);
    this.parameters.push(t);
    const init = options.init ?? this.initScopes.at(-1);
    if (init) this.inits.set(full, checkInit(init, full));
    return t;
  }

  /**
   * The declared init of a parameter: its own, else that of the {@linkcode GraphBuilder.initScope} it was
   * declared in; undefined when it declared none (the trainer's default applies).
   *
   * @param parameter a parameter tensor of this graph, or its full name
   * @returns the init, or undefined
   *
   * @example
   * ```ts
   * import { GraphBuilder } from "./builder.ts";
   * const g = new GraphBuilder("init");
   * const w = g.initScope({ kind: "fanIn", gain: 0.1 }, () => g.parameter("w", [4, 3]));
   * const b = g.parameter("b", [4], "float32", { init: { kind: "constant", value: 0 } });
   * console.log(g.parameterInit(w), g.parameterInit(b)!.kind, g.parameterInit("c")); // { kind: "fanIn", gain: 0.1 } "constant" undefined
   * ```
   */
  parameterInit(parameter: Tensor | string): ParameterInit | undefined {
    return this.inits.get(typeof parameter === "string" ? parameter : parameter.name);
  }

  /**
   * Runs `build` with a default init for the parameters it declares without their own (e.g. a sharing
   * strategy makes its regressors start small; a fusion operator built inside inherits it).
   *
   * @param init the default init inside
   * @param build adds nodes and parameters
   * @returns what `build` returns
   * @throws {TypeError} for an invalid init
   */
  initScope<T>(init: ParameterInit, build: () => T): T {
    this.initScopes.push(checkInit(init, "(init scope)"));
    try {
      return build();
    } finally {
      this.initScopes.pop();
    }
  }

  /**
   * Adds a constant tensor (written as an initializer).
   *
   * @param data host values
   * @param shape static shape; its size must equal `data.length`
   * @param name optional name hint
   * @returns the constant tensor
   */
  constant(data: ConstantData, shape: readonly number[], name = "const"): Tensor {
    const dtype = dtypeOfArray(data);
    if (numel(shape) !== data.length) {
      throw new TypeError(`Constant "${name}" has ${data.length} values but shape ${formatShape(shape)}`);
    }
    const t = this.newTensor(name, shape, dtype, "constant", true);
    this.constants.set(t, data);
    return t;
  }

  /**
   * A float32 scalar constant (shape []).
   *
   * @param value the number
   * @returns the constant tensor
   */
  scalar(value: number): Tensor {
    return this.constant(new Float32Array([value]), [], "scalar");
  }

  /**
   * Marks a tensor as a graph output.
   *
   * @param t the tensor
   * @param name output name; when given, an Identity node renames the tensor
   * @returns the output tensor
   */
  output(t: Tensor, name?: string): Tensor {
    this.own(t, "output");
    let out = t;
    if (name !== undefined && name !== t.name) {
      out = this.addNode("Identity", [t], {}, name, false)[0];
    }
    if (this.outputs.includes(out)) throw new TypeError(`Tensor "${out.name}" is already an output`);
    this.outputs.push(out);
    return out;
  }

  /**
   * Runs `build` with a name scope: nodes and parameters created inside get `scope` as a prefix.
   *
   * @param scope scope name (e.g. `b8.conv0`)
   * @param build function that adds nodes
   * @returns what `build` returns
   */
  scope<T>(scope: string, build: () => T): T {
    this.scopes.push(scope);
    try {
      return build();
    } finally {
      this.scopes.pop();
    }
  }

  /**
   * The open name scopes, outermost first (a copy).
   *
   * @returns the scope names
   */
  scopePath(): string[] {
    return [...this.scopes];
  }

  /**
   * Runs `build` under another list of scopes than the open ones (restored afterwards): a builder that adds
   * several modules' layers at once declares each module's parameters under that module's own scopes.
   *
   * @param path the scopes, outermost first
   * @param build function that adds nodes and parameters
   * @returns what `build` returns
   */
  withScopePath<T>(path: readonly string[], build: () => T): T {
    const saved = this.scopes.splice(0, this.scopes.length, ...path);
    try {
      return build();
    } finally {
      this.scopes.splice(0, this.scopes.length, ...saved);
    }
  }

  /**
   * Reorders the parameters declared since the first `since` by `rank` (stable: equal ranks keep their order),
   * for builders that declare layer by layer what the usual order lists module by module (parameter order
   * fixes the trainers' seeded initial values).
   *
   * @param since how many parameters stay in place at the front
   * @param rank sort key of a parameter
   */
  reorderParameters(since: number, rank: (parameter: Tensor) => number): void {
    const moved = this.parameters.splice(since).map((p, i) => ({ p, i, r: rank(p) }));
    moved.sort((a, b) => a.r - b.r || a.i - b.i);
    this.parameters.push(...moved.map((m) => m.p));
  }

  /** The node that produced a tensor, or undefined for inputs, parameters and constants. */
  producer(t: Tensor): GraphNode | undefined {
    return this.producers.get(t);
  }

  // ---------------------------------------------------------------- generic node

  /**
   * Adds a node of any op in the op set, inferring its output types.
   *
   * @param op ONNX op type (an {@linkcode OpName}; checked again at run time for callers without types)
   * @param inputs tensor inputs
   * @param attributes static attributes
   * @returns the output tensors
   */
  node(op: OpName, inputs: readonly Tensor[], attributes: Record<string, AttributeValue> = {}): Tensor[] {
    return this.addNode(op, inputs, attributes, undefined, true);
  }

  // ---------------------------------------------------------------- elementwise

  /** a + b with broadcasting. */
  add(a: Tensor, b: Tensor): Tensor {
    return this.node("Add", [a, b])[0];
  }
  /** a − b with broadcasting. */
  sub(a: Tensor, b: Tensor): Tensor {
    return this.node("Sub", [a, b])[0];
  }
  /** a · b with broadcasting. */
  mul(a: Tensor, b: Tensor): Tensor {
    return this.node("Mul", [a, b])[0];
  }
  /** a / b with broadcasting. */
  div(a: Tensor, b: Tensor): Tensor {
    return this.node("Div", [a, b])[0];
  }
  /** a ^ b with broadcasting. */
  pow(a: Tensor, b: Tensor): Tensor {
    return this.node("Pow", [a, b])[0];
  }
  /** x · c for a number c. */
  scale(x: Tensor, c: number): Tensor {
    return c === 1 ? x : this.mul(x, this.scalar(c));
  }
  /** −x. */
  neg(x: Tensor): Tensor {
    return this.node("Neg", [x])[0];
  }
  /** √x. */
  sqrt(x: Tensor): Tensor {
    return this.node("Sqrt", [x])[0];
  }
  /** 1 / x. */
  reciprocal(x: Tensor): Tensor {
    return this.node("Reciprocal", [x])[0];
  }
  /** eˣ. */
  exp(x: Tensor): Tensor {
    return this.node("Exp", [x])[0];
  }
  /** ln x. */
  log(x: Tensor): Tensor {
    return this.node("Log", [x])[0];
  }
  /** |x|. */
  abs(x: Tensor): Tensor {
    return this.node("Abs", [x])[0];
  }
  /** max(x, 0). */
  relu(x: Tensor): Tensor {
    return this.node("Relu", [x])[0];
  }
  /** Logistic sigmoid. */
  sigmoid(x: Tensor): Tensor {
    return this.node("Sigmoid", [x])[0];
  }
  /** tanh x. */
  tanh(x: Tensor): Tensor {
    return this.node("Tanh", [x])[0];
  }
  /** x ≥ 0 ? x : alpha·x. */
  leakyRelu(x: Tensor, alpha: number): Tensor {
    return this.node("LeakyRelu", [x], { alpha })[0];
  }
  /** −1, 0 or 1 by the sign of x (float); gradient rules build step masks from it. */
  sign(x: Tensor): Tensor {
    return this.node("Sign", [x])[0];
  }
  /** a > b elementwise, with broadcasting (bool); no gradient flows through it. */
  greater(a: Tensor, b: Tensor): Tensor {
    return this.node("Greater", [a, b])[0];
  }
  /** A copy of x (a renaming point). */
  identity(x: Tensor): Tensor {
    return this.node("Identity", [x])[0];
  }

  // ---------------------------------------------------------------- linear algebra and convolution

  /** Batched matrix product with broadcasting of batch dimensions. */
  matMul(a: Tensor, b: Tensor): Tensor {
    return this.node("MatMul", [a, b])[0];
  }

  /**
   * uint8 quantization of a float32 tensor over its range widened to include 0 (ONNX DynamicQuantizeLinear):
   * q = saturate(round(x / scale) + zeroPoint), so 0 is represented exactly. Inference only (no gradient).
   *
   * @param x float32 tensor
   * @returns [q (uint8, x's shape), scale (float32 []), zeroPoint (uint8 [])]
   */
  dynamicQuantizeLinear(x: Tensor): [Tensor, Tensor, Tensor] {
    const [q, scale, zeroPoint] = this.node("DynamicQuantizeLinear", [x]);
    return [q, scale, zeroPoint];
  }

  /**
   * int32 matrix product Σₖ (a[m, k] − zeroPoint) · b[k, n] of uint8 a and int8 b (ONNX MatMulInteger, with
   * b's zero point 0). Inference only (no gradient).
   *
   * @param a uint8 [M, K]
   * @param b int8 [K, N]
   * @param zeroPoint uint8 [] of a
   * @returns int32 [M, N]
   */
  matMulInteger(a: Tensor, b: Tensor, zeroPoint: Tensor): Tensor {
    return this.node("MatMulInteger", [a, b, zeroPoint])[0];
  }

  /**
   * Element type conversion (ONNX Cast). Inference only, except from bool: a comparison's mask cast to float
   * (the gradient rules' step masks) has no gradient and stays differentiable around it.
   *
   * @param x tensor
   * @param dtype target element type
   * @returns x's values as `dtype`
   */
  cast(x: Tensor, dtype: DType): Tensor {
    return this.node("Cast", [x], { to: ONNX_DTYPE_CODE[dtype] })[0];
  }

  /**
   * The slices of `data` at `indices` along `axis` (ONNX Gather; indices in range). Inference only (no gradient).
   *
   * @param data any tensor
   * @param indices int32 or int64 indices
   * @param axis the axis indexed (default 0)
   * @returns data.shape[:axis] + indices.shape + data.shape[axis+1:]
   */
  gather(data: Tensor, indices: Tensor, axis = 0): Tensor {
    return this.node("Gather", [data, indices], { axis })[0];
  }

  /**
   * 2-D cross-correlation, NCHW. Weight [O, C/group, kh, kw].
   *
   * @param x input [N, C, H, W]
   * @param w weight [O, C/group, kh, kw]
   * @param options strides, pads, dilations, group
   * @returns [N, O, H', W']
   */
  conv(x: Tensor, w: Tensor, options: ConvOptions = {}): Tensor {
    return this.node("Conv", [x, w], convAttributes(options))[0];
  }

  /**
   * 2-D transposed convolution, NCHW. Weight [C, O/group, kh, kw].
   *
   * @param x input [N, C, H, W]
   * @param w weight [C, O/group, kh, kw]
   * @param options strides, pads, dilations, group, outputPadding
   * @returns [N, O, H', W']
   */
  convTranspose(x: Tensor, w: Tensor, options: ConvTransposeOptions = {}): Tensor {
    const attributes = convAttributes(options);
    if (options.outputPadding) attributes.output_padding = [...options.outputPadding];
    return this.node("ConvTranspose", [x, w], attributes)[0];
  }

  // ---------------------------------------------------------------- shape ops

  /**
   * Row-major reshape. One dimension may be −1 (inferred); the IR stores the resolved static shape.
   *
   * @param x input
   * @param shape target shape
   * @returns the reshaped tensor
   */
  reshape(x: Tensor, shape: readonly number[]): Tensor {
    const resolved = [...shape];
    const unknown = resolved.indexOf(-1);
    if (unknown >= 0) {
      const known = resolved.reduce((p, d, i) => (i === unknown ? p : p * d), 1);
      if (known === 0 || x.size % known !== 0) {
        throw new TypeError(
          `Reshape "${this.nextName("Reshape")}": cannot reshape ${formatShape(x.shape)} to ${
            formatShape(shape)
          }`,
        );
      }
      resolved[unknown] = x.size / known;
    }
    if (resolved.length === x.rank && resolved.every((d, i) => d === x.shape[i])) return x;
    return this.node("Reshape", [x], { shape: resolved })[0];
  }

  /** Axis permutation. */
  transpose(x: Tensor, perm: readonly number[]): Tensor {
    return this.node("Transpose", [x], { perm: [...perm] })[0];
  }

  /** Sum over axes. */
  reduceSum(x: Tensor, axes: readonly number[], keepDims = true): Tensor {
    return this.node("ReduceSum", [x], { axes: [...axes], keepdims: keepDims ? 1 : 0 })[0];
  }

  /** Mean over axes. */
  reduceMean(x: Tensor, axes: readonly number[], keepDims = true): Tensor {
    return this.node("ReduceMean", [x], { axes: [...axes], keepdims: keepDims ? 1 : 0 })[0];
  }

  /** Concatenation along an axis. */
  concat(xs: readonly Tensor[], axis: number): Tensor {
    if (xs.length === 1) return xs[0];
    return this.node("Concat", xs, { axis })[0];
  }

  /**
   * Slice along some axes (ONNX semantics: negative indices count from the end, ends clamp).
   *
   * @param x input
   * @param axes axes to slice
   * @param starts start index per axis
   * @param ends end index (exclusive) per axis
   * @param steps step per axis (default 1)
   * @returns the slice
   */
  slice(
    x: Tensor,
    axes: readonly number[],
    starts: readonly number[],
    ends: readonly number[],
    steps?: readonly number[],
  ): Tensor {
    const attributes: Record<string, AttributeValue> = {
      starts: [...starts],
      ends: [...ends],
      axes: [...axes],
    };
    if (steps) attributes.steps = [...steps];
    return this.node("Slice", [x], attributes)[0];
  }

  /** Broadcast to a shape. */
  expand(x: Tensor, shape: readonly number[]): Tensor {
    if (shape.length === x.rank && shape.every((d, i) => d === x.shape[i])) return x;
    return this.node("Expand", [x], { shape: [...shape] })[0];
  }

  /**
   * Constant padding.
   *
   * @param x input
   * @param pads [begin of each axis…, end of each axis…]
   * @param value fill value (default 0)
   * @returns the padded tensor
   */
  pad(x: Tensor, pads: readonly number[], value = 0): Tensor {
    return this.node("Pad", [x], { pads: [...pads], value })[0];
  }

  /**
   * Resizes the two spatial axes of an NCHW tensor.
   *
   * @param x input [N, C, H, W]
   * @param size [H', W']
   * @param options mode (default "linear") and coordinate transformation (default "half_pixel", which is
   *   torch's `align_corners=False`; use "align_corners" for `align_corners=True`)
   * @returns [N, C, H', W']
   */
  resize(
    x: Tensor,
    size: readonly [number, number],
    options: { mode?: "linear" | "nearest"; coordinates?: "half_pixel" | "align_corners" | "asymmetric" } =
      {},
  ): Tensor {
    return this.node("Resize", [x], {
      sizes: [x.shape[0], x.shape[1], size[0], size[1]],
      mode: options.mode ?? "linear",
      coordinate_transformation_mode: options.coordinates ?? "half_pixel",
    })[0];
  }

  // ---------------------------------------------------------------- internals

  /** Throws a TypeError unless `t` is a tensor of this graph. */
  private own(t: Tensor, what: string): void {
    if (!(t instanceof Tensor)) throw new TypeError(`The ${what} must be a Tensor, got ${String(t)}`);
    if (t.graphId !== this.id) {
      throw new TypeError(`Tensor "${t.name}" belongs to another graph than "${this.name}"`);
    }
  }

  /** The name under the open scopes. */
  private scoped(name: string, separator: string): string {
    return this.scopes.length ? `${this.scopes.join(separator)}${separator}${name}` : name;
  }

  /** The next node's name: op and counter under the open scopes. */
  private nextName(op: string): string {
    return this.scoped(`${op}_${this.counter}`, "/");
  }

  /** Registers a tensor under a unique name (suffixed when `uniquify`, else a duplicate throws). */
  private newTensor(
    name: string,
    shape: readonly number[],
    dtype: DType,
    origin: TensorOrigin,
    uniquify: boolean,
  ): Tensor {
    assertValidShape(shape, `"${name}"`);
    let unique = name;
    if (this.names.has(unique)) {
      if (!uniquify) throw new TypeError(`Name "${name}" is already used in graph "${this.name}"`);
      let i = 1;
      while (this.names.has(`${name}_${i}`)) i++;
      unique = `${name}_${i}`;
    }
    this.names.add(unique);
    const t = new Tensor(this.id, this.tensors.length, unique, Object.freeze([...shape]), dtype, origin);
    this.tensors.push(t);
    return t;
  }

  /** Checks the op, the inputs' graph and arity, infers the output types and records the node. */
  private addNode(
    op: OpName,
    inputs: readonly Tensor[],
    attributes: Record<string, AttributeValue>,
    outputName: string | undefined,
    uniquify: boolean,
  ): Tensor[] {
    if (!isOpName(op)) throw new TypeError(`Unknown op "${op}"; the op set is: ${OP_NAMES.join(", ")}`);
    const definition = OP_SET[op];
    const name = this.nextName(op);
    this.counter++;
    for (const t of inputs) this.own(t, `input of ${op} "${name}"`);
    if (definition.arity !== "variadic" && inputs.length !== definition.arity) {
      throw new TypeError(`${op} "${name}" takes ${definition.arity} inputs, got ${inputs.length}`);
    }
    if (definition.arity === "variadic" && inputs.length === 0) {
      throw new TypeError(`${op} "${name}" needs at least one input`);
    }
    const frozen = Object.freeze({ ...attributes });
    const types = definition.infer({ op, name, inputs, attributes: frozen });
    const outputs = types.map((type, i) =>
      this.newTensor(
        outputName ?? (types.length === 1 ? name : `${name}:${i}`),
        type.shape,
        type.dtype,
        "node",
        uniquify,
      )
    );
    const node: GraphNode = { op, name, inputs: [...inputs], outputs, attributes: frozen };
    this.nodes.push(node);
    for (const t of outputs) this.producers.set(t, node);
    return outputs;
  }
}

function convAttributes(options: ConvOptions): Record<string, AttributeValue> {
  const pads = typeof options.pads === "number"
    ? [options.pads, options.pads, options.pads, options.pads]
    : [...(options.pads ?? [0, 0, 0, 0])];
  return {
    strides: [...(options.strides ?? [1, 1])],
    pads,
    dilations: [...(options.dilations ?? [1, 1])],
    group: options.group ?? 1,
  };
}
