/**
 * Build-time shape checks shared by the losses.
 *
 * @module
 */

import { formatShape, type Tensor } from "../graph/tensor.ts";

/**
 * Throws a TypeError unless two tensors have the same shape.
 *
 * @param a first tensor
 * @param b second tensor
 * @param what the loss, for the message
 */
export function assertSameShape(a: Tensor, b: Tensor, what: string): void {
  if (a.rank !== b.rank || a.shape.some((d, i) => d !== b.shape[i])) {
    throw new TypeError(
      `${what}: "${a.name}" has shape ${formatShape(a.shape)} but "${b.name}" has ${formatShape(b.shape)}`,
    );
  }
}

/**
 * Throws a TypeError unless x is an NCHW batch with `channels` channels (when given).
 *
 * @param x the tensor
 * @param what the loss and role, for the message
 * @param channels required channel count, or undefined for any
 */
export function assertImages(x: Tensor, what: string, channels?: number): void {
  if (x.rank !== 4 || (channels !== undefined && x.shape[1] !== channels)) {
    throw new TypeError(
      `${what}: "${x.name}" has shape ${formatShape(x.shape)}, expected [B, ${channels ?? "C"}, H, W]`,
    );
  }
}

/** All axes of a tensor except the first (the batch). */
export function nonBatchAxes(x: Tensor): number[] {
  return x.shape.map((_, i) => i).slice(1);
}
