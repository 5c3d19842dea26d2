/**
 * Reader (and a small writer, for tests) of the IDX format of MNIST and Fashion-MNIST: a big-endian magic
 * `0x0000 TT NN` (TT the element type, only `0x08` = uint8 here; NN the number of dimensions), NN big-endian
 * uint32 sizes, then the elements in row-major order. Files may be gzip-compressed (`.gz`).
 *
 * @module
 */

/** The element type code of unsigned bytes, the only one MNIST-style files use. */
const UBYTE = 0x08;

/** A parsed IDX file of unsigned bytes. */
export interface IdxArray {
  /** Sizes of each dimension, e.g. `[60000, 28, 28]` for images, `[60000]` for labels. */
  dims: number[];
  /** Row-major elements; `data.length` is the product of `dims`. */
  data: Uint8Array;
}

/** Options of {@linkcode parseIdx} and {@linkcode readIdx}. */
export interface ParseIdxOptions {
  /** Name of the source used in error messages (default `"IDX data"`; {@linkcode readIdx} passes the path). */
  name?: string;
  /** Number of dimensions required: 3 for images (magic 0x00000803), 1 for labels (magic 0x00000801). */
  ndims?: number;
}

function hex32(value: number): string {
  return "0x" + (value >>> 0).toString(16).padStart(8, "0");
}

/**
 * Parses the bytes of an uncompressed IDX file of uint8 elements.
 *
 * @param bytes the whole file
 * @param options `name` for messages, `ndims` to require a number of dimensions
 * @returns the dimension sizes and a view of the elements (no copy)
 * @throws {SyntaxError} for a bad magic, a wrong number of dimensions, or a byte length that does not match
 *
 * @example
 * ```ts
 * import { encodeIdx, parseIdx } from "./idx.ts";
 * const file = encodeIdx([2, 3], new Uint8Array([1, 2, 3, 4, 5, 6]));
 * const parsed = parseIdx(file, { ndims: 2 });
 * console.log(parsed.dims, parsed.data[5]); // [ 2, 3 ] 6
 * ```
 */
export function parseIdx(bytes: Uint8Array, options: ParseIdxOptions = {}): IdxArray {
  const name = options.name ?? "IDX data";
  if (bytes.length < 4) {
    throw new SyntaxError(`${name} is truncated: ${bytes.length} bytes, shorter than the 4-byte IDX magic`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0, false);
  const ndims = bytes[3];
  if (bytes[0] !== 0 || bytes[1] !== 0 || bytes[2] !== UBYTE || ndims === 0) {
    throw new SyntaxError(
      `${name} has magic ${hex32(magic)}, not an IDX file of unsigned bytes (expected 0x000008NN, ` +
        `e.g. 0x00000803 for images or 0x00000801 for labels)`,
    );
  }
  if (options.ndims !== undefined && ndims !== options.ndims) {
    throw new SyntaxError(
      `${name} has magic ${hex32(magic)} (${ndims} dimensions), expected ${hex32(0x800 | options.ndims)} ` +
        `(${options.ndims} dimensions)`,
    );
  }
  const headerLength = 4 + 4 * ndims;
  if (bytes.length < headerLength) {
    throw new SyntaxError(
      `${name} is truncated: ${bytes.length} bytes, shorter than its ${headerLength}-byte header`,
    );
  }
  const dims: number[] = [];
  for (let d = 0; d < ndims; d++) dims.push(view.getUint32(4 + 4 * d, false));
  const count = dims.reduce((a, b) => a * b, 1);
  const expected = headerLength + count;
  if (bytes.length !== expected) {
    const problem = bytes.length < expected ? "is truncated" : "has trailing bytes";
    throw new SyntaxError(
      `${name} ${problem}: ${bytes.length} bytes, expected ${expected} ` +
        `(${headerLength}-byte header + ${dims.join("×")} elements)`,
    );
  }
  return { dims, data: bytes.subarray(headerLength) };
}

/**
 * Encodes uint8 elements as an uncompressed IDX file (used by tests to make synthetic files).
 *
 * @param dims sizes of each dimension (1 to 255 of them)
 * @param data row-major elements, `data.length` equal to the product of `dims`
 * @returns the file's bytes
 * @throws {RangeError} for fewer than 1 or more than 255 dimensions
 * @throws {TypeError} if `data.length` does not match `dims`
 *
 * @example
 * ```ts
 * import { encodeIdx } from "./idx.ts";
 * const file = encodeIdx([2], new Uint8Array([7, 9]));
 * console.log(Array.from(file)); // [ 0, 0, 8, 1, 0, 0, 0, 2, 7, 9 ]
 * ```
 */
export function encodeIdx(dims: number[], data: Uint8Array): Uint8Array {
  if (dims.length < 1 || dims.length > 255) {
    throw new RangeError(`IDX needs 1 to 255 dimensions, got ${dims.length}`);
  }
  const count = dims.reduce((a, b) => a * b, 1);
  if (data.length !== count) {
    throw new TypeError(`IDX data has ${data.length} elements, dims [${dims.join(", ")}] need ${count}`);
  }
  const out = new Uint8Array(4 + 4 * dims.length + count);
  const view = new DataView(out.buffer);
  view.setUint32(0, 0x800 | dims.length, false);
  dims.forEach((size, d) => view.setUint32(4 + 4 * d, size, false));
  out.set(data, 4 + 4 * dims.length);
  return out;
}

/** Whether `bytes` starts with the gzip magic 0x1f 0x8b. */
function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/**
 * Decompresses gzip bytes with the runtime's `DecompressionStream`.
 *
 * @param bytes a gzip stream
 * @param name name of the source for messages
 * @returns the decompressed bytes
 * @throws {SyntaxError} naming the source when the stream is corrupt or truncated
 */
async function gunzip(bytes: Uint8Array, name: string): Promise<Uint8Array> {
  try {
    const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(
      new DecompressionStream("gzip"),
    );
    return new Uint8Array(await new Response(stream).arrayBuffer());
  } catch (error) {
    throw new SyntaxError(
      `${name} is not a valid gzip stream (${bytes.length} compressed bytes; truncated or corrupt): ` +
        `${(error as Error).message}`,
      { cause: error },
    );
  }
}

/**
 * Reads an IDX file of uint8 elements, gzip-compressed or raw (detected from the content, not the name).
 *
 * @param path the file
 * @param options `ndims` to require a number of dimensions (`name` defaults to `path`)
 * @returns the dimension sizes and elements
 * @throws {SyntaxError} naming `path` for a bad magic, bad gzip, or a length that does not match the header
 *
 * @example
 * ```ts
 * import { encodeIdx, readIdx } from "./idx.ts";
 * const path = await Deno.makeTempFile({ suffix: ".idx1-ubyte" });
 * await Deno.writeFile(path, encodeIdx([3], new Uint8Array([4, 5, 6])));
 * const labels = await readIdx(path, { ndims: 1 });
 * console.log(labels.dims, Array.from(labels.data)); // [ 3 ] [ 4, 5, 6 ]
 * await Deno.remove(path);
 * ```
 */
export async function readIdx(path: string, options: ParseIdxOptions = {}): Promise<IdxArray> {
  const name = options.name ?? path;
  let bytes: Uint8Array = await Deno.readFile(path);
  if (isGzip(bytes)) bytes = await gunzip(bytes, name);
  return parseIdx(bytes, { ...options, name });
}
