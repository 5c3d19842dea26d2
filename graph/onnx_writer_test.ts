import assert from "node:assert/strict";
import { GraphBuilder } from "./builder.ts";
import { encodeOnnxModel, writeOnnxModel } from "./onnx_writer.ts";
import { OP_NAMES } from "./ops.ts";
import { GraphSession } from "../runtime/session.ts";
import { ort } from "../deps.ts";
import { assertClose } from "../tests/_assert_close.ts";
import { writtenOpCount } from "../tests/_onnx_ops.ts";

/** A graph that uses every op of the op set once. */
function everyOpGraph(): GraphBuilder {
  const g = new GraphBuilder("every_op");
  const x = g.input("x", [2, 4, 6, 6]);
  const positive = g.add(g.abs(x), g.scalar(0.5)); // [2, 4, 6, 6]
  let y = g.conv(x, g.parameter("conv.weight", [4, 2, 3, 3]), { pads: 1, group: 2 }); // [2, 4, 6, 6]
  y = g.convTranspose(y, g.parameter("up.weight", [4, 1, 4, 4]), { strides: [2, 2], pads: 1, group: 4 }); // [2, 4, 12, 12]
  y = g.resize(y, [6, 6]); // [2, 4, 6, 6]
  y = g.node("InstanceNormalization", [y, g.parameter("in.scale", [4]), g.parameter("in.bias", [4])], {
    epsilon: 1e-5,
  })[0];
  y = g.node("AveragePool", [y], { kernel_shape: [2, 2], strides: [2, 2] })[0]; // [2, 4, 3, 3]
  const z = g.pad(g.slice(positive, [2, 3], [0, 0], [3, 3]), [0, 0, 0, 0, 0, 0, 0, 0], 0); // [2, 4, 3, 3]
  let u = g.add(y, g.sub(z, g.mul(z, g.div(z, g.pow(z, g.scalar(2))))));
  u = g.add(u, g.neg(g.sqrt(g.reciprocal(g.exp(g.log(z))))));
  u = g.add(u, g.relu(g.sigmoid(g.tanh(g.leakyRelu(g.identity(g.mul(u, g.sign(u))), 0.2)))));
  u = g.add(u, g.cast(g.greater(u, g.scalar(0)), "float32"));
  const flat = g.reshape(u, [2, 36]); // [2, 36]
  let m = g.matMul(flat, g.transpose(g.parameter("fc.weight", [8, 36]), [1, 0])); // [2, 8]
  // The int8 mode's ops: uint8 × int8 product of the quantized features, back to float32.
  const [q, scale, zeroPoint] = g.dynamicQuantizeLinear(flat); // [2, 36] uint8
  const int8Weight = g.constant(Int8Array.from({ length: 36 * 8 }, (_, i) => (i % 7) - 3), [36, 8]);
  m = g.add(m, g.mul(g.cast(g.matMulInteger(q, int8Weight, zeroPoint), "float32"), scale)); // [2, 8]
  m = g.gather(m, g.constant(new Int32Array([1, 0]), [2]), 0); // [2, 8], rows swapped
  const sums = g.concat([
    g.reduceSum(m, [1]),
    g.reduceMean(m, [1]),
    g.node("ReduceMax", [m], { axes: [1] })[0],
  ], 1);
  g.output(g.expand(sums, [3, 2, 3]), "out"); // [3, 2, 3]
  return g;
}

Deno.test("every op of the op set is used by the test graph", () => {
  const used = new Set(everyOpGraph().nodes.map((n) => n.op));
  assert.deepEqual(OP_NAMES.filter((op) => !used.has(op)), []);
});

Deno.test("written models pass onnx.checker (full check, strict shape inference)", async (t) => {
  const checker = new Deno.Command("/usr/bin/python3", { args: ["-c", "import onnx"], stderr: "null" });
  const available = await checker.output().then((r) => r.success, () => false);
  if (!available) {
    if (Deno.env.get("HYPERINVERTER_REQUIRE_ONNX_CHECKER")) {
      throw new Error("python3-onnx is required by CI but missing");
    }
    console.warn("python3-onnx is not installed (apt-get install python3-onnx): checker step not run");
    return;
  }
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/every_op.onnx`;
    await writeOnnxModel(path, everyOpGraph());
    const external = everyOpGraph();
    const weights = new Map(external.parameters.map((p) => [p.name, new Float32Array(p.size).fill(0.25)]));
    const externalPath = `${dir}/external.onnx`;
    await writeOnnxModel(externalPath, external, { initializers: weights, external: "always" });
    const tool = new URL("../tests/tools/onnx_check.py", import.meta.url).pathname;
    const result = await new Deno.Command("/usr/bin/python3", { args: [tool, path, externalPath] }).output();
    const text = new TextDecoder().decode(result.stdout) + new TextDecoder().decode(result.stderr);
    await t.step("checker output", () => assert.ok(result.success, text));
    assert.match(text, /ok .*every_op\.onnx opset=17/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("ONNX Runtime runs the every-op graph, and baked or external weights give the same result", async () => {
  const g = everyOpGraph();
  const x = Float32Array.from({ length: 2 * 4 * 36 }, (_, i) => Math.sin(i * 0.37));
  const weights = new Map(
    g.parameters.map((p) => [p.name, Float32Array.from({ length: p.size }, (_, i) => Math.cos(i))]),
  );
  const fed = await GraphSession.create(g);
  const asInputs = await fed.run({ x, ...Object.fromEntries(weights) });
  const baked = await (await GraphSession.create(g, { initializers: weights })).run({ x });
  assert.deepEqual(asInputs.outputs.out.shape, [3, 2, 3]);
  assertClose(
    baked.outputs.out.data as Float32Array,
    asInputs.outputs.out.data as Float32Array,
    1e-5,
    "baked",
  );

  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/model.onnx`;
    const written = await writeOnnxModel(path, g, { initializers: weights, external: "always" });
    assert.equal(written.dataPath, `${path}.data`);
    assert.ok((await Deno.stat(path)).size < 20_000, "weights went to the external file");
    const session = await ort.InferenceSession.create(path);
    const out = await session.run({ x: new ort.Tensor("float32", x, [2, 4, 6, 6]) });
    assertClose(out.out.data as Float32Array, asInputs.outputs.out.data as Float32Array, 1e-5, "external");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a baked value that does not fit its parameter is rejected, naming it", () => {
  const g = new GraphBuilder("mismatch");
  g.output(g.neg(g.parameter("w", [2, 3])), "y");
  assert.throws(
    () => encodeOnnxModel(g, { initializers: new Map([["w", new Float32Array(5)]]) }),
    /Value of "w" is float32\[5\] but the graph declares float32 \[2, 3\]/,
  );
  assert.throws(
    () => encodeOnnxModel(g, { initializers: new Map([["v", new Float32Array(6)]]) }),
    /Initializer "v" is not a parameter/,
  );
});

Deno.test("an Identity that only names an output is not written: the producer writes the output's name", async () => {
  const g = new GraphBuilder("renames");
  const x = g.input("x", [3]);
  const y = g.relu(x); // an output that later nodes also read (as an optimizer's new moments)
  g.output(y, "a");
  g.output(g.neg(y), "b");
  g.output(x, "c"); // an input: its Identity stays
  const { model } = encodeOnnxModel(g);
  assert.equal(writtenOpCount(model, "Identity"), 1);
  assert.equal(g.nodes.filter((n) => n.op === "Identity").length, 3, "the IR graph itself is unchanged");
  const session = await GraphSession.create(g);
  const { outputs } = await session.run({ x: new Float32Array([-1, 0, 2]) });
  assert.deepEqual([...outputs.a.data as Float32Array], [0, 0, 2]);
  assert.deepEqual([...outputs.b.data as Float32Array], [-0, -0, -2]);
  assert.deepEqual([...outputs.c.data as Float32Array], [-1, 0, 2]);
});
