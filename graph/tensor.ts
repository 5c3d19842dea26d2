/**
 * Symbolic tensors of the graph IR: every tensor has a static shape and a dtype, known when it is built.
 *
 * @module
 */

/** Element types the IR knows, named as in NumPy. */
export type DType = "float32" | "float16" | "int64" | "int32" | "uint8" | "int8" | "bool";

/** ONNX `TensorProto.DataType` code of each dtype. */
export const ONNX_DTYPE_CODE: Readonly<Record<DType, number>> = {
  float32: 1,
  uint8: 2,
  int8: 3,
  int32: 6,
  int64: 7,
  bool: 9,
  float16: 10,
};

/** Bytes per element of each dtype. */
export const DTYPE_BYTES: Readonly<Record<DType, number>> = {
  float32: 4,
  float16: 2,
  int64: 8,
  int32: 4,
  uint8: 1,
  int8: 1,
  bool: 1,
};

/**
 * The dtype a typed array holds (Uint16Array is read as float16 bits).
 *
 * @param data a typed array of a dtype the IR knows
 * @returns its dtype
 * @throws {TypeError} for any other array
 * @example
 * ```ts
 * import { dtypeOfArray } from "./tensor.ts";
 * console.log(dtypeOfArray(new Int8Array(2))); // "int8"
 * ```
 */
export function dtypeOfArray(
  data: Float32Array | Int32Array | BigInt64Array | Uint8Array | Int8Array | Uint16Array,
): DType {
  if (data instanceof Float32Array) return "float32";
  if (data instanceof Int32Array) return "int32";
  if (data instanceof BigInt64Array) return "int64";
  if (data instanceof Uint16Array) return "float16";
  if (data instanceof Uint8Array) return "uint8";
  if (data instanceof Int8Array) return "int8";
  throw new TypeError(`Unsupported typed array ${Object.prototype.toString.call(data)}`);
}

/** What a graph value is: a shape with every dimension known, and an element type. */
export interface TensorType {
  /** Every dimension, known when the graph is built. */
  readonly shape: readonly number[];
  /** Element type. */
  readonly dtype: DType;
}

/** Where a tensor comes from: a graph input, a named parameter, a constant, or the output of a node. */
export type TensorOrigin = "input" | "parameter" | "constant" | "node";

/**
 * A value in a graph. Created only by a {@linkcode GraphBuilder}; the name is unique in its graph.
 *
 * @example
 * ```ts
 * import { GraphBuilder } from "./builder.ts";
 * const g = new GraphBuilder("demo");
 * const x = g.input("x", [2, 3]); // [2, 3]
 * console.log(x.shape, x.dtype); // [2, 3] "float32"
 * ```
 */
export class Tensor implements TensorType {
  /**
   * A tensor of a graph; made by the {@linkcode GraphBuilder}'s methods, not directly.
   *
   * @param graphId id of the graph that owns the tensor (tensors of two graphs cannot be mixed)
   * @param id index of the tensor in its graph
   * @param name unique name in the graph (the ONNX value name)
   * @param shape static shape
   * @param dtype element type
   * @param origin what produced the tensor
   */
  constructor(
    readonly graphId: number,
    readonly id: number,
    readonly name: string,
    readonly shape: readonly number[],
    readonly dtype: DType,
    readonly origin: TensorOrigin,
  ) {}

  /** Number of elements (1 for a scalar). */
  get size(): number {
    return numel(this.shape);
  }

  /** Rank (number of dimensions). */
  get rank(): number {
    return this.shape.length;
  }
}

/**
 * Number of elements of a shape.
 *
 * @param shape dimensions
 * @returns their product (1 for `[]`)
 * @example
 * ```ts
 * import { numel } from "./tensor.ts";
 * console.log(numel([2, 3, 4])); // 24
 * ```
 */
export function numel(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/**
 * Formats a shape as `[2, 3, 4]` for error messages.
 *
 * @param shape dimensions
 * @returns the bracketed list
 * @example
 * ```ts
 * import { formatShape } from "./tensor.ts";
 * console.log(formatShape([1, 512, 8, 8])); // "[1, 512, 8, 8]"
 * ```
 */
export function formatShape(shape: readonly number[]): string {
  return `[${shape.join(", ")}]`;
}

/**
 * Checks that a shape has non-negative integer dimensions.
 *
 * @param shape the shape to check
 * @param what what the shape belongs to, for the error message
 * @throws {TypeError} when a dimension is not a non-negative integer
 * @example
 * ```ts
 * import { assertValidShape } from "./tensor.ts";
 * assertValidShape([2, 3], "input x");
 * ```
 */
export function assertValidShape(shape: readonly number[], what: string): void {
  if (!Array.isArray(shape)) throw new TypeError(`Shape of ${what} must be an array, got ${String(shape)}`);
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) {
      throw new TypeError(
        `Shape of ${what} must have non-negative integer dimensions, got ${formatShape(shape)}`,
      );
    }
  }
}

/**
 * Whether two shapes are equal.
 *
 * @param a first shape
 * @param b second shape
 * @returns true when both have the same dimensions
 * @example
 * ```ts
 * import { sameShape } from "./tensor.ts";
 * console.log(sameShape([1, 2], [1, 2])); // true
 * ```
 */
export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}
