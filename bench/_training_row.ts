/**
 * One phase-II training-step benchmark row in its own process:
 * `deno run -A bench/_training_row.ts <mini|church256> [batch] [--optimizer=graph|host] [--phase-one=given|computed]
 * [--device=D]`.
 *
 * - `--phase-one=given` (the default, as the phase-II trainer runs once its images' phase-I outputs are kept,
 *   train/phase_one_cache.ts): the step graph takes w and x̂_w as inputs; `phase_one_s` is the phase-I graph's
 *   run (E1 + G(w), measured here), what a step adds for a batch not kept. `computed`: E1 and the phase-I
 *   synthesis inside the step graph, as the official code recomputes them every step.
 * - `--optimizer=graph`: the Adam update runs inside the step graph; the row prints s/step and the peak RSS (reset
 *   after building the weights, read right after the timed steps). `host` (the Trainer's default on the CPU): the
 *   graph returns the gradients and Adam's host loop updates; its session run is forward + backward alone, so this
 *   row gives `forward_backward_s`, `backward_over_forward` and the host update's time (`update_s` = step − run:
 *   the loop plus the gradient checks).
 *
 * Steps are timed once two consecutive warm-up steps agree within 5 % (`warmup_steps`, at most 8): the steady
 * state a training run spends its time in. `minor_page_faults_per_step` (median over the timed steps) shows memory
 * the step had to fault in again (train/training_step.ts `retainFreedMemory`).
 *
 * Every row also times the forward-only graph (forward + loss), each run paired with a step (backward ÷ forward
 * is the median over the pairs, robust to a shared machine's load). bench/mod.ts runs the rows and derives the
 * in-graph update's time (graph step − host row's forward + backward).
 *
 * @module
 */

import { countMacs } from "../graph/flops.ts";
import { prngFill } from "../io/prng.ts";
import { resolveArchitecture } from "../model/architecture.ts";
import { CHURCH_256_D64 } from "../model/presets.ts";
import { phaseOneStageGraph } from "../model/stage_graphs.ts";
import type { HostData } from "../runtime/host_tensor.ts";
import { GraphSession } from "../runtime/session.ts";
import { Adam } from "../train/optimizers.ts";
import { phaseTwoTrainingGraph } from "../train/phase_two_graph.ts";
import { Trainer } from "../train/training_step.ts";
import { TINY_ARCHITECTURE } from "../tests/_tiny_model.ts";

const option = (key: string) => Deno.args.find((a) => a.startsWith(`--${key}=`))?.slice(key.length + 3);
const device = option("device") ?? "cpu";
const optimizer = option("optimizer") ?? "graph";
if (optimizer !== "graph" && optimizer !== "host") {
  throw new RangeError(`Unknown --optimizer "${optimizer}"; use graph or host`);
}
const phaseOne = option("phase-one") ?? "given";
if (phaseOne !== "given" && phaseOne !== "computed") {
  throw new RangeError(`Unknown --phase-one "${phaseOne}"; use given or computed`);
}
const positionals = Deno.args.filter((a) => !a.startsWith("--"));
const name = positionals[0] ?? "mini";
const batch = Number(positionals[1] ?? (name === "mini" ? 4 : 1));
const architecture = resolveArchitecture(name === "mini" ? TINY_ARCHITECTURE : CHURCH_256_D64);
const resolution = architecture.generator.resolution;
const lossWeights = { lpips: resolution >= 64 ? 0.8 : 0 };
const { graph } = phaseTwoTrainingGraph(architecture, { batch, weights: lossWeights, phaseOne });
// The phase-I graph (E1 + x̂_w, frozen): its outputs are the step's inputs when `--phase-one=given`.
const phaseOneGraph = phaseOneStageGraph(architecture, batch);
const fullGraph =
  phaseTwoTrainingGraph(architecture, { batch, weights: lossWeights, withGradients: false }).graph;
const parameters = new Map<string, { data: Float32Array; shape: readonly number[] }>();
fullGraph.parameters.forEach((p, k) => {
  const variance = p.name.endsWith("running_var") ? 1.25 : 0;
  parameters.set(p.name, {
    data: prngFill(0x7a11, k, p.size, variance, p.name.includes("weight_regressors") ? 0.02 : 0.2),
    shape: p.shape,
  });
});
const images = prngFill(3, 0, batch * 3 * resolution * resolution, 0, 0.9);
const feedsOf = (g: { parameters: readonly { name: string }[] }) =>
  Object.fromEntries(g.parameters.map((p) => [p.name, parameters.get(p.name)!.data]));
const phaseOneSession = await GraphSession.create(phaseOneGraph, { device });
const runPhaseOne = () => phaseOneSession.run({ x: images, ...feedsOf(phaseOneGraph) });
await runPhaseOne(); // warm-up
const phaseOneRuns: number[] = [];
let phaseOneOutputs: Record<string, HostData> = {};
for (let i = 0; i < 2; i++) {
  const result = await runPhaseOne();
  phaseOneRuns.push(result.milliseconds);
  phaseOneOutputs = {
    w: result.outputs.w.data as Float32Array,
    w_images: result.outputs.w_images.data as Float32Array,
  };
}
await phaseOneSession.release();
const data = phaseOne === "given" ? { x: images, ...phaseOneOutputs } : { x: images };
const peakRssMiB = () =>
  Math.round(Number(Deno.readTextFileSync("/proc/self/status").match(/VmHWM:\s+(\d+)/)![1]) / 1024);
try {
  Deno.writeTextFileSync("/proc/self/clear_refs", "5");
} catch { /* peak then includes construction */ }
const trainer = new Trainer(graph, parameters, new Adam({ lr: 1e-4 }), {
  device,
  optimizerOnHost: optimizer === "host",
});
// Warm-up until two consecutive steps agree within 5 % (at most 8 steps): the first steps touch fresh memory —
// ONNX Runtime's arena grows over the mini's first two runs (314 and 269 ms, then 174–187 ms), and church-256's
// first steps (arena off, its tensors allocated afresh each run) fault in pages the VM has not backed yet: 9.2, 12.5,
// 8.3, 6.2, 6.2 s with 0.97 M, 0.54 M, 0.34 M, then 56–106 k minor page faults per step (2026-12-05).
const warmupMs: number[] = [];
const steady = (ms: number[]) => ms.length >= 2 && Math.abs(ms.at(-1)! - ms.at(-2)!) <= 0.05 * ms.at(-2)!;
while (warmupMs.length < 8 && !steady(warmupMs)) {
  const start = performance.now();
  await trainer.step(data);
  warmupMs.push(performance.now() - start);
}
const steps: number[] = [];
const graphRuns: number[] = [];
let provider = "";
// Minor page faults of each timed step (/proc/self/stat): memory the step had to fault in again.
const faults: number[] = [];
const minorFaults = () => Number(Deno.readTextFileSync("/proc/self/stat").split(") ")[1].split(" ")[7]);
const timedStep = async () => {
  const faultsBefore = minorFaults();
  const start = performance.now();
  const result = await trainer.step(data);
  graphRuns.push(result.milliseconds);
  steps.push(performance.now() - start);
  provider = result.provider;
  faults.push(minorFaults() - faultsBefore);
};
await timedStep();
await timedStep();
const peak = peakRssMiB(); // after four steps (garbage-collection lag included), before the forward session

// Forward-only runs interleaved with the steps, so that both see the same load on a shared machine.
const forward =
  phaseTwoTrainingGraph(architecture, { batch, weights: lossWeights, withGradients: false, phaseOne }).graph;
const forwardSession = await GraphSession.create(forward, { device });
const forwardFeeds = feedsOf(forward);
const runForward = async () => (await forwardSession.run({ ...data, ...forwardFeeds })).milliseconds;
await runForward(); // warm-up
await runForward();
// One more step first: the forward session's arena took memory the step had freed (church-256: 183 k page faults in
// the step right after it, then < 100).
await trainer.step(data);
const forwards: number[] = [];
const ratios: number[] = [];
for (let i = 0; i < 2; i++) {
  forwards.push(await runForward());
  await timedStep();
  ratios.push((graphRuns.at(-1)! - forwards.at(-1)!) / forwards.at(-1)!);
}
const denseMacs = (g: Parameters<typeof countMacs>[0]) => {
  const count = countMacs(g);
  return count.total - count.depthwise;
};
const median = (v: number[]) => {
  const sorted = [...v].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const step = median(steps), fwd = median(forwards), run = median(graphRuns);
const seconds = (ms: number) => Math.round(ms) / 1000;
console.log(JSON.stringify({
  name: `train-phase2-${name}-batch${batch}${optimizer === "host" ? "-host-update" : ""}${
    phaseOne === "computed" ? "-phase-one-computed" : ""
  }`,
  optimizer: optimizer === "host" ? "adam-host-loop" : "adam-in-graph",
  phase_one: phaseOne,
  s_per_step: seconds(step),
  forward_s: seconds(fwd),
  phase_one_s: seconds(median(phaseOneRuns)), // what a step adds when its images' phase-I outputs are not cached
  session_run_s: seconds(run),
  warmup_steps: warmupMs.length,
  minor_page_faults_per_step: median(faults),
  ...(optimizer === "host"
    ? {
      forward_backward_s: seconds(run),
      backward_over_forward: Math.round(median(ratios) * 100) / 100, // paired runs
      // The same ratio in dense MACs (graph/flops.ts; depthwise convs, as the gradients' one-hot im2col, left out):
      // what the backward would take at the forward's speed.
      backward_over_forward_macs: Math.round((denseMacs(graph) / denseMacs(forward) - 1) * 100) / 100,
      update_s: seconds(step - run),
    }
    : { host_side_s: seconds(step - run) }),
  trainable_parameters: [...parameters.keys()].filter((n) =>
    n.startsWith("w_bar_encoder.") || n.startsWith("hypernet.")
  ).reduce((s, n) => s + parameters.get(n)!.data.length, 0),
  peak_rss_mib: peak,
  provider,
}));
