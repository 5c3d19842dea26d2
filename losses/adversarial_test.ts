import assert from "node:assert/strict";
import { GraphBuilder } from "../graph/builder.ts";
import { discriminatorLogisticLoss, nonSaturatingLoss, softplus } from "./adversarial.ts";
import { faceAveragePool } from "./face_pool.ts";
import { type FeatureExtractor, identityLoss } from "./identity.ts";
import { runGraph } from "./_test_util.ts";

const hostSoftplus = (x: number) => Math.log1p(Math.exp(x));

Deno.test("softplus is stable for large |x| and matches log1p(exp(x))", async () => {
  const x = Float32Array.from([-200, -20, -3.5, -0.1, 0, 0.1, 3.5, 20, 200]);
  const out = await runGraph({ x: [[9], x] }, (g, t) => ({ y: softplus(g, t.x) }));
  x.forEach((v, i) => {
    const want = v > 50 ? v : hostSoftplus(v);
    assert.ok(
      Math.abs(out.y[i] - want) <= 1e-6 * Math.max(1, Math.abs(want)),
      `softplus(${v}) = ${out.y[i]}`,
    );
  });
});

Deno.test("nonSaturatingLoss and discriminatorLogisticLoss follow the coach (loss_D averages its terms)", async () => {
  const real = Float32Array.from([1, 2, -0.5, 3]);
  const fake = Float32Array.from([-1, 0.5, 2, -2]);
  const out = await runGraph({ real: [[4, 1], real], fake: [[4, 1], fake] }, (g, t) => ({
    lossG: nonSaturatingLoss(g, t.fake),
    lossD: discriminatorLogisticLoss(g, t.real, t.fake),
  }));
  const mean = (a: Float32Array, f: (v: number) => number) => a.reduce((s, v) => s + f(v), 0) / a.length;
  assert.ok(Math.abs(out.lossG[0] - mean(fake, (v) => hostSoftplus(-v))) < 1e-6);
  const lossD = (mean(real, (v) => hostSoftplus(-v)) + mean(fake, hostSoftplus)) / 2;
  assert.ok(Math.abs(out.lossD[0] - lossD) < 1e-6);
});

Deno.test("faceAveragePool averages factor×factor blocks and rejects non-multiples", async () => {
  const x = Float32Array.from({ length: 16 }, (_, i) => i); // [1, 1, 4, 4]
  const out = await runGraph({ x: [[1, 1, 4, 4], x] }, (g, t) => ({ pooled: faceAveragePool(g, t.x, 2) }));
  assert.deepEqual(Array.from(out.pooled), [2.5, 4.5, 10.5, 12.5]);
  const g = new GraphBuilder("pool");
  const odd = g.input("odd", [1, 3, 300, 300]);
  assert.throws(() => faceAveragePool(g, odd), {
    name: "RangeError",
    message: /300×300 is not a multiple of/,
  });
  const same = g.input("same", [1, 3, 256, 256]);
  assert.equal(faceAveragePool(g, same), same);
});

Deno.test("identityLoss is 1 − cosine similarity, averaged over the batch", async () => {
  const flatten: FeatureExtractor = (g, x) => g.reshape(x, [x.shape[0], x.shape[1]]); // [B, C, 1, 1] → [B, C]
  // Sample 0: same direction (cos 1, loss 0). Sample 1: orthogonal (cos 0, loss 1). Mean 0.5.
  const a = Float32Array.from([1, 2, 0, 1, 0, 0]);
  const b = Float32Array.from([2, 4, 0, 0, 3, 0]);
  const out = await runGraph({ a: [[2, 3, 1, 1], a], b: [[2, 3, 1, 1], b] }, (g, t) => ({
    loss: identityLoss(g, t.a, t.b, flatten),
  }));
  assert.ok(Math.abs(out.loss[0] - 0.5) < 1e-6);
  const g = new GraphBuilder("bad");
  const x = g.input("x", [2, 3, 4, 4]);
  assert.throws(() => identityLoss(g, x, x, (gg, t) => gg.reduceMean(t, [0, 1, 2, 3], false)), {
    name: "TypeError",
    message: /expected \[2, F\]/,
  });
});
