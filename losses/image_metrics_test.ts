import assert from "node:assert/strict";
import { imageMetrics } from "./image_metrics.ts";
import { l2AndPsnrOnUnitRange, psnr, psnrFromMse } from "./psnr.ts";
import { GraphBuilder } from "../graph/builder.ts";
import { GraphSession } from "../runtime/session.ts";

Deno.test("imageMetrics: identical images give L2 0, MS-SSIM 1; noise lowers them", async () => {
  const shape = [2, 3, 32, 32];
  const x = Float32Array.from({ length: 2 * 3 * 32 * 32 }, (_, i) => Math.sin(i * 0.05) * 0.8);
  const same = await imageMetrics(x, x, shape);
  assert.equal(same.l2, 0);
  assert.ok(Math.abs(same.msSsim - 1) < 1e-4, String(same.msSsim));
  assert.match(same.msSsimLabel, /MS-SSIM \(3 scales, 7×7 window\)/);
  const noisy = await imageMetrics(x.map((v, i) => v + (i % 7 === 0 ? 0.4 : -0.1)), x, shape);
  assert.ok(noisy.l2 > 0 && noisy.psnr < 40 && noisy.msSsim < same.msSsim);
});

Deno.test("the same images give the same L2 and PSNR through every path (one unit: [0, 1])", async () => {
  const shape = [2, 3, 32, 32];
  const target = Float32Array.from({ length: 2 * 3 * 32 * 32 }, (_, i) => Math.sin(i * 0.05) * 0.8);
  const reconstruction = target.map((v, i) => v + (i % 5 === 0 ? 0.3 : -0.05));
  const host = l2AndPsnrOnUnitRange(reconstruction, target, { batch: 2 });
  // The demo / experiments (metrics.json) path.
  const metrics = await imageMetrics(reconstruction, target, shape);
  assert.equal(metrics.l2, host.l2);
  assert.equal(metrics.psnr, host.psnr);
  // The site's upload path (one image at a time) and the bytes path of the compare viewer ([0, 1] values).
  const first = l2AndPsnrOnUnitRange(reconstruction.subarray(0, 3072), target.subarray(0, 3072));
  assert.deepEqual(first.perImage[0], host.perImage[0]);
  const unit = (a: Float32Array) => Float64Array.from(a, (v) => v / 2 + 0.5);
  const fromUnit = l2AndPsnrOnUnitRange(unit(reconstruction), unit(target), { batch: 2, values: "[0, 1]" });
  assert.ok(Math.abs(fromUnit.l2 - host.l2) < 1e-12 && Math.abs(fromUnit.psnr - host.psnr) < 1e-9);
  // An MSE on [−1, 1] is exactly 4× the L2, and gives the same PSNR with data range 2 (host and graph).
  let squares = 0;
  for (let i = 0; i < 3072; i++) squares += (reconstruction[i] - target[i]) ** 2;
  assert.equal(squares / 3072, 4 * host.perImage[0].l2);
  assert.ok(Math.abs(psnrFromMse(squares / 3072) - host.perImage[0].psnr) < 1e-9);
  const g = new GraphBuilder("psnr");
  g.output(psnr(g, g.input("a", shape), g.input("b", shape)), "psnr");
  const { outputs } = await (await GraphSession.create(g)).run({ a: reconstruction, b: target });
  const graphPsnr = Array.from(outputs.psnr.data as Float32Array);
  host.perImage.forEach((p, b) =>
    assert.ok(Math.abs(graphPsnr[b] - p.psnr) < 1e-3, `${graphPsnr[b]} vs ${p.psnr}`)
  );
});

Deno.test("l2AndPsnrOnUnitRange names the lengths and the batch it cannot use", () => {
  assert.throws(() => l2AndPsnrOnUnitRange([0, 0], [0]), TypeError, "Cannot compare 2 values with 1");
  assert.throws(() => l2AndPsnrOnUnitRange([0, 0, 0], [0, 0, 0], { batch: 2 }), TypeError, "3 values");
  assert.throws(() => l2AndPsnrOnUnitRange([0], [0], { batch: 0 }), RangeError, "got 0");
  assert.equal(l2AndPsnrOnUnitRange([0.5], [0.5]).psnr, 120, "identical images: 120 dB, not +∞");
});
