/**
 * Build-time shape checks shared by the encoder modules.
 *
 * @module
 */

import { formatShape, type Tensor } from "../graph/tensor.ts";

/**
 * Throws a TypeError unless `x` is 4-D and matches `expected` where it gives a size (undefined = any).
 *
 * @param x the tensor
 * @param expected expected sizes, `undefined` for a free axis
 * @param what what the tensor is, for the message (e.g. `W encoder input`)
 */
export function assertShape(x: Tensor, expected: readonly (number | undefined)[], what: string): void {
  const fits = x.rank === expected.length && expected.every((d, i) => d === undefined || d === x.shape[i]);
  if (!fits) {
    const wanted = `[${expected.map((d, i) => d ?? (i === 0 ? "B" : "*")).join(", ")}]`;
    throw new TypeError(`${what} "${x.name}" has shape ${formatShape(x.shape)}, expected ${wanted}`);
  }
}
