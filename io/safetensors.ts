/**
 * Reading and writing the safetensors format (huggingface/safetensors): an 8-byte little-endian u64 header
 * length N, N bytes of JSON header `{name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {…}}`,
 * then the byte buffer, which the tensors must cover exactly. Data are little-endian; like every platform
 * Deno ships for, the host is assumed to be little-endian.
 *
 * @module
 */

import { bfloat16ToFloat32, float16ToFloat32 } from "./float16.ts";

/** Bytes per element of every dtype the format defines with a whole number of bytes. */
export const SAFETENSORS_DTYPE_BYTES = {
  BOOL: 1,
  U8: 1,
  I8: 1,
  F8_E5M2: 1,
  F8_E4M3: 1,
  U16: 2,
  I16: 2,
  F16: 2,
  BF16: 2,
  U32: 4,
  I32: 4,
  F32: 4,
  U64: 8,
  I64: 8,
  F64: 8,
} as const;

/** A safetensors dtype name (`"F32"`, `"F16"`, `"BF16"`, `"I64"`, …). */
export type SafetensorsDtype = keyof typeof SAFETENSORS_DTYPE_BYTES;

/** One tensor of a read file: its bytes are a view into the file's bytes (no copy). */
export interface StoredTensor {
  /** Element type. */
  dtype: SafetensorsDtype;
  /** Shape; `[]` for a scalar. */
  shape: number[];
  /** Little-endian element bytes, row-major: a view into the bytes that were read. */
  bytes: Uint8Array;
}

/** A parsed safetensors file. */
export interface SafetensorsFile {
  /** The `__metadata__` string map (empty when the file has none). */
  metadata: Record<string, string>;
  /** Tensors in header order. */
  tensors: Map<string, StoredTensor>;
}

/** Typed arrays a tensor to write may hold its data in. */
export type SafetensorsData =
  | Float32Array
  | Float64Array
  | Uint16Array
  | Int16Array
  | Int32Array
  | Uint32Array
  | BigInt64Array
  | BigUint64Array
  | Int8Array
  | Uint8Array;

/** One tensor to write. */
export interface TensorToWrite {
  /** Element type. */
  dtype: SafetensorsDtype;
  /** Shape; `[]` for a scalar. */
  shape: readonly number[];
  /** Elements, row-major. `F16`/`BF16` take bit patterns in a Uint16Array; a Uint8Array is taken as raw bytes. */
  data: SafetensorsData;
}

/** Options of {@linkcode readSafetensors}. */
export interface ReadSafetensorsOptions {
  /** Name of the source used in error messages, for example a file path (default `"safetensors data"`). */
  source?: string;
}

/** The reference implementation refuses headers above 100 MB; so do we. */
const MAX_HEADER_BYTES = 100_000_000;

/** A typed array constructor, used to check that data to write fit their dtype. */
type DataConstructor = new (length: number) => SafetensorsData;

/** The typed array that fits each dtype, apart from Uint8Array which fits every dtype as raw bytes. */
const DATA_TYPE_OF_DTYPE: Record<SafetensorsDtype, DataConstructor> = {
  BOOL: Uint8Array,
  U8: Uint8Array,
  I8: Int8Array,
  F8_E5M2: Uint8Array,
  F8_E4M3: Uint8Array,
  U16: Uint16Array,
  I16: Int16Array,
  F16: Uint16Array,
  BF16: Uint16Array,
  U32: Uint32Array,
  I32: Int32Array,
  F32: Float32Array,
  U64: BigUint64Array,
  I64: BigInt64Array,
  F64: Float64Array,
};

function isDtype(value: unknown): value is SafetensorsDtype {
  return typeof value === "string" && Object.hasOwn(SAFETENSORS_DTYPE_BYTES, value);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Product of a validated shape (1 for a scalar). */
function elementCount(shape: readonly number[]): number {
  return shape.reduce((product, dim) => product * dim, 1);
}

/** Checks that a shape is an array of non-negative safe integers with a safe product. */
function checkShape(shape: unknown, where: string): number[] {
  if (!Array.isArray(shape)) throw new TypeError(`${where}: shape ${JSON.stringify(shape)} is not an array`);
  for (const dim of shape) {
    if (typeof dim !== "number" || !Number.isInteger(dim)) {
      throw new TypeError(`${where}: shape ${JSON.stringify(shape)} has a non-integer dimension ${dim}`);
    }
    if (dim < 0) {
      throw new RangeError(`${where}: shape ${JSON.stringify(shape)} has a negative dimension ${dim}`);
    }
  }
  if (!Number.isSafeInteger(elementCount(shape))) {
    throw new RangeError(`${where}: shape ${JSON.stringify(shape)} has too many elements`);
  }
  return shape as number[];
}

/**
 * Parses safetensors bytes. Tensor bytes are views into `bytes` (no copy), so keep `bytes` unchanged while
 * the tensors are in use. Hostile input is rejected with an error that names the tensor and the problem:
 * `SyntaxError` when the header does not parse (too short, not UTF-8, not a JSON object), `TypeError` for a
 * wrong type (unknown dtype, non-integer shape, offsets that do not match the shape, non-string metadata),
 * `RangeError` for values out of range (header length, negative dimensions, offsets outside the buffer,
 * overlaps or holes in the buffer).
 *
 * @param bytes the whole file
 * @param options `source`: a name for error messages, for example the file path
 * @returns the metadata and the tensors, in header order
 *
 * @example
 * ```ts
 * import { readSafetensors, toFloat32, writeSafetensors } from "./safetensors.ts";
 * const bytes = writeSafetensors({ bias: { dtype: "F32", shape: [2], data: new Float32Array([0.5, -1]) } });
 * const file = readSafetensors(bytes);
 * const bias = file.tensors.get("bias")!;
 * console.log(bias.dtype, bias.shape, [...toFloat32(bias)]); // "F32" [2] [0.5, -1]
 * ```
 */
export function readSafetensors(bytes: Uint8Array, options: ReadSafetensorsOptions = {}): SafetensorsFile {
  const source = options.source ?? "safetensors data";
  if (bytes.byteLength < 8) {
    throw new SyntaxError(`${source}: ${bytes.byteLength} bytes is shorter than the 8-byte header length`);
  }
  const headerLength = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
  if (headerLength > BigInt(MAX_HEADER_BYTES)) {
    throw new RangeError(
      `${source}: header length ${headerLength} is above the limit of ${MAX_HEADER_BYTES} bytes`,
    );
  }
  if (headerLength > BigInt(bytes.byteLength - 8)) {
    throw new RangeError(
      `${source}: header length ${headerLength} goes beyond the end of the file (${bytes.byteLength} bytes)`,
    );
  }
  const dataStart = 8 + Number(headerLength);
  let headerText: string;
  try {
    headerText = new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(8, dataStart));
  } catch {
    throw new SyntaxError(`${source}: header is not valid UTF-8`);
  }
  let header: unknown;
  try {
    header = JSON.parse(headerText);
  } catch (error) {
    throw new SyntaxError(`${source}: header is not JSON (${(error as Error).message})`);
  }
  if (!isPlainObject(header)) throw new SyntaxError(`${source}: header is not a JSON object`);

  const metadata = readMetadata(header["__metadata__"], source);
  const bufferLength = bytes.byteLength - dataStart;
  const tensors = new Map<string, StoredTensor>();
  const ranges: { name: string; begin: number; end: number }[] = [];
  for (const [name, entry] of Object.entries(header)) {
    if (name === "__metadata__") continue;
    const where = `${source}: tensor "${name}"`;
    if (!isPlainObject(entry)) throw new TypeError(`${where}: entry is not an object`);
    const { dtype, shape: rawShape, data_offsets: offsets } = entry;
    if (!isDtype(dtype)) throw new TypeError(`${where}: unknown dtype ${JSON.stringify(dtype)}`);
    const shape = checkShape(rawShape, where);
    if (
      !Array.isArray(offsets) || offsets.length !== 2 ||
      !offsets.every((offset) => typeof offset === "number" && Number.isSafeInteger(offset))
    ) {
      throw new TypeError(`${where}: data_offsets ${JSON.stringify(offsets)} is not a pair of integers`);
    }
    const [begin, end] = offsets as number[];
    if (begin < 0 || end < begin || end > bufferLength) {
      throw new RangeError(
        `${where}: data_offsets [${begin}, ${end}] lie outside the ${bufferLength}-byte buffer`,
      );
    }
    const expected = elementCount(shape) * SAFETENSORS_DTYPE_BYTES[dtype];
    if (end - begin !== expected) {
      throw new TypeError(
        `${where}: data_offsets [${begin}, ${end}] hold ${end - begin} bytes, but ${dtype} ` +
          `${JSON.stringify(shape)} needs ${expected}`,
      );
    }
    ranges.push({ name, begin, end });
    tensors.set(name, { dtype, shape, bytes: bytes.subarray(dataStart + begin, dataStart + end) });
  }
  checkCoverage(ranges, bufferLength, source);
  return { metadata, tensors };
}

function readMetadata(value: unknown, source: string): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (!isPlainObject(value)) throw new TypeError(`${source}: __metadata__ is not an object`);
  for (const [key, item] of Object.entries(value)) {
    if (typeof item !== "string") {
      throw new TypeError(
        `${source}: __metadata__ value of "${key}" is ${JSON.stringify(item)}, not a string`,
      );
    }
  }
  return value as Record<string, string>;
}

/** The tensors must tile the buffer: sorted by offset, each starts where the previous ended, the last ends it. */
function checkCoverage(
  ranges: { name: string; begin: number; end: number }[],
  bufferLength: number,
  source: string,
): void {
  ranges.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let covered = 0;
  let previous = "";
  for (const { name, begin, end } of ranges) {
    if (begin < covered) {
      throw new RangeError(
        `${source}: tensor "${name}" at [${begin}, ${end}] overlaps tensor "${previous}", which ends at ${covered}`,
      );
    }
    if (begin > covered) {
      throw new RangeError(
        `${source}: tensor "${name}" starts at ${begin}, leaving a hole of ${begin - covered} bytes ` +
          `after ${previous ? `tensor "${previous}"` : "the header"} (bytes ${covered}…${begin})`,
      );
    }
    covered = end;
    previous = name;
  }
  if (covered !== bufferLength) {
    throw new RangeError(
      `${source}: the tensors cover ${covered} of the ${bufferLength} buffer bytes; ` +
        `${bufferLength - covered} trailing bytes belong to no tensor`,
    );
  }
}

/**
 * The elements of a floating-point tensor as float32: `F32` is a zero-copy view when its bytes are 4-byte
 * aligned (else a copy); `F16` and `BF16` are decoded exactly; `F64` is rounded to float32.
 *
 * @param tensor a tensor from {@linkcode readSafetensors}
 * @returns the elements, row-major (a view into the file's bytes for aligned `F32`)
 * @throws {TypeError} for a dtype that is not F32, F16, BF16 or F64
 *
 * @example
 * ```ts
 * import { toFloat32 } from "./safetensors.ts";
 * const half = { dtype: "F16" as const, shape: [2], bytes: new Uint8Array([0x00, 0x3c, 0x00, 0xc0]) };
 * console.log([...toFloat32(half)]); // [1, -2]
 * ```
 */
export function toFloat32(tensor: StoredTensor): Float32Array {
  const { dtype, bytes } = tensor;
  const itemSize = SAFETENSORS_DTYPE_BYTES[dtype];
  if (bytes.byteLength % itemSize !== 0) {
    throw new TypeError(
      `Tensor of dtype ${dtype} has ${bytes.byteLength} bytes, not a multiple of ${itemSize}`,
    );
  }
  const count = bytes.byteLength / itemSize;
  switch (dtype) {
    case "F32":
      if (bytes.byteOffset % 4 === 0) return new Float32Array(bytes.buffer, bytes.byteOffset, count);
      return new Float32Array(alignedCopy(bytes).buffer);
    case "F16":
      return float16ToFloat32(uint16View(bytes));
    case "BF16":
      return bfloat16ToFloat32(uint16View(bytes));
    case "F64": {
      const aligned = bytes.byteOffset % 8 === 0 ? bytes : alignedCopy(bytes);
      return Float32Array.from(new Float64Array(aligned.buffer, aligned.byteOffset, count));
    }
    default:
      throw new TypeError(
        `Cannot convert the ${dtype} tensor of shape ${JSON.stringify(tensor.shape)} to float32; ` +
          `only F32, F16, BF16 and F64 are floating point`,
      );
  }
}

/** A copy in a fresh buffer at offset 0 (aligned for every typed array). */
function alignedCopy(bytes: Uint8Array): Uint8Array {
  return bytes.slice();
}

function uint16View(bytes: Uint8Array): Uint16Array {
  const aligned = bytes.byteOffset % 2 === 0 ? bytes : alignedCopy(bytes);
  return new Uint16Array(aligned.buffer, aligned.byteOffset, aligned.byteLength / 2);
}

/**
 * Serializes tensors to safetensors bytes. As the reference implementation does, tensors are laid out by
 * decreasing item size and then by name (so every tensor is aligned to its item size) and the header is
 * padded with spaces to a multiple of 8 bytes. `__metadata__` is written only when it has entries.
 *
 * @param tensors tensors by name; the data's typed array must fit the dtype (or be raw bytes in a Uint8Array)
 * @param metadata optional string map stored as `__metadata__`
 * @returns the file bytes
 * @throws {TypeError} when data do not fit the dtype or shape, or a name is `__metadata__`
 * @throws {RangeError} for a negative dimension
 *
 * @example
 * ```ts
 * import { readSafetensors, writeSafetensors } from "./safetensors.ts";
 * const bytes = writeSafetensors(
 *   { step: { dtype: "I64", shape: [], data: new BigInt64Array([3n]) } },
 *   { format: "pt" },
 * );
 * const file = readSafetensors(bytes);
 * console.log(file.metadata, file.tensors.get("step")!.shape); // { format: "pt" } []
 * ```
 */
export function writeSafetensors(
  tensors: Record<string, TensorToWrite>,
  metadata?: Record<string, string>,
): Uint8Array {
  const entries = Object.entries(tensors).map(([name, tensor]) => {
    const where = `Tensor "${name}"`;
    if (name === "__metadata__") throw new TypeError(`${where}: the name is reserved for metadata`);
    const { dtype, data } = tensor;
    if (!isDtype(dtype)) throw new TypeError(`${where}: unknown dtype ${JSON.stringify(dtype)}`);
    const shape = checkShape(tensor.shape, where);
    const fitting = DATA_TYPE_OF_DTYPE[dtype];
    if (!(data instanceof Uint8Array) && !(data instanceof fitting)) {
      throw new TypeError(
        `${where}: ${dtype} data must be a ${fitting.name} or raw bytes in a Uint8Array, ` +
          `not ${Object.prototype.toString.call(data).slice(8, -1)}`,
      );
    }
    const itemSize = SAFETENSORS_DTYPE_BYTES[dtype];
    const expected = elementCount(shape) * itemSize;
    if (data.byteLength !== expected) {
      throw new TypeError(
        `${where}: ${dtype} ${
          JSON.stringify(shape)
        } needs ${expected} bytes, but the data hold ${data.byteLength}`,
      );
    }
    return {
      name,
      dtype,
      shape,
      itemSize,
      bytes: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
    };
  });
  entries.sort((a, b) => b.itemSize - a.itemSize || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));

  // No prototype, so that a tensor named "__proto__" is an ordinary key.
  const header: Record<string, unknown> = Object.create(null);
  if (metadata && Object.keys(metadata).length > 0) {
    readMetadata(metadata, "Metadata to write");
    header["__metadata__"] = metadata;
  }
  let offset = 0;
  for (const { name, dtype, shape, bytes } of entries) {
    header[name] = { dtype, shape, data_offsets: [offset, offset + bytes.byteLength] };
    offset += bytes.byteLength;
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  const headerLength = json.byteLength + ((8 - (json.byteLength % 8)) % 8);
  const out = new Uint8Array(8 + headerLength + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerLength), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.byteLength, 8 + headerLength); // pad with spaces, as the reference implementation
  let position = 8 + headerLength;
  for (const { bytes } of entries) {
    out.set(bytes, position);
    position += bytes.byteLength;
  }
  return out;
}
