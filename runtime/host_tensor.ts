/**
 * Host tensors: typed arrays with a shape, the values that cross the runtime boundary, and their `ndarray`
 * views (shaped, strided, no copies).
 *
 * @module
 */

import { type NdArray, ndarray } from "../deps.ts";
import { type DType, dtypeOfArray, formatShape, numel } from "../graph/tensor.ts";

/** The typed arrays a host tensor can hold (float16 values travel as their raw Uint16 bits). */
export type HostData = Float32Array | Int32Array | BigInt64Array | Uint8Array | Int8Array | Uint16Array;

/** A typed array with a row-major shape and a dtype. */
export interface HostTensor {
  /** The values, row-major. */
  readonly data: HostData;
  /** The tensor's shape. */
  readonly shape: readonly number[];
  /** The element type. */
  readonly dtype: DType;
}

/**
 * The dtype that a typed array holds.
 *
 * @param data a typed array
 * @returns its dtype (Uint16Array is read as float16 bits)
 * @example
 * ```ts
 * import { dtypeOf } from "./host_tensor.ts";
 * console.log(dtypeOf(new Float32Array(2))); // "float32"
 * ```
 */
export function dtypeOf(data: HostData): DType {
  return dtypeOfArray(data);
}

/**
 * Wraps a typed array as a host tensor, checking that its length fits the shape.
 *
 * @param data values, row-major
 * @param shape dimensions
 * @returns the host tensor (no copy)
 * @throws {TypeError} when `data.length` differs from the product of `shape`
 * @example
 * ```ts
 * import { hostTensor } from "./host_tensor.ts";
 * const t = hostTensor(new Float32Array(6), [2, 3]); // [2, 3]
 * console.log(t.dtype); // "float32"
 * ```
 */
export function hostTensor(data: HostData, shape: readonly number[]): HostTensor {
  if (data.length !== numel(shape)) {
    throw new TypeError(
      `A tensor of shape ${formatShape(shape)} needs ${numel(shape)} values, got ${data.length}`,
    );
  }
  return { data, shape: [...shape], dtype: dtypeOf(data) };
}

/**
 * A zero-copy `ndarray` view of a float32 host tensor.
 *
 * @param t a float32 host tensor
 * @returns a shaped, strided view over the same memory
 * @example
 * ```ts
 * import { hostTensor, toNdarray } from "./host_tensor.ts";
 * const view = toNdarray(hostTensor(new Float32Array([1, 2, 3, 4, 5, 6]), [2, 3]));
 * console.log(view.get(1, 2)); // 6
 * ```
 */
export function toNdarray(t: HostTensor): NdArray<Float32Array> {
  if (!(t.data instanceof Float32Array)) throw new TypeError(`toNdarray needs float32 data, got ${t.dtype}`);
  return ndarray(t.data, [...t.shape]);
}

/**
 * Frees a typed array's memory now instead of at the next garbage collection, by detaching its buffer
 * (`ArrayBuffer.transfer(0)`); the array is empty afterwards. A view on part of a buffer, or a buffer that cannot
 * be detached, is left to the garbage collector.
 *
 * @param data the array, no longer needed
 * @example
 * ```ts
 * import { releaseHostData } from "./host_tensor.ts";
 * const data = new Float32Array(4);
 * releaseHostData(data);
 * console.log(data.length); // 0
 * ```
 */
export function releaseHostData(data: HostData): void {
  const buffer = data.buffer as ArrayBuffer & { transfer?: (length: number) => ArrayBuffer };
  if (data.byteLength !== buffer.byteLength || typeof buffer.transfer !== "function") return;
  try {
    buffer.transfer(0);
  } catch {
    // A buffer that cannot be detached is left to the garbage collector.
  }
}
