import assert from "node:assert/strict";
import { GraphBuilder } from "../graph/builder.ts";
import { prngFill } from "../io/prng.ts";
import { Adam, type Optimizer, Ranger, type TrainableParameter } from "./optimizers.ts";
import { addTrainingOutputs, Trainer } from "./training_step.ts";

/** A small fit with parameters of rank 1, 2 and 4 (centralised by Ranger) and a conv. */
function fitGraph(): GraphBuilder {
  const g = new GraphBuilder("fit");
  const x = g.input("x", [2, 3, 6, 6]);
  const w = g.parameter("conv.weight", [4, 3, 3, 3]);
  const b = g.parameter("conv.bias", [1, 4, 1, 1]);
  const m = g.parameter("linear.weight", [4, 5]);
  const y = g.leakyRelu(g.add(g.conv(x, w, { pads: 1 }), b), 0.2); // [2, 4, 6, 6]
  const z = g.matMul(g.transpose(g.reduceMean(y, [2], false), [0, 2, 1]), m); // [2, 6, 5]
  const target = g.input("target", z.shape);
  const d = g.sub(z, target);
  // A parameter large enough to be updated on its own (the three above share one flattened group).
  const table = g.parameter("table", [256, 257]);
  const penalty = g.reduceMean(g.mul(g.mul(table, table), g.reduceMean(z, [0, 1, 2], false)), [0, 1], false);
  addTrainingOutputs(g, g.add(g.reduceMean(g.mul(d, d), z.shape.map((_, i) => i), false), penalty));
  return g;
}

function seeded(g: GraphBuilder): Map<string, TrainableParameter> {
  return new Map(
    g.parameters.map((p, k) => [p.name, { data: prngFill(5, k, p.size, 0, 0.5), shape: p.shape }]),
  );
}

async function train(optimizer: Optimizer, optimizerOnHost: boolean, steps: number) {
  const g = fitGraph();
  const parameters = seeded(g);
  const trainer = new Trainer(g, parameters, optimizer, { optimizerOnHost });
  const losses: number[] = [];
  for (let i = 0; i < steps; i++) {
    losses.push(
      (await trainer.step({ x: prngFill(9, i, 2 * 3 * 36, 0, 1), target: prngFill(8, i, 60, 0, 1) })).loss,
    );
  }
  return { parameters, losses, state: optimizer.state() };
}

/** Largest distance in units in the last place (float32) between two arrays. */
function maxUlps(a: Float32Array, b: Float32Array): number {
  const ia = new Int32Array(a.buffer, a.byteOffset, a.length),
    ib = new Int32Array(b.buffer, b.byteOffset, b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) {
    const ka = ia[i] < 0 ? -(ia[i] & 0x7fffffff) : ia[i], kb = ib[i] < 0 ? -(ib[i] & 0x7fffffff) : ib[i];
    worst = Math.max(worst, Math.abs(ka - kb));
  }
  return worst;
}

Deno.test("in-graph Adam equals the host loop bit for bit over 8 steps (parameters, moments, losses)", async () => {
  const graph = await train(new Adam({ lr: 0.01 }), false, 8);
  const host = await train(new Adam({ lr: 0.01 }), true, 8);
  assert.deepEqual(graph.losses, host.losses);
  for (const [name, p] of host.parameters) {
    assert.equal(maxUlps(graph.parameters.get(name)!.data, p.data), 0, name);
  }
  assert.deepEqual([...graph.state.keys()].sort(), [...host.state.keys()].sort());
  for (const [key, value] of host.state) assert.equal(maxUlps(graph.state.get(key)!, value), 0, key);
});

/** Largest ulp distance over the parameters and over the optimizer state, and the largest absolute one. */
function compare(graph: Awaited<ReturnType<typeof train>>, host: Awaited<ReturnType<typeof train>>) {
  let parameterUlps = 0, stateUlps = 0, absolute = 0;
  for (const [name, p] of host.parameters) {
    const q = graph.parameters.get(name)!.data;
    parameterUlps = Math.max(parameterUlps, maxUlps(q, p.data));
    p.data.forEach((v, i) => absolute = Math.max(absolute, Math.abs(v - q[i])));
  }
  for (const [key, value] of host.state) {
    const q = graph.state.get(key)!;
    stateUlps = Math.max(stateUlps, maxUlps(q, value));
    value.forEach((v, i) => absolute = Math.max(absolute, Math.abs(v - q[i])));
  }
  return { parameterUlps, stateUlps, absolute };
}

Deno.test("in-graph Ranger without centralisation equals the host loop bit for bit (RAdam switch, lookahead)", async () => {
  const options = { lr: 0.01, k: 3, gradientCentralization: false };
  const graph = await train(new Ranger(options), false, 9);
  const host = await train(new Ranger(options), true, 9);
  assert.deepEqual(compare(graph, host), { parameterUlps: 0, stateUlps: 0, absolute: 0 });
  assert.deepEqual(graph.losses, host.losses);
});

Deno.test("in-graph Ranger with centralisation (float32 row means) stays within 1e-7 of the host loop", async () => {
  const graph = await train(new Ranger({ lr: 0.01, k: 3 }), false, 9);
  const host = await train(new Ranger({ lr: 0.01, k: 3 }), true, 9);
  const { absolute } = compare(graph, host);
  assert.ok(absolute <= 1e-7, `max |Δ| ${absolute}`);
  graph.losses.forEach((l, i) => assert.ok(Math.abs(l - host.losses[i]) <= 1e-6 * host.losses[i]));
});

for (const onHost of [false, true]) {
  Deno.test(`a non-finite gradient updates nothing (update ${onHost ? "on the host" : "in the graph"}); a finite one then does`, async () => {
    const g = fitGraph();
    const parameters = seeded(g);
    const adam = new Adam({ lr: 0.01 });
    const trainer = new Trainer(g, parameters, adam, { optimizerOnHost: onHost });
    const before = new Map([...parameters].map(([n, p]) => [n, p.data.slice()]));
    const target = prngFill(8, 0, 60, 0, 1);
    const x = prngFill(9, 0, 2 * 3 * 36, 0, 1);
    x[0] = 3e38;
    await assert.rejects(() => trainer.step({ x, target }), RangeError);
    for (const [name, p] of parameters) assert.deepEqual(p.data, before.get(name), name);
    assert.equal(adam.steps, 0);
    x[0] = 0.5;
    await trainer.step({ x, target });
    assert.equal(adam.steps, 1);
  });
}

Deno.test("a graph that updates in the graph refuses a host-loop trainer and another optimizer kind", () => {
  const g = fitGraph();
  const parameters = seeded(g);
  const inGraph = { optimizerOnHost: false };
  new Trainer(g, parameters, new Adam(), inGraph);
  new Trainer(g, parameters, new Adam({ lr: 0.5 }), inGraph); // the same kind shares the update
  assert.throws(() => new Trainer(g, parameters, new Ranger(), inGraph), /already holds a adam update/);
  assert.throws(
    () => new Trainer(g, parameters, new Adam(), { optimizerOnHost: true }),
    /build another graph/,
  );
});

Deno.test("small parameters are updated as one flattened group, a large one on its own", () => {
  const g = fitGraph();
  new Trainer(g, seeded(g), new Adam(), { optimizerOnHost: false });
  const outputs = g.outputs.map((t) => t.name);
  const updated = outputs.filter((n) => n.startsWith("updated.") && !n.includes("/")).sort();
  assert.equal(updated.length, 2);
  assert.match(updated[0], /^updated\.group\d+$/);
  assert.equal(updated[1], "updated.table");
  assert.deepEqual(g.outputs.find((t) => t.name === updated[0])!.shape, [4 * 27 + 4 + 20]);
  assert.equal(outputs.filter((n) => n.startsWith("grad.")).length, 4, "a small model keeps its gradients");
});

Deno.test("a model above 1 Mi trainable values keeps its gradients inside the graph", async () => {
  const g = new GraphBuilder("large");
  const w = g.parameter("w", [1100, 1000]);
  const d = g.sub(w, g.input("target", [1100, 1000]));
  addTrainingOutputs(g, g.reduceMean(g.mul(d, d), [0, 1], false));
  const parameters = new Map([["w", { data: new Float32Array(w.size), shape: w.shape }]]);
  const trainer = new Trainer(g, parameters, new Adam({ lr: 0.1 }), { optimizerOnHost: false });
  assert.ok(!g.outputs.some((t) => t.name.startsWith("grad.")));
  const result = await trainer.step({ target: new Float32Array(w.size).fill(1) });
  assert.deepEqual(Object.keys(result.outputs), ["loss"]);
  // Adam's first step moves by about lr · sign(−grad) (less by eps / |grad| ≈ 0.6 % here)
  assert.ok(Math.abs(parameters.get("w")!.data[0] - 0.1) < 1e-3, `${parameters.get("w")!.data[0]}`);
});

Deno.test("under the host update, a model above 1 Mi trainable values frees its gradients after the update", async () => {
  const build = (rows: number) => {
    const g = new GraphBuilder("fit");
    const w = g.parameter("w", [rows, 1000]);
    const d = g.sub(w, g.input("target", [rows, 1000]));
    addTrainingOutputs(g, g.reduceMean(g.mul(d, d), [0, 1], false));
    const parameters = new Map([["w", { data: new Float32Array(w.size), shape: w.shape }]]);
    return { g, parameters, target: new Float32Array(w.size).fill(1) };
  };
  const large = build(1100);
  const trainer = new Trainer(large.g, large.parameters, new Adam({ lr: 0.1 }), { optimizerOnHost: true });
  const result = await trainer.step({ target: large.target });
  assert.deepEqual(Object.keys(result.outputs), ["loss"]);
  assert.ok(Math.abs(large.parameters.get("w")!.data[0] - 0.1) < 1e-3, "the update used the gradient");
  const small = build(1000); // 1 000 000 values ≤ 1 Mi: the gradient stays in the result
  const kept = await new Trainer(small.g, small.parameters, new Adam({ lr: 0.1 }), { optimizerOnHost: true })
    .step({ target: small.target });
  const gradient = kept.outputs["grad.w"].data as Float32Array;
  assert.equal(gradient.length, 1_000_000);
  assert.ok(Math.abs(gradient[0] - -2e-6) < 1e-9, `d mean((w − 1)²)/dw = 2(w − 1)/n: ${gradient[0]}`);
});

Deno.test("the default update: Adam on the CPU on the host (SIMD), Ranger in the graph, Adam({ simd: false }) in the graph", () => {
  const updatesInGraph = (optimizer: Adam | Ranger) => {
    const g = fitGraph();
    new Trainer(g, seeded(g), optimizer);
    return g.outputs.some((t) => t.name.startsWith("updated."));
  };
  assert.equal(updatesInGraph(new Adam()), false);
  assert.equal(updatesInGraph(new Ranger()), true);
  assert.equal(updatesInGraph(new Adam({ simd: false })), true);
});
