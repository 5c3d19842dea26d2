import assert from "node:assert/strict";
import { Adam, Ranger } from "./optimizers.ts";

function reference64Adam(p0: number, grads: number[], lr: number) {
  let m = 0, v = 0, p = p0;
  grads.forEach((g, i) => {
    const t = i + 1;
    m = 0.9 * m + 0.1 * g;
    v = 0.999 * v + 0.001 * g * g;
    p -= (lr / (1 - 0.9 ** t)) * m / (Math.sqrt(v) / Math.sqrt(1 - 0.999 ** t) + 1e-8);
  });
  return p;
}

Deno.test("Adam follows torch's update (float64 reference within float32 rounding), state round-trips", () => {
  const grads = [[0.5, -2, 1e-3], [0.25, 1, -1e-3], [-0.125, 3, 2e-3]];
  const p = { data: new Float32Array([1, -1, 0.5]), shape: [3] };
  const adam = new Adam({ lr: 0.01 });
  for (const g of grads) adam.step(new Map([["p", p]]), new Map([["p", Float32Array.from(g)]]));
  for (let i = 0; i < 3; i++) {
    const expected = reference64Adam([1, -1, 0.5][i], grads.map((g) => g[i]), 0.01);
    assert.ok(Math.abs(p.data[i] - expected) < 1e-6, `${p.data[i]} vs ${expected}`);
  }
  const copy = new Adam({ lr: 0.01 });
  copy.loadState(adam.state());
  const q = { data: p.data.slice(), shape: [3] };
  const g = new Map([["p", new Float32Array([1, 1, 1])]]);
  adam.step(new Map([["p", p]]), g);
  copy.step(new Map([["p", q]]), g);
  assert.deepEqual(q.data, p.data);
  assert.throws(
    () => adam.step(new Map([["p", p]]), new Map([["p", new Float32Array(2)]])),
    /Gradient of "p" has 2 values/,
  );
});

Deno.test("Ranger: SGD-momentum warm-up, then RAdam; lookahead every k steps; gradient centralisation", () => {
  const p = { data: new Float32Array([0, 0, 0, 0]), shape: [2, 2] };
  const ranger = new Ranger({ lr: 0.1, k: 3, alpha: 0.5 });
  const g = new Map([["p", new Float32Array([1, 3, -1, 1])]]); // row means 2 and 0 → centralised [-1, 1, -1, 1]
  ranger.step(new Map([["p", p]]), g);
  // Step 1: N_sma < 5, so p −= lr · m / (1 − β1) = lr · g_centralised.
  assert.deepEqual([...p.data].map((x) => Math.round(x * 1e6) / 1e6), [0.1, -0.1, 0.1, -0.1]);
  ranger.step(new Map([["p", p]]), g);
  const beforeLookahead = p.data.slice();
  ranger.step(new Map([["p", p]]), g);
  // Step 3 = k: p ← slow + α·(fast − slow), with slow = the initial zeros.
  const fastMove = 3 * 0.1; // three identical momentum steps with bias correction each move lr·g
  assert.ok(Math.abs(p.data[0] - 0.5 * fastMove) < 1e-4, `${p.data[0]} (before ${beforeLookahead[0]})`);
  const vector = { data: new Float32Array([1, 2]), shape: [2] };
  new Ranger({ lr: 0.1 }).step(new Map([["v", vector]]), new Map([["v", new Float32Array([1, 1])]]));
  assert.ok(vector.data[0] < 1 && vector.data[1] < 2, "1-D tensors are not centralised");
  assert.throws(() => new Ranger({ k: 0 }), /Ranger k must be an integer ≥ 1/);
});
