import assert from "node:assert/strict";
import { prngFill } from "../io/prng.ts";
import { resolveArchitecture } from "../model/architecture.ts";
import { TINY_ARCHITECTURE } from "../tests/_tiny_model.ts";
import { Adam } from "./optimizers.ts";
import { phaseTwoTrainingGraph } from "./phase_two_graph.ts";
import { Trainer } from "./training_step.ts";

Deno.test("phase-II steps on the tiny model train only E2 and the hypernet, and lower the loss", async () => {
  const architecture = resolveArchitecture(TINY_ARCHITECTURE);
  const { graph, trainable } = phaseTwoTrainingGraph(architecture, { batch: 1, weights: { lpips: 0 } });
  assert.ok(trainable.length > 0 && trainable.every((t) => /^(w_bar_encoder|hypernet)\./.test(t.name)));
  const parameters = new Map<string, { data: Float32Array; shape: readonly number[] }>();
  graph.parameters.forEach((p, k) => {
    const offset = p.name.endsWith("running_var") ? 1.25 : p.name.endsWith("affine.bias") ? 1 : 0;
    const scale = p.name.includes("weight_regressors") ? 0.02 : 0.3;
    parameters.set(p.name, { data: prngFill(0x7a12, k, p.size, offset, scale), shape: p.shape });
  });
  const frozen = parameters.get("synthesis.b8.conv1.weight")!.data.slice();
  const trainer = new Trainer(graph, parameters, new Adam({ lr: 1e-3 }));
  const x = prngFill(5, 0, 3 * 64 * 64, 0, 0.8);
  const first = (await trainer.step({ x })).loss;
  let last = first;
  for (let i = 0; i < 15; i++) last = (await trainer.step({ x })).loss;
  assert.ok(last < first * 0.9, `loss ${first} → ${last}`);
  assert.deepEqual(parameters.get("synthesis.b8.conv1.weight")!.data, frozen, "G is frozen");
});
