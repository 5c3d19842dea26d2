/**
 * Weight files: a module's parameters as one safetensors file, read into float32 arrays by state-dict name and
 * written atomically (never over an existing file unless asked).
 *
 * @module
 */

import { readSafetensors, toFloat32, writeSafetensors } from "./safetensors.ts";
import { pathExists, writeFileAtomic } from "./atomic_write.ts";
import { float32ToFloat16 } from "./float16.ts";
import { readRegularFile } from "./regular_file.ts";

/** A float32 weight with its shape. */
export interface Weight {
  /** The values, row-major. */
  readonly data: Float32Array;
  /** The tensor's shape. */
  readonly shape: readonly number[];
}

/**
 * Reads a safetensors file into float32 weights (F16, BF16 and F64 are converted).
 *
 * The path must be a regular file of at most `maxFileBytes` (not a folder, FIFO or `/dev/zero`), checked before
 * a byte is read.
 *
 * @param path file path
 * @param options `maxFileBytes`: largest file accepted (default 8 GiB)
 * @returns weights by name, in file order, and the file's metadata
 * @throws {Deno.errors.NotFound} when the file is missing; SyntaxError/TypeError/RangeError for a corrupt file
 * @throws {TypeError} when the path is not a regular file; RangeError when it is over `maxFileBytes`
 * @example
 * ```ts
 * import { readWeights, writeWeights } from "./weights_file.ts";
 * const path = await Deno.makeTempFile({ suffix: ".safetensors" });
 * await writeWeights(path, new Map([["w", { data: new Float32Array([1, 2]), shape: [2] }]]), { overwrite: true });
 * const { weights } = await readWeights(path);
 * console.log(weights.get("w")!.data); // Float32Array [1, 2]
 * ```
 */
export async function readWeights(
  path: string,
  options: { maxFileBytes?: number } = {},
): Promise<{ weights: Map<string, Weight>; metadata: Record<string, string> }> {
  const bytes = await readRegularFile(path, { maxBytes: options.maxFileBytes, what: "Weights file" });
  const file = readSafetensors(bytes, { source: path });
  const weights = new Map<string, Weight>();
  for (const [name, tensor] of file.tensors) {
    weights.set(name, { data: toFloat32(tensor), shape: tensor.shape });
  }
  return { weights, metadata: file.metadata };
}

/**
 * Writes float32 weights as a safetensors file, atomically.
 *
 * @param path file path
 * @param weights weights by name
 * @param options `overwrite` (default false: an existing file is an error and stays untouched), `metadata`,
 *   `dtype` ("F32" default; "F16" halves the file, read back as float32)
 * @returns when the file is written
 * @throws {Deno.errors.AlreadyExists} when the file exists and `overwrite` is not set
 */
export async function writeWeights(
  path: string,
  weights: ReadonlyMap<string, Weight>,
  options: { overwrite?: boolean; metadata?: Record<string, string>; dtype?: "F32" | "F16" } = {},
): Promise<void> {
  if (!options.overwrite) {
    const exists = await pathExists(path);
    if (exists) {
      throw new Deno.errors.AlreadyExists(`Refusing to overwrite "${path}" (pass overwrite to replace it)`);
    }
  }
  const half = options.dtype === "F16";
  const tensors: Record<string, { dtype: "F32" | "F16"; shape: number[]; data: Float32Array | Uint16Array }> =
    {};
  for (const [name, weight] of weights) {
    tensors[name] = half
      ? { dtype: "F16", shape: [...weight.shape], data: float32ToFloat16(weight.data) }
      : { dtype: "F32", shape: [...weight.shape], data: weight.data };
  }
  await writeFileAtomic(path, writeSafetensors(tensors, options.metadata));
}
