/**
 * The runtime boundary: device names → ONNX Runtime execution providers, cached sessions, host tensors and
 * weight feeds. The only part of the project that imports onnxruntime.
 *
 * @example
 * ```ts
 * import { GraphBuilder } from "../graph/mod.ts";
 * import { sessionFor } from "./mod.ts";
 * const g = new GraphBuilder("square");
 * const x = g.input("x", [2]);
 * g.output(g.mul(x, x), "y");
 * const { outputs, provider } = await (await sessionFor(g, { device: "auto" })).run({ x: new Float32Array([3, 4]) });
 * console.log(outputs.y.data, provider); // Float32Array [9, 16] "cpu" (on a machine without a GPU)
 * ```
 *
 * @module
 */
export {
  DEVICE_NAMES,
  type DeviceName,
  parseDevice,
  providerCandidates,
  type ProviderName,
} from "./devices.ts";
export {
  dtypeOf,
  type HostData,
  type HostTensor,
  hostTensor,
  releaseHostData,
  toNdarray,
} from "./host_tensor.ts";
export {
  type Feed,
  GraphSession,
  type GraphSessionOptions,
  type RunOptions,
  type RunResult,
  sessionFor,
} from "./session.ts";
export { parameterFeeds, type WeightValue } from "./weights.ts";
export { ortBinaryDirectory, providerUnavailableReason } from "./provider_probe.ts";
export { retainFreedMemory, type RetainFreedMemoryResult } from "./retained_memory.ts";
