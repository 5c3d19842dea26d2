/**
 * The official fusion head, shared by every operator so that the ablations differ only in what they feed it:
 * `ReLU(InstanceNorm(Conv1×1(h) + b))` with parameters `0.weight` [C', Cin, 1, 1] and `0.bias` [C'] (the
 * index 0 of the official `nn.Sequential`, hypernetwork.py L23-27).
 *
 * @module
 */

import type { GraphBuilder } from "../../graph/builder.ts";
import type { Tensor } from "../../graph/tensor.ts";
import { conv2d, instanceNorm } from "../_layers.ts";

/**
 * Adds the fusion head.
 *
 * @param g graph builder
 * @param h the operator's combined input [B, Cin, S, S]
 * @param outChannels C'
 * @returns [B, C', S, S], non-negative
 */
export function fusionHead(g: GraphBuilder, h: Tensor, outChannels: number): Tensor {
  if (!Number.isInteger(outChannels) || outChannels < 1) {
    throw new RangeError(`Fusion outChannels must be a positive integer, got ${outChannels}`);
  }
  const projected = conv2d(g, h, "0", { outChannels, kernel: 1 }); // [B, C', S, S]
  return g.relu(instanceNorm(g, projected)); // [B, C', S, S]
}
