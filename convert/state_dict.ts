/**
 * State dicts as converters see them (name → float32 weight with its shape), and the check every converter runs:
 * every expected name present with its shape, nothing unexpected, all differences listed at once.
 *
 * @module
 */

import { formatShape, sameShape } from "../graph/tensor.ts";
import type { Weight } from "../io/weights_file.ts";

/** Name → weight. */
export type StateDict = Map<string, Weight>;

/** An expected tensor: its name and shape. */
export interface ExpectedTensor {
  /** The tensor's name in the state dict. */
  readonly name: string;
  /** Its shape. */
  readonly shape: readonly number[];
}

/**
 * Compares a state dict with what a module expects.
 *
 * @param actual the file's tensors
 * @param expected the module's tensors
 * @param options `ignore`: a predicate for file entries that are known and unused (e.g. `num_batches_tracked`)
 * @returns one line per difference (empty when they agree)
 * @example
 * ```ts
 * import { stateDictDifferences } from "./state_dict.ts";
 * const actual = new Map([["w", { data: new Float32Array(6), shape: [2, 3] }]]);
 * console.log(stateDictDifferences(actual, [{ name: "w", shape: [3, 2] }, { name: "b", shape: [2] }]));
 * // ["missing b [2]", "w: shape [2, 3], expected [3, 2]"]
 * ```
 */
export function stateDictDifferences(
  actual: ReadonlyMap<string, Weight>,
  expected: readonly ExpectedTensor[],
  options: { ignore?: (name: string) => boolean } = {},
): string[] {
  const missing: string[] = [];
  const mismatched: string[] = [];
  const expectedNames = new Set<string>();
  for (const { name, shape } of expected) {
    expectedNames.add(name);
    const weight = actual.get(name);
    if (!weight) missing.push(`missing ${name} ${formatShape(shape)}`);
    else if (!sameShape(weight.shape, shape)) {
      mismatched.push(`${name}: shape ${formatShape(weight.shape)}, expected ${formatShape(shape)}`);
    }
  }
  const unexpected = [...actual.keys()]
    .filter((name) => !expectedNames.has(name) && !(options.ignore?.(name) ?? false))
    .map((name) => `unexpected ${name} ${formatShape(actual.get(name)!.shape)}`);
  return [...missing, ...mismatched, ...unexpected];
}

/**
 * Throws when a state dict does not fit, listing every difference.
 *
 * @param actual the file's tensors
 * @param expected the module's tensors
 * @param what what is being converted, for the message (e.g. `HyperInverter checkpoint "x.pt", hypernet`)
 * @param options as {@linkcode stateDictDifferences}
 * @throws {TypeError} listing all differences
 */
export function assertStateDictFits(
  actual: ReadonlyMap<string, Weight>,
  expected: readonly ExpectedTensor[],
  what: string,
  options: { ignore?: (name: string) => boolean } = {},
): void {
  const differences = stateDictDifferences(actual, expected, options);
  if (differences.length) {
    const shown = differences.slice(0, 60);
    const more = differences.length > shown.length
      ? `\n  … and ${differences.length - shown.length} more`
      : "";
    throw new TypeError(
      `${what} does not fit the architecture (${differences.length} difference(s)):\n  ${
        shown.join("\n  ")
      }${more}`,
    );
  }
}

/**
 * The entries of a state dict under a prefix, with the prefix removed.
 *
 * @param stateDict the whole state dict
 * @param prefix e.g. `"hypernet."`
 * @returns the sub-dict
 */
export function subStateDict(stateDict: ReadonlyMap<string, Weight>, prefix: string): StateDict {
  const out: StateDict = new Map();
  for (const [name, weight] of stateDict) {
    if (name.startsWith(prefix)) out.set(name.slice(prefix.length), weight);
  }
  return out;
}
