/**
 * One inversion benchmark row, run in its own process so that its peak memory is its own:
 * `deno run -A bench/_inversion_row.ts <ffhq1024|church256> <batch> <runs> [low-memory] [--device=D] [--peak=G]`
 * prints one JSON row (`--device`: `cpu` by default, or `cuda`, `webgpu`, `auto`; `--peak`: the GFLOP/s
 * bench/mod.ts measured in this run, else this process measures it, bench/_peak.ts).
 * Protocol as the official timings (TIMINGS.md): weights built first, peak RSS reset right before the warm-up
 * (so it covers model + activations), 1 warm-up, then `runs` timed calls; the median is reported.
 *
 * @module
 */

import { countMacs } from "../graph/flops.ts";
import { loadReferenceFixture } from "../io/reference_fixture.ts";
import { prngFill } from "../io/prng.ts";
import { resolveArchitecture } from "../model/architecture.ts";
import { HyperInverter } from "../model/hyperinverter.ts";
import { CHURCH_256_D64, FFHQ_1024_D128 } from "../model/presets.ts";
import { pipelineWeightsFromFixture } from "../model/reference_weights.ts";
import { measurePeak } from "./_peak.ts";

/** Official code with OpenBLAS (TIMINGS.md second row set: another day, not this run). */
const ANCHORS = {
  ffhq1024: {
    fixture: "hyperinverter-ffhq1024",
    architecture: FFHQ_1024_D128,
    officialMs: 8390,
    officialPeakMiB: 2678,
  },
  church256: {
    fixture: "hyperinverter-church256",
    architecture: CHURCH_256_D64,
    officialMs: 2840,
    officialPeakMiB: 1506,
  },
} as const;

function peakRssMiB(): number {
  const status = Deno.readTextFileSync("/proc/self/status");
  const match = status.match(/VmHWM:\s+(\d+) kB/);
  return match ? Number(match[1]) / 1024 : NaN;
}

function resetPeakRss(): void {
  try {
    Deno.writeTextFileSync("/proc/self/clear_refs", "5");
  } catch {
    // Not permitted on this kernel: the peak then also covers weight construction.
  }
}

const device = Deno.args.find((a) => a.startsWith("--device="))?.slice(9) ?? "cpu";
const peakText = Deno.args.find((a) => a.startsWith("--peak="))?.slice(7);
const [name, batchText, runsText, memory] = Deno.args.filter((a) => !a.startsWith("--"));
const lowMemory = memory === "low-memory";
const int8 = memory === "int8";
if (memory !== undefined && !lowMemory && !int8) {
  throw new RangeError(`Unknown mode "${memory}"; modes: low-memory, int8 (or none)`);
}
const anchor = ANCHORS[name as keyof typeof ANCHORS];
if (!anchor) throw new RangeError(`Unknown row "${name}"; rows: ${Object.keys(ANCHORS).join(", ")}`);
const peakGflops = peakText ? Number(peakText) : (await measurePeak({ device })).peak_gflops_measured;
if (!(peakGflops > 0)) throw new RangeError(`--peak must be a positive GFLOP/s, got "${peakText}"`);
const batch = Number(batchText ?? 1);
const runs = Number(runsText ?? 3);
const fixture = await loadReferenceFixture(anchor.fixture);
const model = new HyperInverter(
  resolveArchitecture(anchor.architecture),
  pipelineWeightsFromFixture(fixture),
  {
    device,
    lowMemory,
    precision: int8 ? "int8" : "float32",
  },
);
const resolution = model.resolution;
const images = prngFill(11, 0, batch * 3 * resolution * resolution, 0, 0.9);
const macsPerImage = countMacs(model.graph(batch)).total / batch;
resetPeakRss();
await model.invert(images, batch);
const times: number[] = [];
let provider = "";
const stages: Record<string, number[]> = {};
for (let i = 0; i < runs; i++) {
  const result = await model.invert(images, batch);
  times.push(result.milliseconds);
  provider = result.provider;
  for (const [stage, ms] of Object.entries(result.stageMilliseconds)) (stages[stage] ??= []).push(ms);
}
times.sort((a, b) => a - b);
const peakMiB = peakRssMiB();
// The int8 row's error: the same images through the float32 model (after the peak was read).
let int8Error: Record<string, number> | undefined;
if (int8) {
  const quantized = await model.invert(images, batch);
  const reference = await new HyperInverter(model.architecture, model.weights, { device }).invert(
    images,
    batch,
  );
  int8Error = {
    final_rms: rmsDifference(quantized.finalImages.data, reference.finalImages.data),
    final_max_abs: maxDifference(quantized.finalImages.data, reference.finalImages.data),
    phase_one_rms: rmsDifference(quantized.phaseOneImages.data, reference.phaseOneImages.data),
    w_rms: rmsDifference(quantized.wCodes.data, reference.wCodes.data),
    w_reference_rms: rmsDifference(reference.wCodes.data, new Float32Array(reference.wCodes.data.length)),
  };
}
const median = runs % 2 ? times[runs >> 1] : (times[runs / 2 - 1] + times[runs / 2]) / 2;
const msPerImage = median / batch;
const gflop = (2 * macsPerImage) / 1e9;
const flopBoundMs = (gflop / peakGflops) * 1000; // at the peak measured in this run; bench/gpu_table.ts: the GPU's
const round = (v: number, d = 1) => Math.round(v * 10 ** d) / 10 ** d;
console.log(JSON.stringify({
  name: `invert-${name}-batch${batch}${memory ? `-${memory}` : ""}`,
  ms_per_image: round(msPerImage),
  ratio_vs_official: round(anchor.officialMs / msPerImage, 3),
  official_source: "TIMINGS.md (official code, OpenBLAS, another day)",
  ratio_vs_flop_bound: round(msPerImage / flopBoundMs, 3),
  peak_gflops_measured: peakGflops,
  provider,
  batch,
  runs,
  gflop_per_image: round(gflop, 1),
  achieved_gflops: round(gflop / (msPerImage / 1000), 1),
  peak_rss_mib: round(peakMiB, 0),
  stage_ms_per_image: Object.fromEntries(
    Object.entries(stages).map((
      [stage, ms],
    ) => [stage, round(ms.sort((a, b) => a - b)[ms.length >> 1] / batch)]),
  ),
  official_peak_rss_mib: anchor.officialPeakMiB,
  ...(int8Error
    ? {
      int8_error_vs_float32: Object.fromEntries(
        Object.entries(int8Error).map(([k, v]) => [k, Number(v.toPrecision(3))]),
      ),
    }
    : {}),
}));

function rmsDifference(a: Float32Array, b: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += (a[i] - b[i]) ** 2;
  return Math.sqrt(sum / a.length);
}

function maxDifference(a: Float32Array, b: Float32Array): number {
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]));
  return max;
}
