import assert from "node:assert/strict";
import { prngFill } from "../io/prng.ts";
import { principalComponents } from "./pca.ts";

Deno.test("principal components recover the axes and spreads of an anisotropic Gaussian-like cloud", () => {
  const n = 4000, dim = 4;
  const u = prngFill(5, 0, n * dim, 0, Math.sqrt(3)); // unit variance per axis
  const scales = [3, 0.5, 2, 1];
  const samples = new Float32Array(n * dim);
  for (let s = 0; s < n; s++) {
    for (let i = 0; i < dim; i++) samples[s * dim + i] = 10 + scales[i] * u[s * dim + i];
  }
  const pca = principalComponents(samples, dim, 3);
  assert.ok(Math.abs(pca.mean[0] - 10) < 0.2);
  const axis = (c: number) => pca.comp.subarray(c * dim, (c + 1) * dim).findIndex((v) => Math.abs(v) > 0.99);
  assert.deepEqual([axis(0), axis(1), axis(2)], [0, 2, 3]);
  assert.ok(
    Math.abs(pca.std[0] - 3) < 0.15 && Math.abs(pca.std[1] - 2) < 0.1 && Math.abs(pca.std[2] - 1) < 0.05,
    `${pca.std}`,
  );
  for (let c = 0; c < 3; c++) {
    const v = pca.comp.subarray(c * dim, (c + 1) * dim);
    assert.ok(Math.abs(Math.hypot(...v) - 1) < 1e-5);
  }
  assert.throws(() => principalComponents(samples, dim, 5), /components must be in \[1, 4\]/);
});
