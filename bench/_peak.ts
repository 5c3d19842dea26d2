/**
 * The bench's yardstick, measured in the same run as its rows: the GFLOP/s that ONNX Runtime reaches on this
 * machine for a large dense Conv (512 → 512, 3×3, 64×64, batch 1) and a large MatMul (2048³), best of a few
 * runs each. Every row's `ratio_vs_flop_bound` divides by the better of the two (the machine's achievable peak
 * today), instead of a constant measured on another day.
 *
 * @module
 */

import { GraphBuilder } from "../graph/builder.ts";
import { countMacs } from "../graph/flops.ts";
import { prngFill } from "../io/prng.ts";
import { GraphSession } from "../runtime/session.ts";

/** The measured peak: each kernel's best GFLOP/s and the better of them. */
export interface MeasuredPeak {
  /** The better of the two kernels, GFLOP/s. */
  peak_gflops_measured: number;
  /** Which kernel gave it. */
  peak_kernel: "conv512-3x3-64x64" | "matmul-2048";
  /** Conv 512 → 512 3×3 on 64×64, batch 1, GFLOP/s. */
  conv_gflops: number;
  /** MatMul 2048 × 2048 × 2048, GFLOP/s. */
  matmul_gflops: number;
  /** The provider that ran them. */
  provider: string;
}

async function bestGflops(graph: GraphBuilder, runs: number, device: string) {
  const gflop = (2 * countMacs(graph).total) / 1e9;
  const session = await GraphSession.create(graph, { device });
  const feeds = Object.fromEntries(
    [...graph.inputs, ...graph.parameters].map((t, k) => [t.name, prngFill(0x9ea4, k, t.size, 0, 1)]),
  );
  let best = Infinity, provider = "";
  await session.run(feeds); // warm-up
  for (let i = 0; i < runs; i++) {
    const result = await session.run(feeds);
    best = Math.min(best, result.milliseconds);
    provider = result.provider;
  }
  await session.release();
  return { gflops: Math.round((gflop / (best / 1000)) * 10) / 10, provider };
}

/**
 * Measures this machine's achievable GFLOP/s in ONNX Runtime (best of `runs` after a warm-up, per kernel).
 *
 * @param options runs per kernel (default 3) and device (default `cpu`)
 * @returns both kernels' GFLOP/s and the better one
 * @example
 * ```ts ignore
 * import { measurePeak } from "./_peak.ts";
 * const peak = await measurePeak({ runs: 1 });
 * console.log(peak.peak_gflops_measured > 0); // true
 * ```
 */
export async function measurePeak(options: { runs?: number; device?: string } = {}): Promise<MeasuredPeak> {
  const runs = options.runs ?? 3, device = options.device ?? "cpu";
  const convGraph = new GraphBuilder("peak-conv");
  const x = convGraph.input("x", [1, 512, 64, 64]); // [1, 512, 64, 64]
  convGraph.output(convGraph.conv(x, convGraph.parameter("w", [512, 512, 3, 3]), { pads: 1 }), "y");
  const matMulGraph = new GraphBuilder("peak-matmul");
  const a = matMulGraph.input("a", [2048, 2048]);
  matMulGraph.output(matMulGraph.matMul(a, matMulGraph.parameter("b", [2048, 2048])), "c");
  const conv = await bestGflops(convGraph, runs, device);
  const matMul = await bestGflops(matMulGraph, runs, device);
  const convWins = conv.gflops >= matMul.gflops;
  return {
    peak_gflops_measured: Math.max(conv.gflops, matMul.gflops),
    peak_kernel: convWins ? "conv512-3x3-64x64" : "matmul-2048",
    conv_gflops: conv.gflops,
    matmul_gflops: matMul.gflops,
    provider: conv.provider,
  };
}

if (import.meta.main) console.log(JSON.stringify(await measurePeak()));
