/**
 * Editing-direction converters: InterFaceGAN (a [1, 512] tensor) and GANSpace (`{mean [1,512], comp [K,1,512],
 * std [K]}`), checked and stored as safetensors-ready weights (spec §7).
 *
 * @module
 */

import { formatShape } from "../graph/tensor.ts";
import type { StateDict } from "./state_dict.ts";
import type { Weight } from "../io/weights_file.ts";

/**
 * An InterFaceGAN direction: `w' = w + γ·n` on every row.
 *
 * @param direction the file's tensor
 * @param source file name, for messages
 * @returns `{ direction: [1, wDim] }`
 * @throws {TypeError} when it is not [1, wDim] or not finite
 */
export function convertInterfaceGanDirection(direction: Weight, source: string): StateDict {
  if (direction.shape.length !== 2 || direction.shape[0] !== 1) {
    throw new TypeError(
      `InterFaceGAN direction "${source}" must be [1, wDim], got ${formatShape(direction.shape)}`,
    );
  }
  if (!direction.data.every(Number.isFinite)) {
    throw new TypeError(`InterFaceGAN direction "${source}" has non-finite values`);
  }
  return new Map([["direction", direction]]);
}

/**
 * A GANSpace PCA: `mean` [1, wDim], `comp` [K, 1, wDim] (contiguous after reading), `std` [K].
 *
 * @param entries the file's dict
 * @param source file name, for messages
 * @returns `{ mean, comp, std }`
 * @throws {TypeError} listing every missing or mis-shaped entry
 */
export function convertGanSpacePca(entries: ReadonlyMap<string, Weight>, source: string): StateDict {
  const mean = entries.get("mean"), comp = entries.get("comp"), std = entries.get("std");
  const problems: string[] = [];
  if (!mean || mean.shape.length !== 2 || mean.shape[0] !== 1) {
    problems.push(`mean must be [1, wDim], got ${mean ? formatShape(mean.shape) : "nothing"}`);
  }
  const wDim = mean?.shape[1] ?? 0;
  if (!comp || comp.shape.length !== 3 || comp.shape[1] !== 1 || comp.shape[2] !== wDim) {
    problems.push(`comp must be [K, 1, ${wDim}], got ${comp ? formatShape(comp.shape) : "nothing"}`);
  }
  const k = comp?.shape[0] ?? 0;
  if (!std || std.shape.length !== 1 || std.shape[0] !== k) {
    problems.push(`std must be [${k}], got ${std ? formatShape(std.shape) : "nothing"}`);
  }
  const extra = [...entries.keys()].filter((n) => !["mean", "comp", "std"].includes(n));
  if (extra.length) problems.push(`unexpected entries ${extra.join(", ")}`);
  if (problems.length) throw new TypeError(`GANSpace file "${source}": ${problems.join("; ")}`);
  return new Map([["mean", mean!], ["comp", comp!], ["std", std!]]);
}
