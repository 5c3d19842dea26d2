import assert from "node:assert/strict";
import { imageMetrics } from "./image_metrics.ts";

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
