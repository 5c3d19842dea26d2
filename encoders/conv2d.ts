/**
 * torch `nn.Conv2d` with square kernels, parameters `weight` [O, C, k, k] and optional `bias` [O].
 *
 * @module
 */

import type { GraphBuilder } from "../graph/builder.ts";
import type { Tensor } from "../graph/tensor.ts";
import { assertShape } from "./_check.ts";

/** Options of {@linkcode conv2d}. */
export interface Conv2dOptions {
  /** Output channels O. */
  outChannels: number;
  /** Kernel side k. */
  kernelSize: number;
  /** Stride on both axes. Default 1. */
  stride?: number;
  /** Zero padding on every side. Default 0. */
  padding?: number;
  /** Whether the layer has a `bias` parameter. Default true (as torch's default). */
  bias?: boolean;
}

/**
 * Adds a 2-D convolution whose parameters are `weight` [O, C, k, k] and (when `bias`) `bias` [O] in the
 * current scope.
 *
 * @param g graph builder
 * @param x input [B, C, H, W]
 * @param options output channels, kernel, stride, padding, bias
 * @returns [B, O, H', W'] with H' = ⌊(H + 2p − k)/s⌋ + 1
 * @throws {TypeError} when x is not 4-D
 * @example
 * ```ts
 * import { GraphBuilder } from "../graph/builder.ts";
 * import { conv2d } from "./conv2d.ts";
 * const g = new GraphBuilder("conv");
 * const x = g.input("x", [1, 3, 32, 32]); // [1, 3, 32, 32]
 * const y = g.scope("conv1", () => conv2d(g, x, { outChannels: 8, kernelSize: 7, stride: 2, padding: 3, bias: false }));
 * console.log(y.shape, g.parameters.map((p) => p.name)); // [1, 8, 16, 16] ["conv1.weight"]
 * ```
 */
export function conv2d(g: GraphBuilder, x: Tensor, options: Conv2dOptions): Tensor {
  assertShape(x, [undefined, undefined, undefined, undefined], "Conv2d input");
  const { outChannels, kernelSize } = options;
  const stride = options.stride ?? 1;
  const padding = options.padding ?? 0;
  const weight = g.parameter("weight", [outChannels, x.shape[1], kernelSize, kernelSize]); // [O, C, k, k]
  const y = g.conv(x, weight, { strides: [stride, stride], pads: padding }); // [B, O, H', W']
  if (options.bias === false) return y;
  const bias = g.parameter("bias", [outChannels]); // [O]
  return g.add(y, g.reshape(bias, [1, outChannels, 1, 1])); // [B, O, H', W']
}
