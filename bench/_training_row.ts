/**
 * One phase-II training-step benchmark row in its own process: `deno run -A bench/_training_row.ts <mini|church256>`.
 * Prints s/step (forward + backward + Adam update), the forward-only time of the same forward graph, the
 * backward ÷ forward ratio and the peak RSS (reset after building the weights).
 *
 * @module
 */

import { prngFill } from "../io/prng.ts";
import { resolveArchitecture } from "../model/architecture.ts";
import { CHURCH_256_D64 } from "../model/presets.ts";
import { GraphSession } from "../runtime/session.ts";
import { Adam } from "../train/optimizers.ts";
import { phaseTwoTrainingGraph } from "../train/phase_two_graph.ts";
import { Trainer } from "../train/training_step.ts";
import { TINY_ARCHITECTURE } from "../tests/_tiny_model.ts";

const device = Deno.args.find((a) => a.startsWith("--device="))?.slice(9) ?? "cpu";
const positionals = Deno.args.filter((a) => !a.startsWith("--device="));
const name = positionals[0] ?? "mini";
const batch = Number(positionals[1] ?? (name === "mini" ? 4 : 1));
const architecture = resolveArchitecture(name === "mini" ? TINY_ARCHITECTURE : CHURCH_256_D64);
const resolution = architecture.generator.resolution;
const { graph } = phaseTwoTrainingGraph(architecture, {
  batch,
  weights: { lpips: resolution >= 64 ? 0.8 : 0 },
});
const parameters = new Map<string, { data: Float32Array; shape: readonly number[] }>();
graph.parameters.forEach((p, k) => {
  const variance = p.name.endsWith("running_var") ? 1.25 : 0;
  parameters.set(p.name, {
    data: prngFill(0x7a11, k, p.size, variance, p.name.includes("weight_regressors") ? 0.02 : 0.2),
    shape: p.shape,
  });
});
const images = prngFill(3, 0, batch * 3 * resolution * resolution, 0, 0.9);
const forward = phaseTwoTrainingGraph(architecture, {
  batch,
  weights: { lpips: resolution >= 64 ? 0.8 : 0 },
  withGradients: false,
}).graph;
const forwardSession = await GraphSession.create(forward, { device });
const forwardFeeds = Object.fromEntries(
  forward.parameters.map((p) => [p.name, parameters.get(p.name)!.data]),
);
try {
  Deno.writeTextFileSync("/proc/self/clear_refs", "5");
} catch { /* peak then includes construction */ }
const trainer = new Trainer(graph, parameters, new Adam({ lr: 1e-4 }), { device });
await trainer.step({ x: images }); // warm-up
const steps: number[] = [];
const graphRuns: number[] = [];
let provider = "";
for (let i = 0; i < 3; i++) {
  const start = performance.now();
  const result = await trainer.step({ x: images });
  graphRuns.push(result.milliseconds);
  steps.push(performance.now() - start);
  provider = result.provider;
}
const forwards: number[] = [];
for (let i = 0; i < 3; i++) {
  forwards.push((await forwardSession.run({ x: images, ...forwardFeeds })).milliseconds);
}
const median = (v: number[]) => v.sort((a, b) => a - b)[v.length >> 1];
const status = Deno.readTextFileSync("/proc/self/status");
const step = median(steps), fwd = median(forwards), run = median(graphRuns);
console.log(JSON.stringify({
  name: `train-phase2-${name}-batch${batch}`,
  s_per_step: Math.round(step) / 1000,
  forward_s: Math.round(fwd) / 1000,
  forward_backward_s: Math.round(run) / 1000,
  update_s: Math.round(step - run) / 1000,
  backward_over_forward: Math.round(((run - fwd) / fwd) * 100) / 100,
  trainable_parameters: [...parameters.keys()].filter((n) =>
    n.startsWith("w_bar_encoder.") || n.startsWith("hypernet.")
  ).reduce((s, n) => s + parameters.get(n)!.data.length, 0),
  peak_rss_mib: Math.round(Number(status.match(/VmHWM:\s+(\d+)/)![1]) / 1024),
  provider,
}));
