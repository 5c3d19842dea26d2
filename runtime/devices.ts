/**
 * Device names and the ONNX Runtime execution providers behind them.
 *
 * @module
 */

/** The device names users pass (`--device`). */
export const DEVICE_NAMES = ["cpu", "cuda", "webgpu", "auto"] as const;

/** A device name. */
export type DeviceName = typeof DEVICE_NAMES[number];

/** An ONNX Runtime execution provider that a session can run on. */
export type ProviderName = "cpu" | "cuda" | "webgpu";

/**
 * Checks a device name.
 *
 * @param device the name to check, e.g. from a command line
 * @returns the name, typed
 * @throws {RangeError} listing the valid names when it is not one of them
 * @example
 * ```ts
 * import { parseDevice } from "./devices.ts";
 * console.log(parseDevice("cpu")); // "cpu"
 * ```
 */
export function parseDevice(device: string): DeviceName {
  if ((DEVICE_NAMES as readonly string[]).includes(device)) return device as DeviceName;
  throw new RangeError(`Unknown device "${device}"; valid devices are: ${DEVICE_NAMES.join(", ")}`);
}

/**
 * The providers to try, in order, for a device. An explicit device is tried alone (so a missing GPU is an
 * error, never a silent CPU run); `auto` tries the GPU providers and falls back to the CPU.
 *
 * @param device a device name
 * @returns candidate providers, in order of preference
 * @example
 * ```ts
 * import { providerCandidates } from "./devices.ts";
 * console.log(providerCandidates("auto")); // ["cuda", "webgpu", "cpu"]
 * ```
 */
export function providerCandidates(device: DeviceName): ProviderName[] {
  switch (device) {
    case "cpu":
      return ["cpu"];
    case "cuda":
      return ["cuda"];
    case "webgpu":
      return ["webgpu"];
    case "auto":
      return ["cuda", "webgpu", "cpu"];
  }
}
