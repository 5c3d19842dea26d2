/**
 * What WebGPU adapter this machine offers, asked in a child process so that the Vulkan loader's and the drivers'
 * messages (`XDG_RUNTIME_DIR is invalid…`, Dawn's adapter warnings), which they print straight to the process's
 * stderr, never reach the user. `auto` uses it to skip software adapters (SwiftShader, llvmpipe/lavapipe: WebGPU
 * calls them fallback adapters), which run our graphs 6–28× slower than the CPU provider; `--device webgpu`
 * still uses them.
 *
 * @module
 */

/** The adapter WebGPU would use, as Deno's `navigator.gpu` reports it. */
export interface GpuAdapterReport {
  /** Whether an adapter was found. */
  readonly found: boolean;
  /** A software adapter (WebGPU's `isFallbackAdapter`). */
  readonly fallback: boolean;
  /** The adapter's description, e.g. "SwiftShader Device (Subzero)" or "llvmpipe (LLVM 15.0.6, 256 bits)". */
  readonly description: string;
}

const PROBE = `
const adapter = await navigator.gpu?.requestAdapter();
console.log(JSON.stringify(adapter
  ? { found: true, fallback: adapter.info.isFallbackAdapter, description: adapter.info.description }
  : { found: false, fallback: false, description: "" }));
`;

let cached: Promise<GpuAdapterReport | null> | undefined;

/**
 * The machine's WebGPU adapter, probed once per process in a quiet child process (≈ 0.1–0.3 s).
 *
 * @returns the adapter report, or null when the probe could not run (then nothing is known)
 * @example
 * ```ts
 * import { probeWebGpuAdapter } from "./gpu_adapter_probe.ts";
 * const report = await probeWebGpuAdapter();
 * console.log(report === null || typeof report.fallback === "boolean"); // true
 * ```
 */
export function probeWebGpuAdapter(): Promise<GpuAdapterReport | null> {
  cached ??= runProbe();
  return cached;
}

async function runProbe(): Promise<GpuAdapterReport | null> {
  try {
    const child = new Deno.Command(Deno.execPath(), {
      args: ["eval", "--quiet", PROBE],
      stdin: "null",
      stdout: "piped",
      stderr: "null",
      env: { NO_COLOR: "1" },
    }).spawn();
    const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
    const { success, stdout } = await child.output().finally(() => clearTimeout(timer));
    if (!success) return null;
    const line = new TextDecoder().decode(stdout).trim().split("\n").pop() ?? "";
    const parsed = JSON.parse(line) as GpuAdapterReport;
    return typeof parsed.found === "boolean" ? parsed : null;
  } catch {
    return null;
  }
}

/**
 * Why `auto` should not use WebGPU here, or null when it may: no adapter, or only a software one.
 *
 * @param report what {@linkcode probeWebGpuAdapter} found
 * @returns the reason, or null
 * @example
 * ```ts
 * import { autoWebGpuRefusal } from "./gpu_adapter_probe.ts";
 * console.log(autoWebGpuRefusal({ found: true, fallback: true, description: "SwiftShader Device (Subzero)" }));
 * // "only a software WebGPU adapter (SwiftShader Device (Subzero)); --device webgpu uses it anyway"
 * console.log(autoWebGpuRefusal({ found: true, fallback: false, description: "NVIDIA H200" })); // null
 * ```
 */
export function autoWebGpuRefusal(report: GpuAdapterReport | null): string | null {
  if (report === null) return "the WebGPU adapter probe failed";
  if (!report.found) return "no WebGPU adapter";
  if (report.fallback) {
    return `only a software WebGPU adapter (${
      report.description || "fallback"
    }); --device webgpu uses it anyway`;
  }
  return null;
}
