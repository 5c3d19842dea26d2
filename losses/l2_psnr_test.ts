import assert from "node:assert/strict";
import { GraphBuilder } from "../graph/builder.ts";
import { l2Loss } from "./l2.ts";
import { psnr } from "./psnr.ts";
import { runGraph } from "./_test_util.ts";

Deno.test("l2Loss is the mean squared difference over every element", async () => {
  const a = Float32Array.from([1, -1, 0.5, 0, 2, 3]);
  const b = Float32Array.from([0, -1, -0.5, 0, 2, 1]);
  const out = await runGraph({ a: [[2, 3], a], b: [[2, 3], b] }, (g, x) => ({ loss: l2Loss(g, x.a, x.b) }));
  assert.equal(out.loss.length, 1);
  assert.ok(Math.abs(out.loss[0] - (1 + 0 + 1 + 0 + 0 + 4) / 6) < 1e-7);
});

Deno.test("psnr is 10·log10(R²/MSE) per image, R = 2 by default and settable", async () => {
  // Image 0: every pixel off by 0.02 → MSE 4e-4 → 10·log10(4/4e-4) = 40 dB (R = 2), 33.98 dB (R = 1).
  // Image 1: one of four pixels off by 2 → MSE 1 → 10·log10(4) = 6.0206 dB.
  const a = new Float32Array(8);
  const b = Float32Array.from([0.02, 0.02, 0.02, 0.02, 2, 0, 0, 0]);
  const out = await runGraph({ a: [[2, 1, 2, 2], a], b: [[2, 1, 2, 2], b] }, (g, x) => ({
    minusOneToOne: psnr(g, x.a, x.b),
    zeroToOne: psnr(g, x.a, x.b, { dataRange: 1 }),
  }));
  assert.ok(Math.abs(out.minusOneToOne[0] - 40) < 1e-4, `${out.minusOneToOne[0]}`);
  assert.ok(Math.abs(out.minusOneToOne[1] - 10 * Math.log10(4)) < 1e-4);
  assert.ok(Math.abs(out.zeroToOne[0] - 10 * Math.log10(1 / 4e-4)) < 1e-4);
});

Deno.test("l2Loss and psnr name both shapes when they differ", () => {
  const g = new GraphBuilder("bad");
  const a = g.input("a", [1, 3, 8, 8]);
  const b = g.input("b", [1, 3, 8, 4]);
  assert.throws(() => l2Loss(g, a, b), {
    name: "TypeError",
    message: /"a" has shape \[1, 3, 8, 8\].*"b" has \[1, 3, 8, 4\]/,
  });
  assert.throws(() => psnr(g, a, b), TypeError);
  assert.throws(() => psnr(g, a, a, { dataRange: 0 }), RangeError);
});
