/**
 * The GPU path's checks, run by tests/gpu_path_test.ts as `deno test` in a subprocess whose environment alone
 * points Vulkan at a software driver (SwiftShader). One session at a time, each against the CPU provider or a
 * reference fixture: per-op (3×3 Conv over the channel cases of the NHWC defect, and the other ops the stage graphs
 * use), a 2-image inversion with the default model, the hypernet-64 and generator-64 goldens, one training step,
 * and WebGPU sessions in three workers at once (the crash of defect 2). Not a `_test.ts` file: the suite never runs
 * it without the driver.
 *
 * @module
 */
import assert from "node:assert/strict";
import { GraphBuilder } from "../graph/builder.ts";
import { mappingGraph, synthesisGraph } from "../generator/generator_graphs.ts";
import { resolveGeneratorConfig } from "../generator/config.ts";
import { layerRegistry } from "../generator/registry.ts";
import { hypernetGraph } from "../hypernet/hypernet_graph.ts";
import { readImage } from "../io/image.ts";
import { prngFill } from "../io/prng.ts";
import { loadReferenceFixture } from "../io/reference_fixture.ts";
import { loadHyperInverter } from "../model/load.ts";
import { GraphSession, type RunResult } from "../runtime/session.ts";
import { parameterFeeds } from "../runtime/weights.ts";
import { Adam } from "../train/optimizers.ts";
import { addTrainingOutputs, Trainer } from "../train/training_step.ts";
import { assertClose } from "./_assert_close.ts";
import { loadGeneratorFixture, readFloat32 } from "./_fixtures.ts";

/** The device under test: `webgpu` in the suite; bench/gpu_table.ts sets `cuda` or `webgpu` on a real GPU. */
const DEVICE = Deno.env.get("HYPERINVERTER_GPU_DEVICE") ?? "webgpu";
const FIXTURE_TOLERANCE = 1e-4;
const CPU_TOLERANCE = 1e-4;

/** Runs a graph on the CPU and on WebGPU (one session at a time) and returns both results. */
async function runBoth(
  graph: GraphBuilder,
  feeds: Record<string, Float32Array>,
  initializers?: ReadonlyMap<string, Float32Array>,
): Promise<{ cpu: RunResult; gpu: RunResult }> {
  const results = [];
  for (const device of ["cpu", DEVICE]) {
    const session = await GraphSession.create(graph, { device, initializers });
    results.push(await session.run(feeds));
    await session.release();
  }
  const [cpu, gpu] = results;
  assert.equal(gpu.provider, DEVICE);
  return { cpu, gpu };
}

function assertSameOutputs({ cpu, gpu }: { cpu: RunResult; gpu: RunResult }, tolerance: number): void {
  for (const [name, expected] of Object.entries(cpu.outputs)) {
    assert.deepEqual(gpu.outputs[name].shape, expected.shape, `${name} shape`);
    assertClose(gpu.outputs[name].data as Float32Array, expected.data as Float32Array, tolerance, name);
  }
}

const noise = (seed: number, size: number) => prngFill(0x6b0, seed, size, 0, 1);

for (const inChannels of [3, 4, 6, 9, 12, 15]) {
  for (const outChannels of [4, 16]) {
    Deno.test(`${DEVICE}: 3×3 Conv ${inChannels}→${outChannels} channels equals the CPU (fed and baked weights)`, async () => {
      const g = new GraphBuilder(`conv_${inChannels}_${outChannels}`);
      const x = g.input("x", [2, inChannels, 9, 7]); // [B, C, H, W]
      const w = g.parameter("w", [outChannels, inChannels, 3, 3]);
      const b = g.parameter("b", [1, outChannels, 1, 1]);
      g.output(g.add(g.conv(x, w, { pads: 1 }), b), "y"); // [B, O, 9, 7]
      const values = { x: noise(1, 2 * inChannels * 63), w: noise(2, outChannels * inChannels * 9) };
      const bias = noise(3, outChannels);
      assertSameOutputs(await runBoth(g, { ...values, b: bias }), 1e-5);
      const baked = new Map([["w", values.w], ["b", bias]]);
      assertSameOutputs(await runBoth(g, { x: values.x }, baked), 1e-5);
    });
  }
}

Deno.test(`${DEVICE}: grouped and strided Conv, ConvTranspose, MatMul, reductions, Resize, Pad equal the CPU`, async () => {
  const g = new GraphBuilder("ops");
  const x = g.input("x", [2, 8, 8, 8]); // [B, C, H, W]
  const grouped = g.conv(x, g.input("wg", [8, 4, 3, 3]), { pads: 1, group: 2 }); // [2, 8, 8, 8]
  const strided = g.conv(x, g.input("ws", [6, 8, 3, 3]), { pads: 1, strides: [2, 2] }); // [2, 6, 4, 4]
  const up = g.convTranspose(strided, g.input("wt", [6, 5, 3, 3]), { strides: [2, 2], pads: 1 }); // [2, 5, 7, 7]
  const resized = g.resize(strided, [8, 8]); // [2, 6, 8, 8]
  const demod = g.div(grouped, g.sqrt(g.add(g.reduceMean(g.mul(grouped, grouped), [2, 3]), g.scalar(1e-8))));
  const rows = g.reshape(g.leakyRelu(demod, 0.2), [2, 8, 64]); // [2, 8, 64]
  const mixed = g.matMul(g.transpose(rows, [0, 2, 1]), g.input("m", [8, 3])); // [2, 64, 3]
  g.output(g.pad(up, [0, 0, 1, 1, 0, 0, 0, 0]), "up"); // [2, 5, 9, 9]
  g.output(g.concat([resized, grouped], 1), "cat"); // [2, 14, 8, 8]
  g.output(g.reduceSum(g.sigmoid(mixed), [1], false), "sum"); // [2, 3]
  const feeds = {
    x: noise(1, 2 * 8 * 64),
    wg: noise(2, 8 * 4 * 9),
    ws: noise(3, 6 * 8 * 9),
    wt: noise(4, 6 * 5 * 9),
    m: noise(5, 24),
  };
  assertSameOutputs(await runBoth(g, feeds), 1e-4);
});

Deno.test(`${DEVICE}: a 2-image inversion with the default model equals the CPU within 1e-4`, async () => {
  const root = new URL("../data/models/default/", import.meta.url).pathname;
  const files = [...Deno.readDirSync(`${root}samples`)].map((e) => `${root}samples/${e.name}`).sort().slice(
    0,
    2,
  );
  const results = [];
  for (const device of ["cpu", DEVICE]) {
    const model = await loadHyperInverter(`${root}model.json`, { device });
    const size = model.resolution;
    const images = new Float32Array(2 * 3 * size * size);
    for (const [i, file] of files.entries()) {
      images.set((await readImage(file, size)).data, i * 3 * size * size);
    }
    results.push(await model.invert(images, 2));
  }
  const [cpu, gpu] = results;
  assert.equal(cpu.provider, "cpu");
  assert.equal(gpu.provider, DEVICE);
  assertClose(gpu.phaseOneImages.data, cpu.phaseOneImages.data, CPU_TOLERANCE, "phase-I images");
  assertClose(gpu.finalImages.data, cpu.finalImages.data, CPU_TOLERANCE, "final images");
  for (const [name, residual] of cpu.residuals) {
    assertClose(gpu.residuals.get(name)!.data, residual.data, CPU_TOLERANCE, name);
  }
});

Deno.test(`${DEVICE}: hypernet-64 golden (every ΔW) within the fixture's 1e-4`, async () => {
  const fixture = await loadReferenceFixture("hypernet-64");
  const config = fixture.manifest.config as { hidden_dim: number; input_dim: number };
  const registry = layerRegistry(
    resolveGeneratorConfig({ resolution: 64, channelBase: 1024, channelMax: 64 }),
  );
  const graph = hypernetGraph(
    { hiddenDim: config.hidden_dim, featureChannels: config.input_dim },
    registry,
    { batch: 2 },
  );
  const session = await GraphSession.create(graph, { device: DEVICE });
  const { outputs, provider } = await session.run({
    Fw: (await fixture.readFloat32("inputs", "Fw")).data,
    Fx: (await fixture.readFloat32("inputs", "Fx")).data,
    ...parameterFeeds(graph, fixture.moduleWeights("H")),
  });
  await session.release();
  assert.equal(provider, DEVICE);
  const names = fixture.tensorNames("outputs").filter((n) => n.startsWith("dW."));
  assert.equal(names.length, 14);
  for (const name of names) {
    const expected = await fixture.readFloat32("outputs", name);
    assertClose(outputs[name].data as Float32Array, expected.data, FIXTURE_TOLERANCE, name);
  }
});

Deno.test(`${DEVICE}: generator-64 golden (mapping ψ 0.7, synthesis of 2) within the fixture's 1e-4`, async () => {
  const { fixture, config, weights } = await loadGeneratorFixture("generator-64");
  const mapping = mappingGraph(config, { batch: 2, truncationPsi: 0.7 });
  const mappingSession = await GraphSession.create(mapping, { device: DEVICE });
  const ws = await mappingSession.run({
    z: await readFloat32(fixture, "inputs", "z"),
    ...parameterFeeds(mapping, weights),
  });
  await mappingSession.release();
  assert.equal(ws.provider, DEVICE);
  const expectedWs = await readFloat32(fixture, "outputs", "mapping_psi0.7");
  assertClose(ws.outputs.ws.data as Float32Array, expectedWs, FIXTURE_TOLERANCE, "ws");
  const synthesis = synthesisGraph(config, { batch: 2 });
  const session = await GraphSession.create(synthesis, { device: DEVICE });
  const { outputs, provider } = await session.run({
    ws: await readFloat32(fixture, "inputs", "ws"),
    ...parameterFeeds(synthesis, weights),
  });
  await session.release();
  assert.equal(provider, DEVICE);
  const expected = await readFloat32(fixture, "outputs", "img");
  assertClose(outputs.img.data as Float32Array, expected, FIXTURE_TOLERANCE, "img");
});

/** A tiny convolutional regressor with an L2 loss, as a training-step graph. */
function tinyTrainingGraph(): GraphBuilder {
  const g = new GraphBuilder("tiny_step");
  const x = g.input("x", [2, 3, 8, 8]); // [B, 3, 8, 8]
  const target = g.input("target", [2, 4, 4, 4]); // [B, 4, 4, 4]
  const h = g.leakyRelu(g.conv(x, g.parameter("w1", [6, 3, 3, 3]), { pads: 1 }), 0.2); // [B, 6, 8, 8]
  const y = g.conv(h, g.parameter("w2", [4, 6, 3, 3]), { pads: 1, strides: [2, 2] }); // [B, 4, 4, 4]
  const d = g.sub(g.add(y, g.parameter("b2", [1, 4, 1, 1])), target);
  addTrainingOutputs(g, g.reduceMean(g.mul(d, d), [0, 1, 2, 3], false));
  return g;
}

Deno.test(`${DEVICE}: one training step of a tiny model (loss, gradients, Adam update) equals the CPU`, async () => {
  const data = { x: noise(1, 2 * 3 * 64), target: noise(2, 2 * 4 * 16) };
  const steps = [];
  for (const device of ["cpu", DEVICE]) {
    const parameters = new Map([
      ["w1", { data: noise(3, 6 * 3 * 9), shape: [6, 3, 3, 3] }],
      ["w2", { data: noise(4, 4 * 6 * 9), shape: [4, 6, 3, 3] }],
      ["b2", { data: noise(5, 4), shape: [1, 4, 1, 1] }],
    ]);
    const trainer = new Trainer(tinyTrainingGraph(), parameters, new Adam({ lr: 0.01 }), { device });
    steps.push({ result: await trainer.step(data), parameters });
  }
  const [cpu, gpu] = steps;
  assert.equal(gpu.result.provider, DEVICE);
  assert.ok(Math.abs(gpu.result.loss - cpu.result.loss) <= 1e-5 * Math.abs(cpu.result.loss), "loss");
  for (const name of ["w1", "w2", "b2"]) {
    const expected = cpu.result.outputs[`grad.${name}`].data as Float32Array;
    assertClose(gpu.result.outputs[`grad.${name}`].data as Float32Array, expected, 1e-5, `grad.${name}`);
    assertClose(gpu.parameters.get(name)!.data, cpu.parameters.get(name)!.data, 1e-5, name);
  }
});

Deno.test({
  name: "webgpu: sessions in three workers at once finish (one owner per process; crashed before)",
  ignore: DEVICE !== "webgpu",
}, async () => {
  const workers = [0, 1, 2].map(() =>
    new Worker(new URL("./_gpu_path_worker.ts", import.meta.url), { type: "module" })
  );
  try {
    const providers = await Promise.all(
      workers.map((worker, seed) =>
        new Promise<string>((resolve, reject) => {
          worker.onmessage = (event) => resolve(event.data);
          worker.onerror = (event) => reject(new Error(event.message));
          worker.postMessage(seed);
        })
      ),
    );
    assert.deepEqual(providers, ["webgpu", "webgpu", "webgpu"]);
  } finally {
    workers.forEach((worker) => worker.terminate());
  }
});
