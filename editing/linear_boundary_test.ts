import assert from "node:assert/strict";
import { prngFill } from "../io/prng.ts";
import { fitLinearBoundary } from "./linear_boundary.ts";

Deno.test("fitLinearBoundary recovers the normal of a noisy linear labelling in 16 dimensions", () => {
  const dim = 16, count = 2000;
  const truth = Float64Array.from({ length: dim }, (_, i) => (i % 3) - 1 + 0.1 * i);
  const norm = Math.hypot(...truth);
  const samples = prngFill(3, 0, count * dim, 0, Math.sqrt(3));
  const noise = prngFill(3, 1, count, 0, 0.3);
  const labels = new Uint8Array(count);
  for (let s = 0; s < count; s++) {
    let z = 0.5;
    for (let i = 0; i < dim; i++) z += (truth[i] / norm) * samples[s * dim + i];
    labels[s] = z + noise[s] > 0 ? 1 : 0;
  }
  const boundary = fitLinearBoundary(samples, labels, { dim });
  let cosine = 0;
  for (let i = 0; i < dim; i++) cosine += boundary.normal[i] * truth[i] / norm;
  assert.ok(cosine > 0.98, `cosine ${cosine}`);
  assert.ok(Math.abs(Math.hypot(...boundary.normal) - 1) < 1e-6);
  assert.ok(boundary.trainAccuracy > 0.9, `accuracy ${boundary.trainAccuracy}`);
  assert.ok(boundary.iterations < 50);
});

Deno.test("fitLinearBoundary rejects bad labels, a single class, wrong sizes and NaN", () => {
  const samples = new Float32Array([0, 1, 1, 0]);
  assert.throws(() => fitLinearBoundary(samples, [1, 2], { dim: 2 }), /Label 1 is 2, not 0 or 1/);
  assert.throws(() => fitLinearBoundary(samples, [1, 1], { dim: 2 }), /Both classes/);
  assert.throws(() => fitLinearBoundary(samples, [1, 0, 1], { dim: 2 }), /expected 3 labels × dim 2/);
  assert.throws(
    () => fitLinearBoundary(new Float32Array([0, NaN, 1, 0]), [1, 0], { dim: 2 }),
    /value 1 is NaN/,
  );
});
