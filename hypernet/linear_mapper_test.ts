import assert from "node:assert/strict";
import { GraphBuilder } from "../graph/builder.ts";
import { prngFill } from "../io/prng.ts";
import { GraphSession } from "../runtime/session.ts";
import { assertClose } from "../tests/_assert_close.ts";
import { applyLinearMapper, declareLinearMapper, mapperDims } from "./linear_mapper.ts";

Deno.test("the mapper output is K [B, I, O·k²] reinterpreted row-major as [B, O, I, k, k] (no transpose)", async () => {
  const [batch, D, O, I, k] = [2, 3, 3, 2, 2];
  const g = new GraphBuilder("mapper");
  const v = g.input("v", [batch, D]);
  const mapper = declareLinearMapper(g, [O, I, k, k], D);
  g.output(applyLinearMapper(g, mapper, v), "dW");
  const feeds = Object.fromEntries(g.parameters.map((p, i) => [p.name, prngFill(7, i, p.size, 0, 1)]));
  const vData = prngFill(7, 99, batch * D, 0, 1);
  const { outputs } = await (await GraphSession.create(g)).run({ v: vData, ...feeds });
  assert.deepEqual(outputs.dW.shape, [batch, O, I, k, k]);
  // Reference, written as the official code reads (hypernetwork.py L62-65).
  const { w1, b1, w2, b2 } = feeds as Record<string, Float32Array>;
  const expected = new Float32Array(batch * O * I * k * k);
  const columns = O * k * k;
  for (let n = 0; n < batch; n++) {
    const a = new Float64Array(I * D); // a = v·w1 + b1, viewed [I, D]
    for (let j = 0; j < I * D; j++) {
      a[j] = b1[j];
      for (let d = 0; d < D; d++) a[j] += vData[n * D + d] * w1[d * I * D + j];
    }
    for (let i = 0; i < I; i++) {
      for (let c = 0; c < columns; c++) {
        let kernel = b2[c]; // K[i, c] = A[i]·w2[:, c] + b2[c]
        for (let d = 0; d < D; d++) kernel += a[i * D + d] * w2[d * columns + c];
        expected[n * I * columns + i * columns + c] = kernel; // flat index of K in [B, I, O·k²]
      }
    }
  }
  assertClose(outputs.dW.data as Float32Array, expected, 1e-5, "dW");
});

Deno.test("2-D targets use k = 1 with O = shape[0], I = shape[1], and keep their own shape", () => {
  assert.deepEqual(mapperDims([64, 512]), { outChannels: 64, inChannels: 512, kernel: 1 });
  const g = new GraphBuilder("affine");
  const mapper = declareLinearMapper(g, [64, 512], 4);
  assert.deepEqual(g.parameters.map((p) => [p.name, p.shape]), [
    ["w1", [4, 512 * 4]],
    ["b1", [512 * 4]],
    ["w2", [4, 64]],
    ["b2", [64]],
  ]);
  assert.deepEqual(applyLinearMapper(g, mapper, g.input("v", [3, 4])).shape, [3, 64, 512]);
});

Deno.test("bad target shapes and codes are TypeErrors naming the shape", () => {
  for (const shape of [[3], [3, 4, 3, 1], [3, 4, 3], [0, 4], [2, 2, 1.5, 1.5]]) {
    assert.throws(
      () => mapperDims(shape),
      (e: unknown) => e instanceof TypeError && e.message.includes(`[${shape.join(", ")}]`),
    );
  }
  const g = new GraphBuilder("bad");
  const mapper = declareLinearMapper(g, [3, 4, 1, 1], 8);
  assert.throws(() => applyLinearMapper(g, mapper, g.input("v", [2, 7])), TypeError);
});
