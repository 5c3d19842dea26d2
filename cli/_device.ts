/**
 * The device check the commands make before loading a model: an explicit `cuda` or `webgpu` whose provider cannot
 * start here is refused at once, instead of after the model has loaded.
 *
 * @module
 */

import { UsageError } from "../io/command_line.ts";
import { parseDevice } from "../runtime/devices.ts";
import { providerUnavailableReason } from "../runtime/provider_probe.ts";

/**
 * Checks that a device can be used on this machine (`auto` always can: it falls back to the CPU).
 *
 * @param device a device name from the command line
 * @throws {UsageError} naming the device and why it cannot start, or listing the valid names
 * @example
 * ```ts
 * import { checkDevice } from "./_device.ts";
 * checkDevice("cpu");
 * try {
 *   checkDevice("foo");
 * } catch (error) {
 *   console.log((error as Error).message); // Unknown device "foo"; valid devices are: cpu, cuda, webgpu, auto
 * }
 * ```
 */
export function checkDevice(device: string): void {
  let name;
  try {
    name = parseDevice(device);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (name === "auto") return;
  const reason = providerUnavailableReason(name);
  if (reason) throw new UsageError(`--device ${name} cannot start on this machine: ${reason}`);
}
