/**
 * `deno run -A bench/gpu_table.ts --device cuda|webgpu [--batches 1,4,8,16,32] [--runs 3] [--peak-tflops T]
 * [--skip-goldens]`: the GPU table for a person with a GPU. Rows: FFHQ-1024 D=128 and church-256 inversion at
 * batch 1 and at the best batch of `--batches` (each batch in its own process, bench/_inversion_row.ts), with
 * ms/image, provider, device name and the fraction of the GPU's FP32 peak (known names below, or
 * `--peak-tflops`); then the goldens on that device: tests/_gpu_path_checks.ts (per-op, the default model, the
 * 64² goldens, a training step against the CPU) and tests/_gpu_full_goldens.ts (church-256, FFHQ-1024).
 * Prints one JSON row per line, then a Markdown table. Goal on an H100/H200-class GPU: ≤ 10 ms/image at 1024
 * batched (the paper: 92 ms on a V100). Not yet run on real hardware.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { parseDevice } from "../runtime/devices.ts";
import { probeWebGpuAdapter } from "../runtime/gpu_adapter_probe.ts";

/** Dense FP32 peak (TFLOP/s, no tensor cores) of GPUs by a part of their name, from the vendors' data sheets. */
export const FP32_PEAK_TFLOPS: readonly [RegExp, number][] = [
  [/H200/i, 67],
  [/H100.*PCIe/i, 51],
  [/H100/i, 67],
  [/A100/i, 19.5],
  [/V100/i, 15.7],
  [/L40S/i, 91.6],
  [/L4\b/i, 30.3],
  [/A10\b/i, 31.2],
  [/RTX 4090/i, 82.6],
  [/RTX 3090/i, 35.6],
  [/T4\b/i, 8.1],
];

/**
 * The FP32 peak of a GPU, by its name.
 *
 * @param name the device name (e.g. from nvidia-smi)
 * @returns TFLOP/s, or null when the name is not known
 * @example
 * ```ts
 * import { peakTflops } from "./gpu_table.ts";
 * console.log(peakTflops("NVIDIA H200"), peakTflops("SwiftShader Device (Subzero)")); // 67 null
 * ```
 */
export function peakTflops(name: string): number | null {
  return FP32_PEAK_TFLOPS.find(([pattern]) => pattern.test(name))?.[1] ?? null;
}

async function deviceName(device: string): Promise<string> {
  if (device === "webgpu") return (await probeWebGpuAdapter())?.description || "unknown WebGPU adapter";
  try {
    const { stdout } = await new Deno.Command("nvidia-smi", {
      args: ["--query-gpu=name", "--format=csv,noheader"],
      stderr: "null",
    }).output();
    return new TextDecoder().decode(stdout).trim().split("\n")[0] || "unknown CUDA device";
  } catch {
    return "unknown CUDA device (no nvidia-smi)";
  }
}

interface InversionRow {
  name: string;
  ms_per_image: number;
  provider: string;
  batch: number;
  gflop_per_image: number;
  achieved_gflops: number;
}

async function inversionRow(
  model: string,
  batch: number,
  runs: number,
  device: string,
): Promise<InversionRow> {
  const script = new URL("./_inversion_row.ts", import.meta.url).pathname;
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", script, model, String(batch), String(runs), `--device=${device}`],
    stderr: "inherit",
  }).output();
  if (!output.success) throw new Error(`Inversion row ${model} batch ${batch} on ${device} failed`);
  return JSON.parse(new TextDecoder().decode(output.stdout).trim().split("\n").at(-1)!);
}

async function goldens(file: string, device: string): Promise<{ passed: boolean; seconds: number }> {
  const start = performance.now();
  const { success } = await new Deno.Command(Deno.execPath(), {
    args: ["test", "-A", "--no-check", new URL(`../tests/${file}`, import.meta.url).pathname],
    env: { HYPERINVERTER_GPU_DEVICE: device },
    stdout: "inherit",
    stderr: "inherit",
  }).output();
  return { passed: success, seconds: Math.round((performance.now() - start) / 100) / 10 };
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      device: { type: "string", default: "webgpu" },
      batches: { type: "string", default: "1,4,8,16,32" },
      runs: { type: "string", default: "3" },
      "peak-tflops": { type: "string" },
      "skip-goldens": { type: "boolean", default: false },
    },
    strict: true,
  });
  const device = parseDevice(values.device);
  const batches = values.batches.split(",").map(Number);
  if (batches.some((b) => !Number.isInteger(b) || b < 1)) {
    throw new RangeError(`--batches must list positive integers, got "${values.batches}"`);
  }
  const name = await deviceName(device);
  const peak = values["peak-tflops"] !== undefined ? Number(values["peak-tflops"]) : peakTflops(name);
  const table: string[] = [
    `GPU table: ${name} (${device}; FP32 peak ${peak ?? "unknown"} TFLOP/s)`,
    "| model | batch | ms/image | provider | device | GFLOP/s | fraction of peak |",
    "|---|---|---|---|---|---|---|",
  ];
  for (const model of ["ffhq1024", "church256"]) {
    const rows: InversionRow[] = [];
    for (const batch of batches) {
      try {
        const row = await inversionRow(model, batch, Number(values.runs), device);
        rows.push(row);
        console.log(JSON.stringify({ ...row, device_name: name }));
      } catch (error) {
        console.error(`${(error as Error).message}; larger batches skipped`);
        break;
      }
    }
    const best = rows.reduce<InversionRow | null>(
      (a, r) => !a || r.ms_per_image < a.ms_per_image ? r : a,
      null,
    );
    for (const row of new Set([rows.find((r) => r.batch === 1), best])) {
      if (!row) continue;
      const fraction = peak ? (row.achieved_gflops / (peak * 1000)).toFixed(3) : "?";
      table.push(
        `| ${model} | ${row.batch}${
          row === best ? " (best)" : ""
        } | ${row.ms_per_image} | ${row.provider} | ${name} | ${row.achieved_gflops} | ${fraction} |`,
      );
    }
  }
  if (!values["skip-goldens"]) {
    for (const file of ["_gpu_path_checks.ts", "_gpu_full_goldens.ts"]) {
      const { passed, seconds } = await goldens(file, device);
      table.push(`goldens ${file} on ${device}: ${passed ? "passed" : "FAILED"} in ${seconds} s`);
    }
  }
  console.log(table.join("\n"));
}
