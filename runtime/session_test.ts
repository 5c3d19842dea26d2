import assert from "node:assert/strict";
import { GraphBuilder } from "../graph/builder.ts";
import { resolveGeneratorConfig } from "../generator/config.ts";
import { synthesisGraph } from "../generator/generator_graphs.ts";
import { DEVICE_NAMES, parseDevice, providerCandidates } from "./devices.ts";
import { GraphSession, sessionFor } from "./session.ts";
import { parameterFeeds } from "./weights.ts";
import { hostTensor } from "./host_tensor.ts";

function affineGraph(): GraphBuilder {
  const g = new GraphBuilder("affine");
  const x = g.input("x", [2, 3]);
  g.output(g.add(g.matMul(x, g.parameter("w", [3, 2])), g.parameter("b", [2])), "y");
  return g;
}

Deno.test("an unknown device name is rejected with the list of valid ones", async () => {
  assert.throws(
    () => parseDevice("tpu"),
    (e: Error) =>
      e instanceof RangeError &&
      e.message === `Unknown device "tpu"; valid devices are: cpu, cuda, webgpu, auto`,
  );
  await assert.rejects(
    () => GraphSession.create(affineGraph(), { device: "gpu" }),
    /Unknown device "gpu"; valid devices are: cpu, cuda, webgpu, auto/,
  );
  assert.deepEqual([...DEVICE_NAMES], ["cpu", "cuda", "webgpu", "auto"]);
});

Deno.test("auto falls back to the CPU and reports the provider that ran", async () => {
  assert.deepEqual(providerCandidates("auto").at(-1), "cpu");
  const session = await GraphSession.create(affineGraph(), { device: "auto" });
  const result = await session.run({
    x: new Float32Array([1, 2, 3, 4, 5, 6]),
    w: new Float32Array([1, 0, 0, 1, 1, 1]),
    b: new Float32Array([10, 20]),
  });
  assert.deepEqual([...(result.outputs.y.data as Float32Array)], [14, 25, 20, 31]);
  assert.ok(["cpu", "webgpu", "cuda"].includes(result.provider));
  assert.equal(result.provider, session.provider);
});

Deno.test("an explicit GPU device that is not available fails instead of silently running on the CPU", async () => {
  // On a machine with the CUDA provider libraries this device works; on this project's CPU machines it must not
  // quietly fall back.
  const attempt = GraphSession.create(affineGraph(), { device: "cuda" }).then(
    (s) => s.provider,
    (e: Error) => e.message,
  );
  const outcome = await attempt;
  assert.ok(
    outcome === "cuda" ||
      /No execution provider of device "cuda" could run graph "affine": cuda:/.test(outcome),
    outcome,
  );
});

Deno.test("missing, unknown, mis-shaped and mis-typed feeds give errors naming them", async () => {
  const session = await GraphSession.create(affineGraph());
  const x = new Float32Array(6);
  await assert.rejects(() => session.run({ x }), /Graph "affine" is missing 2 feed\(s\): w, b/);
  await assert.rejects(
    () => session.run({ x, w: new Float32Array(6), b: new Float32Array(2), c: x }),
    /has no input\(s\) named: c/,
  );
  await assert.rejects(
    () => session.run({ x: hostTensor(x, [3, 2]), w: new Float32Array(6), b: new Float32Array(2) }),
    /Feed "x" of graph "affine" has shape \[3, 2\], expected \[2, 3\]/,
  );
  await assert.rejects(
    () => session.run({ x, w: new Float32Array(5), b: new Float32Array(2) }),
    /Feed "w" .* has 5 values, expected 6 for \[3, 2\]/,
  );
  await assert.rejects(
    () => session.run({ x, w: new Int32Array(6), b: new Float32Array(2) }),
    /Feed "w" .* is int32, expected float32/,
  );
});

Deno.test("a missing generator weight is named, with its shape, before anything runs", () => {
  const config = resolveGeneratorConfig({ resolution: 8, channelBase: 64, channelMax: 8 });
  const graph = synthesisGraph(config);
  const weights = new Map(graph.parameters.map((p) => [p.name, new Float32Array(p.size)]));
  weights.delete("synthesis.b8.conv0.weight");
  weights.delete("synthesis.b4.const");
  assert.throws(
    () => parameterFeeds(graph, weights),
    /Weights for graph "synthesis8": missing 2 weight\(s\): synthesis\.b4\.const \[8, 4, 4\], synthesis\.b8\.conv0\.weight \[8, 8, 3, 3\]/,
  );
  weights.set("synthesis.b4.const", new Float32Array(3));
  weights.set("synthesis.b8.conv0.weight", new Float32Array(576));
  assert.throws(
    () => parameterFeeds(graph, weights),
    /"synthesis\.b4\.const" has 3 values, expected 128 for \[8, 4, 4\]/,
  );
});

Deno.test("sessions are cached per graph and device", async () => {
  const g = affineGraph();
  const a = await sessionFor(g);
  assert.equal(await sessionFor(g, { device: "cpu" }), a);
  assert.notEqual(await sessionFor(affineGraph()), a);
});

Deno.test("the ONNX Runtime binary folder is found (auto's provider probe looks there for CUDA libraries)", async () => {
  const { ortBinaryDirectory, providerUnavailableReason } = await import("./provider_probe.ts");
  const directory = ortBinaryDirectory();
  assert.ok(Deno.statSync(`${directory}onnxruntime_binding.node`).isFile, directory);
  const cuda = providerUnavailableReason("cuda");
  assert.ok(cuda === null || cuda.includes(directory), String(cuda));
  assert.equal(providerUnavailableReason("cpu"), null);
});

Deno.test("preallocated outputs get the same values as allocated ones, in the same arrays every run", async () => {
  const g = new GraphBuilder("momentum");
  const m = g.input("m", [1000]);
  const grad = g.input("grad", [1000]);
  g.output(g.add(g.mul(m, g.scalar(0.9)), g.mul(grad, g.scalar(0.1))), "m_next"); // [1000]
  g.output(g.mul(grad, grad), "square"); // [1000]
  const session = await GraphSession.create(g);
  const grads = Float32Array.from({ length: 1000 }, (_, i) => Math.sin(i) * 3);
  const allocated = new Float32Array(1000).fill(0.25), inPlace = allocated.slice();
  const buffer = inPlace.buffer;
  for (let step = 0; step < 3; step++) {
    const reference = await session.run({ m: allocated, grad: grads });
    allocated.set(reference.outputs.m_next.data as Float32Array);
    // the state array is both the feed and the output: the graph updates it in place
    const result = await session.run({ m: inPlace, grad: grads }, { outputs: { m_next: inPlace } });
    assert.equal(result.outputs.m_next.data, inPlace);
    assert.equal(inPlace.buffer, buffer);
    assert.deepEqual(result.outputs.m_next.shape, [1000]);
    assert.deepEqual(inPlace, allocated);
    assert.deepEqual(
      result.outputs.square.data,
      reference.outputs.square.data,
      "the other output is allocated",
    );
  }
});

Deno.test("preallocated outputs of the wrong size or dtype, or for no output, are named", async () => {
  const session = await GraphSession.create(affineGraph());
  const feeds = { x: new Float32Array(6), w: new Float32Array(6), b: new Float32Array(2) };
  await assert.rejects(
    () => session.run(feeds, { outputs: { y: new Float32Array(3) } }),
    (e: Error) =>
      e instanceof TypeError &&
      e.message ===
        `Output array "y" of graph "affine" holds 3 float32 values, expected 4 float32 for [2, 2]`,
  );
  await assert.rejects(
    () => session.run(feeds, { outputs: { y: new Int32Array(4) } }),
    /Output array "y" of graph "affine" holds 4 int32 values, expected 4 float32/,
  );
  await assert.rejects(
    () => session.run(feeds, { outputs: { z: new Float32Array(4) } }),
    /Graph "affine" has no output named "z"/,
  );
});
