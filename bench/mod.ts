/**
 * `deno task bench [--json] [--runs N] [--filter TEXT] [--device cpu|cuda|webgpu|auto]`: speed of the project's graphs on this machine, with the
 * ratios measured in the same run. Rows: synthesis at 1024 and 256, batch 1 and 4; full inversion FFHQ-1024 D=128
 * and church-256 D=64 at batch 1 and 4 (and batch 1 in low-memory mode, and in the opt-in int8 mode with its
 * error against float32 on the same images), each in its own process with its peak
 * memory; on the CPU provider unless `--device` names another (the face-alignment rows always run on the CPU:
 * tfjs). Every row gives the provider that ran.
 *
 * The yardstick is measured first, in the same run (bench/_peak.ts): the GFLOP/s ONNX Runtime reaches here on a
 * large Conv and a large MatMul; the better one is `peak_gflops_measured` (`peak_kernel` says which), and every
 * row's FLOP bound is 2·MACs of our graph at that peak.
 *
 * Official times are constants from another day (shared/fixtures/reference/TIMINGS.md, second row set, official
 * code with OpenBLAS, 2 threads), not measured in this run: the official `net(x)` takes 8.39 s (FFHQ, peak
 * 2678 MiB) and 2.84 s (church, 1506 MiB); G.synthesis takes 5.87 s for 2 calls at 1024 and 1.60 s for 2 calls
 * at 256, so 2.935 s and 0.80 s per image. Rows say so (`official_source`).
 *
 * Training rows (bench/_training_row.ts), each model three times: the step as the phase-II trainer runs it once
 * its images' phase-I outputs are kept (train/phase_one_cache.ts), with the Adam update in the step graph and on
 * the host (the Trainer's default on the CPU, which also gives forward + backward alone; the in-graph update's
 * time is the difference of the in-graph step and that forward + backward); and on the host with E1 and the
 * phase-I synthesis inside the step (`-phase-one-computed`: a batch not kept, and the official code's every step).
 *
 * Columns: `ratio_vs_official` = official time (another day) / our time (> 1: we are faster);
 * `ratio_vs_flop_bound` = our time / FLOP-bound time at the peak measured in this run (1 would be the peak).
 *
 * @module
 */

import { countMacs } from "../graph/flops.ts";
import { CHURCH_256, FFHQ_1024, type GeneratorConfig } from "../generator/config.ts";
import { synthesisGraph } from "../generator/generator_graphs.ts";
import { GraphSession } from "../runtime/session.ts";
import { parseDevice } from "../runtime/devices.ts";
import { parameterFeeds } from "../runtime/weights.ts";
import { seededGeneratorWeights } from "./_weights.ts";
import { prngFill } from "../io/prng.ts";
import { benchFaceAlignment, formatFacesRow } from "./faces.ts";
import { measurePeak } from "./_peak.ts";

/** One benchmark row. */
export interface BenchRow {
  /** The benchmark row's name. */
  name: string;
  /** Milliseconds per image. */
  ms_per_image: number;
  /** The official code's time (TIMINGS.md, another day) over this row's, or null when there is none. */
  ratio_vs_official: number | null;
  /** Where the official time comes from (a constant, not this run). */
  official_source: string | null;
  /** This row's time over the time the FLOP count needs at the peak measured in this run. */
  ratio_vs_flop_bound: number;
  /** The peak that ratio divides by (GFLOP/s, bench/_peak.ts, this run). */
  peak_gflops_measured: number;
  /** The execution provider that ran the row. */
  provider: string;
  /** Images per run. */
  batch: number;
  /** Timed runs. */
  runs: number;
  /** GFLOP per image. */
  gflop_per_image: number;
  /** GFLOP/s achieved. */
  achieved_gflops: number;
}

/** Where the official times come from: constants, measured on another day. */
export const OFFICIAL_SOURCE = "TIMINGS.md (official code, OpenBLAS, another day)";
const OFFICIAL_SYNTHESIS_MS: Record<number, number> = { 1024: 5870 / 2, 256: 1600 / 2 };

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

async function benchSynthesis(
  config: GeneratorConfig,
  batch: number,
  runs: number,
  device: string,
  peakGflops: number,
): Promise<BenchRow> {
  const graph = synthesisGraph(config, { batch });
  const macsPerImage = countMacs(graph).total / batch;
  const session = await GraphSession.create(graph, { device });
  const feeds = {
    ws: prngFill(7, 0, batch * graph.inputs[0].shape[1] * 512, 0, 1),
    ...parameterFeeds(graph, seededGeneratorWeights(config)),
  };
  await session.run(feeds); // warm-up
  const times: number[] = [];
  let provider = "";
  for (let i = 0; i < runs; i++) {
    const result = await session.run(feeds);
    times.push(result.milliseconds);
    provider = result.provider;
  }
  await session.release();
  const msPerImage = median(times) / batch;
  const gflop = (2 * macsPerImage) / 1e9;
  const official = OFFICIAL_SYNTHESIS_MS[config.resolution];
  return {
    name: `synthesis-${config.resolution}-batch${batch}`,
    ms_per_image: round(msPerImage),
    ratio_vs_official: official ? round(official / msPerImage, 3) : null,
    official_source: official ? OFFICIAL_SOURCE : null,
    ratio_vs_flop_bound: round(msPerImage / ((gflop / peakGflops) * 1000), 3),
    peak_gflops_measured: peakGflops,
    provider,
    batch,
    runs,
    gflop_per_image: round(gflop, 2),
    achieved_gflops: round(gflop / (msPerImage / 1000), 1),
  };
}

function round(value: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

function parseArgs(args: string[]) {
  const options = { json: false, runs: 5, filter: "", device: "cpu" };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === "--json") options.json = true;
    else if (arg === "--runs") options.runs = Number(args[++i]);
    else if (arg === "--filter") options.filter = args[++i] ?? "";
    else if (arg === "--device") options.device = parseDevice(args[++i] ?? "");
    else {
      throw new RangeError(
        `Unknown bench argument "${arg}"; use --json, --runs N, --filter TEXT, --device D`,
      );
    }
  }
  if (!Number.isInteger(options.runs) || options.runs < 1) throw new RangeError(`--runs must be ≥ 1`);
  return options;
}

/** A full-inversion row, run in a child process so that its peak memory is its own (bench/_inversion_row.ts). */
async function benchInversion(args: string[]): Promise<BenchRow & { peak_rss_mib: number }> {
  const script = new URL("./_inversion_row.ts", import.meta.url).pathname;
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", script, ...args],
    stderr: "inherit",
  })
    .output();
  if (!output.success) throw new Error(`Inversion bench row ${args.join(" ")} failed`);
  const lines = new TextDecoder().decode(output.stdout).trim().split("\n");
  return JSON.parse(lines[lines.length - 1]);
}

type PrintableRow = BenchRow & {
  peak_rss_mib?: number;
  official_peak_rss_mib?: number;
  /** The int8 row's difference from float32 on the same images ([−1, 1] images; w codes). */
  int8_error_vs_float32?: Record<string, number>;
};

/** Runs one training row in its own process (bench/_training_row.ts) and returns its JSON. */
async function trainingRow(
  model: string,
  optimizer: "graph" | "host",
  device: string,
  phaseOne: "given" | "computed" = "given",
) {
  const script = new URL("./_training_row.ts", import.meta.url).pathname;
  const output = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      script,
      model,
      `--optimizer=${optimizer}`,
      `--phase-one=${phaseOne}`,
      `--device=${device}`,
    ],
    stderr: "inherit",
  }).output();
  if (!output.success) throw new Error(`Training bench row ${model} (${optimizer} update) failed`);
  return JSON.parse(new TextDecoder().decode(output.stdout).trim().split("\n").at(-1)!);
}

if (import.meta.main) {
  const options = parseArgs(Deno.args);
  const synthesisCases: [GeneratorConfig, number][] = [[FFHQ_1024, 1], [FFHQ_1024, 4], [CHURCH_256, 1], [
    CHURCH_256,
    4,
  ]];
  const inversionCases = [
    ["ffhq1024", "1"],
    ["ffhq1024", "4"],
    ["ffhq1024", "1", "low-memory"],
    ["church256", "1"],
    ["church256", "4"],
    ["church256", "1", "low-memory"],
    ["church256", "1", "int8"],
  ];
  const peak = await measurePeak({ device: options.device });
  if (options.json) console.log(JSON.stringify({ name: "peak", ...peak }));
  else {
    console.log(
      `Peak measured in this run: ${peak.peak_gflops_measured} GFLOP/s (${peak.peak_kernel}; conv ${peak.conv_gflops}, ` +
        `matmul ${peak.matmul_gflops}, ${peak.provider}). Official times: ${OFFICIAL_SOURCE}.\n`,
    );
    console.log(
      "| row | ms/image | official ÷ ours (another day) | ours ÷ FLOP bound (this run's peak) | GFLOP/s | peak RSS MiB (official) | provider |",
    );
    console.log("|---|---|---|---|---|---|---|");
  }
  const print = (row: PrintableRow) => {
    if (options.json) return console.log(JSON.stringify(row));
    const memory = row.peak_rss_mib ? `${row.peak_rss_mib} (${row.official_peak_rss_mib})` : "";
    console.log(
      `| ${row.name} | ${row.ms_per_image} | ${row.ratio_vs_official}× | ${row.ratio_vs_flop_bound}× | ${row.achieved_gflops} | ${memory} | ${row.provider} |`,
    );
    const error = row.int8_error_vs_float32;
    if (error) {
      console.log(
        `|  ↳ int8 vs float32, same images | final images RMS ${error.final_rms}, max ${error.final_max_abs}; ` +
          `phase I RMS ${error.phase_one_rms}; w RMS ${error.w_rms} (of ${error.w_reference_rms}) | | | | | |`,
      );
    }
  };
  for (const [config, batch] of synthesisCases) {
    const name = `synthesis-${config.resolution}-batch${batch}`;
    if (options.filter && !name.includes(options.filter)) continue;
    print(await benchSynthesis(config, batch, options.runs, options.device, peak.peak_gflops_measured));
  }
  for (const model of ["mini", "church256"]) {
    const name = `train-phase2-${model}`;
    if (options.filter && !name.includes(options.filter)) continue;
    const inGraph = await trainingRow(model, "graph", options.device);
    const host = await trainingRow(model, "host", options.device);
    const computed = await trainingRow(model, "host", options.device, "computed");
    // The in-graph update's share: the in-graph step minus forward + backward alone (the host row's run).
    inGraph.update_in_graph_s = Math.round((inGraph.s_per_step - host.forward_backward_s) * 1000) / 1000;
    inGraph.backward_over_forward = host.backward_over_forward;
    inGraph.backward_over_forward_macs = host.backward_over_forward_macs;
    if (options.json) {
      for (const row of [inGraph, host, computed]) console.log(JSON.stringify(row));
      continue;
    }
    const ms = (seconds: number) => Math.round(seconds * 1000);
    for (const r of [inGraph, host, computed]) {
      const update = r.update_in_graph_s !== undefined
        ? `Adam in graph ${ms(r.update_in_graph_s)}`
        : `fwd+bwd ${ms(r.forward_backward_s)}, Adam on host ${
          ms(r.update_s)
        } (SIMD; the Trainer's default on the CPU)`;
      const phaseOne = r.phase_one === "given"
        ? `phase I kept (computing it: +${ms(r.phase_one_s)})`
        : "phase I in the step";
      console.log(
        `| ${r.name} | ${ms(r.s_per_step)} ms/step (${phaseOne}; fwd ${ms(r.forward_s)}, ${update}; ` +
          `bwd ÷ fwd ${r.backward_over_forward}${
            r.backward_over_forward_macs === undefined ? "" : ` (in MACs ${r.backward_over_forward_macs})`
          }) | | | | ${r.peak_rss_mib} | ${r.provider} |`,
      );
    }
  }
  for (const detector of ["ssd", "tiny"] as const) {
    if (options.filter && !`faces-align-1024-${detector}`.includes(options.filter)) continue;
    const row = await benchFaceAlignment(detector, Math.min(options.runs, 3));
    console.log(options.json ? JSON.stringify(row) : formatFacesRow(row));
  }
  for (const [model, batch, memory] of inversionCases) {
    const name = `invert-${model}-batch${batch}${memory ? `-${memory}` : ""}`;
    if (options.filter && !name.includes(options.filter)) continue;
    print(
      await benchInversion([
        model,
        batch,
        String(Math.min(options.runs, 3)),
        ...(memory ? [memory] : []),
        `--device=${options.device}`,
        `--peak=${peak.peak_gflops_measured}`,
      ]),
    );
  }
}
