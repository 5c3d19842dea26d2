/**
 * The coach's `face_pool` = `AdaptiveAvgPool2d(256)` (spec §5: P), applied to the final and target images
 * before L2, LPIPS and ID. For sizes that are a multiple of 256 (1024 → 4×4 blocks) it is a plain average
 * pool with kernel = stride = the factor.
 *
 * @module
 */

import type { GraphBuilder } from "../graph/builder.ts";
import type { Tensor } from "../graph/tensor.ts";
import { assertImages } from "./_check.ts";

/**
 * AdaptiveAvgPool2d(size) for an integer factor: the mean of each factor×factor block (AveragePool, no pads).
 *
 * @param g graph builder
 * @param x images [B, C, H, W] with H and W multiples of `size`
 * @param size output side. Default 256
 * @returns [B, C, size, size] (x itself when it is already that size)
 * @throws {TypeError} when x is not 4-D
 * @throws {RangeError} when H or W is not a positive multiple of size (torch's general adaptive windows
 *   overlap; they are not implemented)
 * @example
 * ```ts
 * import { GraphBuilder } from "../graph/builder.ts";
 * import { faceAveragePool } from "./face_pool.ts";
 * const g = new GraphBuilder("pool");
 * console.log(faceAveragePool(g, g.input("img", [2, 3, 1024, 1024])).shape); // [2, 3, 256, 256]
 * ```
 */
export function faceAveragePool(g: GraphBuilder, x: Tensor, size = 256): Tensor {
  assertImages(x, "Face pool");
  const [, , h, w] = x.shape;
  if (!Number.isInteger(size) || size < 1 || h % size !== 0 || w % size !== 0) {
    throw new RangeError(`Face pool: ${h}×${w} is not a multiple of the output size ${size}`);
  }
  const fh = h / size;
  const fw = w / size;
  if (fh === 1 && fw === 1) return x;
  return g.node("AveragePool", [x], { kernel_shape: [fh, fw], strides: [fh, fw] })[0]; // [B, C, size, size]
}
