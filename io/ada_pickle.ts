/**
 * ADA / NVlabs network pickles (`network-snapshot-*.pkl`, `G_ema.pkl`): each network is a
 * `torch_utils.persistence` object whose `state` is the module's `__dict__`. This file turns such an object tree
 * into the flat state dict that `module.state_dict()` would give, without running the pickled source.
 *
 * @module
 */

import { isPersistentObject, isTorchTensor, type PersistentObject, type TorchTensor } from "./torch_file.ts";

function stateMap(module: PersistentObject, path: string): Map<unknown, unknown> {
  if (!(module.state instanceof Map)) {
    throw new TypeError(`ADA module ${path || "(root)"} (${module.__class__}) has no dict state`);
  }
  return module.state;
}

function entriesOf(value: unknown, what: string): Array<[unknown, unknown]> {
  if (value === undefined || value === null) return [];
  if (!(value instanceof Map)) throw new TypeError(`ADA module field ${what} is not a dict`);
  return [...value];
}

/**
 * The flat state dict of an ADA persistence object (a `torch.nn.Module`), in `state_dict()` order: for each
 * module, its `_parameters`, then its persistent `_buffers` (those not in `_non_persistent_buffers_set`), then
 * each child of `_modules` recursively, names joined with "."; `None` entries are skipped.
 *
 * @param module the object, for example `file.get("G_ema")` of a `G_ema.pkl` read by `readTorchFile`
 * @param prefix prepended to every name (default none)
 * @returns tensors by name, for example `synthesis.b4.conv1.weight`
 * @throws {TypeError} when an object in the tree is not a module
 *
 * @example
 * ```ts
 * import { adaModuleStateDict } from "./ada_pickle.ts";
 * const storage = { dtype: "float32" as const, data: new Float32Array(4) };
 * const weight = { dtype: "float32" as const, shape: [2, 2], stride: [2, 1], storageOffset: 0, storage };
 * const module = (name: string, state: [string, unknown][]) =>
 *   ({ __class__: name, type: "class", version: 6, moduleSrc: "", state: new Map(state) });
 * const fc = module("FullyConnectedLayer", [["_parameters", new Map([["weight", weight]])]]);
 * const g = module("Generator", [["_modules", new Map([["fc0", fc]])]]);
 * console.log([...adaModuleStateDict(g).keys()]); // [ "fc0.weight" ]
 * ```
 */
export function adaModuleStateDict(module: unknown, prefix = ""): Map<string, TorchTensor> {
  const out = new Map<string, TorchTensor>();
  const visit = (node: unknown, path: string, depth: number): void => {
    if (depth > 1000) throw new RangeError(`ADA module tree nests deeper than 1000 at "${path}"`);
    if (!isPersistentObject(node)) {
      throw new TypeError(`ADA module ${path || "(root)"} is not a persistence object (${typeof node})`);
    }
    const state = stateMap(node, path);
    const name = (key: unknown) => `${path}${String(key)}`;
    for (const [key, tensor] of entriesOf(state.get("_parameters"), `${path}_parameters`)) {
      if (tensor === null) continue;
      if (!isTorchTensor(tensor)) throw new TypeError(`ADA parameter ${name(key)} is not a tensor`);
      out.set(name(key), tensor);
    }
    const nonPersistent = state.get("_non_persistent_buffers_set");
    for (const [key, tensor] of entriesOf(state.get("_buffers"), `${path}_buffers`)) {
      if (tensor === null || (nonPersistent instanceof Set && nonPersistent.has(key))) continue;
      if (!isTorchTensor(tensor)) throw new TypeError(`ADA buffer ${name(key)} is not a tensor`);
      out.set(name(key), tensor);
    }
    for (const [key, child] of entriesOf(state.get("_modules"), `${path}_modules`)) {
      if (child !== null) visit(child, `${name(key)}.`, depth + 1);
    }
  };
  visit(module, prefix ? `${prefix}.` : "", 0);
  return out;
}
