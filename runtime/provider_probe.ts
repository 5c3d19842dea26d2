/**
 * Cheap checks of whether an execution provider can start on this machine, so that `auto` skips the ones that
 * cannot (without ONNX Runtime's native error logs). Explicit devices are always tried, and fail loudly.
 *
 * @module
 */

import { ORT_PACKAGE_ENTRY } from "../deps.ts";
import type { ProviderName } from "./devices.ts";

/** Like io/atomic_write.ts's pathExistsSync, kept here because runtime/ sits below io/ (tests/layering.ts). */
function exists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}

/** The folder that holds onnxruntime-node's native libraries on this platform. */
export function ortBinaryDirectory(): string {
  const os = Deno.build.os === "windows" ? "win32" : Deno.build.os;
  const arch = Deno.build.arch === "x86_64" ? "x64" : "arm64";
  return new URL(`../bin/napi-v6/${os}/${arch}/`, ORT_PACKAGE_ENTRY).pathname;
}

/**
 * Which CUDA provider library is missing from a folder, or null when both are there. ONNX Runtime loads the CUDA
 * provider through its shared-provider bridge, so both libraries (NuGet package
 * `Microsoft.ML.OnnxRuntime.Gpu.Linux` 1.30.0, `runtimes/linux-x64/native/`) must lie beside `libonnxruntime.so.1`.
 *
 * @param directory the folder (ending in `/`), normally {@linkcode ortBinaryDirectory}
 * @returns a reason naming the first missing library, or null
 * @example
 * ```ts
 * import { cudaLibraryMissing } from "./provider_probe.ts";
 * console.log(cudaLibraryMissing("/nonexistent/")); // "libonnxruntime_providers_cuda.so is not installed in /nonexistent/" (on Linux)
 * ```
 */
export function cudaLibraryMissing(directory: string): string | null {
  const libraries = Deno.build.os === "windows"
    ? ["onnxruntime_providers_cuda.dll", "onnxruntime_providers_shared.dll"]
    : ["libonnxruntime_providers_cuda.so", "libonnxruntime_providers_shared.so"];
  const missing = libraries.find((library) => !exists(`${directory}${library}`));
  return missing ? `${missing} is not installed in ${directory}` : null;
}

/**
 * Why a provider cannot start here, or null when it might.
 *
 * @param provider a provider name
 * @returns a reason, or null
 * @example
 * ```ts
 * import { providerUnavailableReason } from "./provider_probe.ts";
 * console.log(providerUnavailableReason("cpu")); // null
 * ```
 */
export function providerUnavailableReason(provider: ProviderName): string | null {
  if (provider === "cpu") return null;
  if (provider === "cuda") return cudaLibraryMissing(ortBinaryDirectory());
  if (provider === "webgpu" && Deno.build.os === "linux") {
    const directories = [
      ...(Deno.env.get("LD_LIBRARY_PATH") ?? "").split(":").filter(Boolean),
      "/usr/lib/x86_64-linux-gnu",
      "/usr/lib/aarch64-linux-gnu",
      "/usr/lib64",
      "/usr/lib",
      "/usr/local/lib",
    ];
    return directories.some((d) => exists(`${d}/libvulkan.so.1`))
      ? null
      : "no Vulkan loader (libvulkan.so.1) for the WebGPU provider";
  }
  return null;
}
