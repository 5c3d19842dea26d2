import assert from "node:assert/strict";
import { GraphBuilder } from "../graph/builder.ts";
import { prngFill } from "../io/prng.ts";
import { GraphSession } from "../runtime/session.ts";
import { assertClose } from "../tests/_assert_close.ts";
import { basicBlock } from "./basic_block.ts";
import { batchNorm2d } from "./batch_norm.ts";
import { bottleneckIrSe } from "./bottleneck_ir_se.ts";
import { prelu } from "./prelu.ts";

async function run(g: GraphBuilder, feeds: Record<string, Float32Array>): Promise<Float32Array> {
  const { outputs } = await (await GraphSession.create(g)).run(feeds);
  return outputs.y.data as Float32Array;
}

Deno.test("batchNorm2d (eval) equals (x − mean)/√(var + 1e-5)·weight + bias per channel", async () => {
  const g = new GraphBuilder("bn");
  g.output(g.scope("bn", () => batchNorm2d(g, g.input("x", [2, 3, 2, 2]))), "y");
  const x = prngFill(1, 0, 24, 0, 3);
  const weight = prngFill(1, 1, 3, 1, 0.5), bias = prngFill(1, 2, 3, 0, 1);
  const mean = prngFill(1, 3, 3, 0, 1), variance = prngFill(1, 4, 3, 1.25, 0.25);
  const y = await run(g, {
    x,
    "bn.weight": weight,
    "bn.bias": bias,
    "bn.running_mean": mean,
    "bn.running_var": variance,
  });
  const expected = x.map((v, i) => {
    const c = Math.floor(i / 4) % 3;
    return (v - mean[c]) / Math.sqrt(variance[c] + 1e-5) * weight[c] + bias[c];
  });
  assertClose(y, expected, 1e-6, "batch norm");
});

Deno.test("prelu is exact: x where x ≥ 0, weight[c]·x elsewhere (any sign of the slope)", async () => {
  const g = new GraphBuilder("prelu");
  g.output(g.scope("act", () => prelu(g, g.input("x", [1, 2, 3, 1]))), "y");
  const x = new Float32Array([-1.5, 0, 2.25, -0.3, 7, -1e-30]);
  const slope = new Float32Array([0.2513, -1.75]);
  const y = await run(g, { x, "act.weight": slope });
  assert.deepEqual(
    [...y],
    [...x].map((v, i) => Math.fround(v >= 0 ? v : Math.fround(v * slope[Math.floor(i / 3)]))),
  );
});

Deno.test("bottleneck_IR_SE: in == depth uses a MaxPool2d(1, stride) shortcut (a strided slice, no parameters)", async () => {
  const g = new GraphBuilder("unit");
  const x = g.input("x", [1, 4, 5, 5]);
  g.output(g.scope("u", () => bottleneckIrSe(g, x, { depth: 4, stride: 2, seReduction: 2 })), "y");
  assert.ok(g.parameters.every((p) => p.name.startsWith("u.res_layer.")));
  // With res_layer.4 (the BN after the strided conv) at weight 0, bias 0 the residual branch is exactly 0
  // (SE multiplies 0), so the output is the shortcut: x[:, :, ::2, ::2] of a 5×5 map = 3×3.
  const feeds: Record<string, Float32Array> = { x: prngFill(2, 0, 100, 0, 1) };
  g.parameters.forEach((
    p,
    k,
  ) => (feeds[p.name] = prngFill(3, k, p.size, p.name.endsWith("running_var") ? 1 : 0, 0.5)));
  feeds["u.res_layer.4.weight"] = new Float32Array(4);
  feeds["u.res_layer.4.bias"] = new Float32Array(4);
  const y = await run(g, feeds);
  const expected: number[] = [];
  for (let c = 0; c < 4; c++) {
    for (let i = 0; i < 5; i += 2) for (let j = 0; j < 5; j += 2) expected.push(feeds.x[c * 25 + i * 5 + j]);
  }
  assert.deepEqual([...y], expected);
});

Deno.test("bottleneck_IR_SE and BasicBlock name their parameters as the official state dicts", () => {
  const g = new GraphBuilder("names");
  const x = g.input("x", [1, 64, 16, 16]);
  g.scope("body.3", () => bottleneckIrSe(g, x, { depth: 128, stride: 2 }));
  g.scope("body.7", () => basicBlock(g, x, { planes: 128, stride: 2 }));
  g.scope("body.8", () => basicBlock(g, x, { planes: 64 }));
  const names = g.parameters.map((p) => p.name);
  for (
    const name of [
      "body.3.shortcut_layer.0.weight",
      "body.3.shortcut_layer.1.running_var",
      "body.3.res_layer.2.weight",
      "body.3.res_layer.5.fc1.weight",
      "body.3.res_layer.5.fc2.weight",
      "body.7.downsample.0.weight",
      "body.7.downsample.1.running_mean",
      "body.7.bn2.bias",
    ]
  ) assert.ok(names.includes(name), name);
  assert.equal(
    g.parameters.find((p) => p.name === "body.3.res_layer.5.fc1.weight")!.shape.join(),
    "8,128,1,1",
  );
  assert.ok(!names.some((n) => n.startsWith("body.8.downsample")), "stride 1, same width: identity shortcut");
});
