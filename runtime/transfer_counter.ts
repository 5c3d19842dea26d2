/**
 * Host↔device traffic, counted at the runtime boundary: every feed of a run is a host tensor that a GPU provider
 * (`cuda`, `webgpu`) uploads, every output one it downloads, and the baked weights (initializers) are uploaded
 * once, when the session is created. Sessions of every provider are counted (on the CPU provider the same
 * tensors cross the boundary, only without a copy), so a CPU run measures what a GPU run would move. The counts
 * are per isolate.
 *
 * @module
 */

/** Bytes crossing the runtime boundary since the last {@linkcode resetHostDeviceBytes}. */
export interface HostDeviceBytes {
  /** Baked weights uploaded at session creation. */
  initializers: number;
  /** Feeds uploaded by runs. */
  uploaded: number;
  /** The part of `uploaded` that is fed parameters (weights re-sent at every run instead of baked in once). */
  uploadedWeights: number;
  /** Outputs downloaded by runs. */
  downloaded: number;
  /** Runs counted. */
  runs: number;
}

const counts: HostDeviceBytes = { initializers: 0, uploaded: 0, uploadedWeights: 0, downloaded: 0, runs: 0 };

/**
 * The bytes counted so far (a copy).
 *
 * @returns the counts
 * @example
 * ```ts
 * import { hostDeviceBytes, resetHostDeviceBytes } from "./transfer_counter.ts";
 * resetHostDeviceBytes();
 * console.log(hostDeviceBytes().uploaded); // 0
 * ```
 */
export function hostDeviceBytes(): HostDeviceBytes {
  return { ...counts };
}

/** Sets every count to zero. */
export function resetHostDeviceBytes(): void {
  for (const key of Object.keys(counts) as (keyof HostDeviceBytes)[]) counts[key] = 0;
}

/**
 * Adds one event to the counts (called by runtime/session.ts).
 *
 * @param kind what moved
 * @param bytes how many bytes
 */
export function countHostDeviceBytes(
  kind: "initializers" | "uploaded" | "uploadedWeights" | "downloaded",
  bytes: number,
): void {
  counts[kind] += bytes;
  if (kind === "downloaded") counts.runs++;
}
