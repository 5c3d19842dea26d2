/**
 * From what the safe PyTorch reader returns (dicts, lists, tensors, persistent-object stand-ins) to the state
 * dicts and options the converters take.
 *
 * @module
 */

import { adaModuleStateDict } from "../io/ada_pickle.ts";
import {
  flattenStateDict,
  isTorchTensor,
  readTorchFileFromPath,
  tensorToFloat32,
  type TorchTensor,
} from "../io/torch_file.ts";
import type { Weight } from "../io/weights_file.ts";
import type { StateDict } from "./state_dict.ts";

/**
 * A tensor as a contiguous float32 weight.
 *
 * @param tensor a tensor from the reader
 * @returns its values, row-major, and its shape
 */
export function tensorWeight(tensor: TorchTensor): Weight {
  return { data: tensorToFloat32(tensor), shape: [...tensor.shape] };
}

/**
 * A nested dict of tensors as a flat state dict of float32 weights.
 *
 * @param value a dict (Map) tree holding tensors
 * @param prefix a prefix for every name
 * @returns name → weight
 */
export function stateDictOf(value: unknown, prefix = ""): StateDict {
  const out: StateDict = new Map();
  for (const [name, tensor] of flattenStateDict(value, prefix)) out.set(name, tensorWeight(tensor));
  return out;
}

/**
 * The value of a key of a dict-like value (a Map from the reader, or a plain object such as an argparse Namespace).
 *
 * @param value the container
 * @param key the key
 * @returns the value, or undefined
 */
export function field(value: unknown, key: string): unknown {
  if (value instanceof Map) return value.get(key);
  if (value && typeof value === "object") return (value as Record<string, unknown>)[key];
  return undefined;
}

/**
 * Reads a PyTorch file (zip, legacy or plain pickle) safely: a restricted unpickler, nothing executed.
 *
 * @param path the file
 * @returns the unpickled value (maps, lists, tensors)
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { referenceFixturesRoot } from "../io/reference_fixture.ts";
 * import { field, readTorch } from "./torch_values.ts";
 * const value = await readTorch(`${referenceFixturesRoot()}/generator-64/rosinality_g_ema.pt`);
 * assert.ok(field(value, "g_ema") !== undefined);
 * ```
 */
export function readTorch(path: string | URL): Promise<unknown> {
  return readTorchFileFromPath(path);
}
export { adaModuleStateDict, isTorchTensor };
