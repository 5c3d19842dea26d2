/**
 * Training goldens: three `torch.optim.Adam(lr=1e-4)` steps on the hypernet-64 H (adam-step-hypernet-64), and a
 * tiny end-to-end fit of a generator's residual weights to one image. Tolerances from the fixture README §4–§5:
 * losses relative 1e-6 (measured 1-vs-2-thread spread 3e-8 absolute), parameter deltas where |grad step 1| is not
 * tiny, against 2·lr = 2e-4 of Adam's float-noise freedom; fusion.0.bias (zero true gradient) is skipped.
 */
import assert from "node:assert/strict";
import { GraphBuilder } from "../graph/builder.ts";
import { resolveGeneratorConfig } from "../generator/config.ts";
import { layerRegistry, targetLayers } from "../generator/registry.ts";
import { buildHypernet } from "../hypernet/hypernet.ts";
import { loadReferenceFixture } from "../io/reference_fixture.ts";
import { prngBits, prngFill } from "../io/prng.ts";
import { Adam } from "../train/optimizers.ts";
import { addTrainingOutputs, Trainer } from "../train/training_step.ts";
import { synthesisGraph } from "../generator/generator_graphs.ts";
import { buildSynthesis } from "../generator/synthesis.ts";
import { generatorParameters } from "../generator/parameters.ts";
import type { Tensor } from "../graph/tensor.ts";

Deno.test("adam-step-hypernet-64: three Adam steps give the official losses and parameters", async () => {
  const fixture = await loadReferenceFixture("adam-step-hypernet-64");
  const hypernetFixture = await loadReferenceFixture("hypernet-64");
  const config = resolveGeneratorConfig({ resolution: 64, channelBase: 1024, channelMax: 64 });
  const registry = layerRegistry(config);
  const targets = targetLayers(registry, "conv_without_bias");
  const g = new GraphBuilder("adam-step");
  const fw = g.input("Fw", [2, 10, 512, 8, 8]);
  const fx = g.input("Fx", [2, 10, 512, 8, 8]);
  const residuals = buildHypernet(g, { hiddenDim: 16 }, registry, fw, fx);
  let loss: Tensor | undefined;
  targets.forEach((target) => {
    const t = g.input(`T.${target.name}`, [2, ...target.shape]);
    const d = g.sub(residuals.get(target.name)!, t);
    const term = g.reduceMean(g.mul(d, d), [0, 1, 2, 3, 4], false); // mean((ΔW − T)²)
    loss = loss ? g.add(loss, term) : term;
  });
  addTrainingOutputs(g, loss!);
  const parameters = new Map(
    [...hypernetFixture.moduleWeights("H")].map((
      [name, w],
    ) => [name, { data: w.data.slice(), shape: w.shape }]),
  );
  const initial = new Map([...parameters].map(([name, p]) => [name, p.data.slice()]));
  const trainer = new Trainer(g, parameters, new Adam({ lr: 1e-4 }));
  const data: Record<string, Float32Array> = {
    Fw: prngFill(0x48f001, 0, 2 * 10 * 512 * 64, 0, 1),
    Fx: prngFill(0x48f002, 0, 2 * 10 * 512 * 64, 0, 1),
  };
  targets.forEach((target, k) => {
    const size = 2 * target.shape.reduce((a, b) => a * b, 1);
    data[`T.${target.name}`] = prngFill(0x48a101, k, size, 0, 0.1 * Math.sqrt(3));
  });
  const losses: number[] = [];
  for (let i = 0; i < 3; i++) losses.push((await trainer.step(data)).loss);
  const g2 = await trainer.step(data); // the loss after step 3 (this also takes a 4th step, not compared)
  losses.push(g2.loss);
  const expected = fixture.manifest.losses_list as number[];
  losses.forEach((l, i) =>
    assert.ok(Math.abs(l - expected[i]) / expected[i] < 1e-5, `loss ${i}: ${l} vs ${expected[i]}`)
  );

  // Parameters after step 3: rerun three steps from the initial values.
  for (const [name, p] of parameters) p.data.set(initial.get(name)!);
  const again = new Trainer(g, parameters, new Adam({ lr: 1e-4 }));
  for (let i = 0; i < 3; i++) await again.step(data);
  const sampled = fixture.manifest.sampled as {
    pos_seed: number;
    rows: { row: number; name: string; numel: number }[];
  };
  const deltas = (await fixture.readFloat32("outputs", "sample_delta")).data;
  const gradStep1 = (await fixture.readFloat32("outputs", "sample_grad_step1")).data;
  let compared = 0;
  for (const row of sampled.rows) {
    if (row.name.endsWith("fusion.0.bias")) continue;
    for (let i = 0; i < 64; i++) {
      const position = (prngBits(sampled.pos_seed, row.row, i) >>> 0) % row.numel;
      if (Math.abs(gradStep1[row.row * 64 + i]) < 1e-6) continue; // Adam turns float noise into lr-sized steps
      const delta = parameters.get(row.name)!.data[position] - initial.get(row.name)![position];
      assert.ok(
        Math.abs(delta - deltas[row.row * 64 + i]) < 2e-5,
        `${row.name}[${position}]: Δ ${delta} vs ${deltas[row.row * 64 + i]}`,
      );
      compared++;
    }
  }
  assert.ok(compared > 300, `compared ${compared} entries`);
});

Deno.test("fitting a small generator's residual weights to one image with Adam cuts its L2 by ≥ 10×", async () => {
  const config = resolveGeneratorConfig({
    resolution: 16,
    channelBase: 256,
    channelMax: 32,
    mappingLayers: 1,
  });
  const base = new Map<string, Float32Array>();
  generatorParameters(config).forEach((p, k) => {
    const size = p.shape.reduce((a, b) => a * b, 1);
    base.set(
      p.name,
      prngFill(
        0x717,
        k,
        size,
        p.name.endsWith("affine.bias") ? 1 : 0,
        p.name.includes("noise") ? 0.1 : Math.sqrt(3),
      ),
    );
  });
  // The target: the same generator with different ws.
  const render = synthesisGraph(config);
  const { GraphSession } = await import("../runtime/session.ts");
  const { parameterFeeds } = await import("../runtime/weights.ts");
  const target = (await (await GraphSession.create(render)).run({
    ws: prngFill(1, 1, 6 * 512, 0, 1),
    ...parameterFeeds(render, base),
  }))
    .outputs.img.data as Float32Array;

  const g = new GraphBuilder("fit-residuals");
  const ws = g.input("ws", [1, 6, 512]);
  const residualTargets = targetLayers(layerRegistry(config), "conv_without_bias");
  const residuals = new Map(
    residualTargets.map((t) => [t.name, g.parameter(`residual.${t.name}`, [1, ...t.shape])]),
  );
  const img = buildSynthesis(g, config, ws, { residuals });
  const d = g.sub(img, g.input("target", [1, 3, 16, 16]));
  addTrainingOutputs(g, g.reduceMean(g.mul(d, d), [0, 1, 2, 3], false), {
    trainable: (n) => n.startsWith("residual."),
  });
  const parameters = new Map<string, { data: Float32Array; shape: readonly number[] }>();
  for (const p of g.parameters) {
    parameters.set(p.name, { data: base.get(p.name)?.slice() ?? new Float32Array(p.size), shape: p.shape });
  }
  const trainer = new Trainer(g, parameters, new Adam({ lr: 0.01 }));
  const data = { ws: prngFill(1, 2, 6 * 512, 0, 1), target };
  const first = (await trainer.step(data)).loss;
  let last = first;
  for (let i = 0; i < 300; i++) last = (await trainer.step(data)).loss;
  assert.ok(last < first / 10, `L2 ${first} → ${last}`);
  // Only the residuals moved.
  assert.deepEqual(parameters.get("synthesis.b8.conv1.weight")!.data, base.get("synthesis.b8.conv1.weight"));
});
