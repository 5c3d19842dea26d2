import assert from "node:assert/strict";
import { featureStatistics, frechetDistance, symmetricEigen } from "./frechet_distance.ts";

/** Deterministic normal samples (Box–Muller over a linear congruential generator). */
function normals(count: number, seed: number): Float64Array {
  let state = seed >>> 0;
  const uniform = () => ((state = (Math.imul(state, 1664525) + 1013904223) >>> 0) + 1) / 4294967297;
  return Float64Array.from(
    { length: count },
    () => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform()),
  );
}

Deno.test("symmetricEigen reconstructs a random symmetric matrix from its eigenpairs", () => {
  const n = 12;
  const r = normals(n * n, 7);
  const m = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) m[i * n + j] = r[i * n + j] + r[j * n + i];
  const { values, vectors } = symmetricEigen(m, n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let sum = 0;
      for (let k = 0; k < n; k++) sum += vectors[i * n + k] * values[k] * vectors[j * n + k];
      assert.ok(Math.abs(sum - m[i * n + j]) < 1e-10, `entry ${i},${j}: ${sum} vs ${m[i * n + j]}`);
    }
  }
});

Deno.test("the Fréchet distance of a set to itself is 0, and to a shifted copy the squared shift", () => {
  const dim = 8, count = 500;
  const x = normals(dim * count, 3);
  const stats = featureStatistics(x, dim);
  assert.ok(frechetDistance(stats, stats) < 1e-9);
  const shifted = x.map((v, i) => v + (i % dim === 2 ? 0.5 : 0) + (i % dim === 5 ? -1 : 0));
  assert.ok(Math.abs(frechetDistance(stats, featureStatistics(shifted, dim)) - 1.25) < 1e-9);
});

Deno.test("for diagonal covariances the distance is |Δμ|² + Σ (√σa − √σb)² (the closed form)", () => {
  const dim = 3;
  const a = { dim, count: 10, mean: new Float64Array([0, 1, 2]), covariance: new Float64Array(9) };
  const b = { dim, count: 10, mean: new Float64Array([1, 1, 0]), covariance: new Float64Array(9) };
  [4, 1, 9].forEach((v, i) => (a.covariance[i * 4] = v));
  [1, 1, 1].forEach((v, i) => (b.covariance[i * 4] = v));
  assert.ok(Math.abs(frechetDistance(a, b) - (1 + 4 + (1 + 0 + 4))) < 1e-12);
});

Deno.test("a rotated covariance: the distance matches the 2×2 closed form", () => {
  // Σa = [[2, 1], [1, 2]], Σb = [[1, 0], [0, 3]], equal means: Σa Σb = [[2, 3], [1, 6]] (trace 8, det 9).
  const a = { dim: 2, count: 3, mean: new Float64Array(2), covariance: new Float64Array([2, 1, 1, 2]) };
  const b = { dim: 2, count: 3, mean: new Float64Array(2), covariance: new Float64Array([1, 0, 0, 3]) };
  // Tr(sqrtm(M)) for a 2×2 M with positive eigenvalues is sqrt(tr M + 2 sqrt(det M)).
  const expected = 8 - 2 * Math.sqrt(8 + 2 * Math.sqrt(12 - 3));
  assert.ok(Math.abs(frechetDistance(a, b) - expected) < 1e-12, `${frechetDistance(a, b)} vs ${expected}`);
});

Deno.test("bad feature sets are refused naming the problem", () => {
  assert.throws(
    () => featureStatistics(new Float32Array(3), 2),
    /at least 2 vectors of width 2, got 3 values/,
  );
  assert.throws(
    () => featureStatistics(new Float32Array([0, 1, NaN, 2]), 2),
    /Feature vector 1 holds NaN at 0/,
  );
  const one = featureStatistics(new Float32Array([0, 1]), 1);
  assert.throws(
    () => frechetDistance(one, featureStatistics(new Float32Array(4), 2)),
    /widths differ: 1 and 2/,
  );
});
