import assert from "node:assert/strict";
import { adamSimdAvailable, adamUpdateSimd } from "./adam_simd.ts";
import { Adam } from "./optimizers.ts";

/** Seeded values spanning magnitudes (incl. subnormal-range gradients and exact zeros). */
function values(seed: number, n: number, scale: number): Float32Array {
  let state = seed >>> 0;
  return Float32Array.from({ length: n }, (_, i) => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    const u = state / 2 ** 32 - 0.5;
    if (i % 17 === 0) return 0;
    if (i % 29 === 0) return u * 1e-40; // subnormal float32
    return u * scale * 10 ** ((i % 7) - 3);
  });
}

Deno.test("the SIMD host update gives the scalar loop's bits (lengths not multiples of 4 or of the chunk)", () => {
  assert.ok(adamSimdAvailable(), "WebAssembly SIMD should be available in Deno");
  for (const n of [1, 3, 4, 5, 65535, 65536, 65537, 200_003]) {
    const run = (simd: boolean) => {
      const adam = new Adam({ lr: 3e-3, simd });
      const p = { data: values(1, n, 1), shape: [n] };
      for (let step = 0; step < 3; step++) {
        adam.step(new Map([["p", p]]), new Map([["p", values(2 + step, n, 0.1)]]));
      }
      return { p: p.data, state: adam.state() };
    };
    const a = run(true), b = run(false);
    assert.deepEqual(new Uint32Array(a.p.buffer), new Uint32Array(b.p.buffer), `parameters, n = ${n}`);
    for (const [name, value] of b.state) {
      assert.deepEqual(
        new Uint32Array(a.state.get(name)!.buffer),
        new Uint32Array(value.buffer),
        `${name}, n = ${n}`,
      );
    }
  }
});

Deno.test("adamUpdateSimd refuses arrays of different lengths", () => {
  const s = {
    beta1: 0.9,
    one_minus_beta1: 0.1,
    beta2: 0.999,
    one_minus_beta2: 0.001,
    correction2: 1,
    eps: 1e-8,
    step_value: -1,
  };
  const a = new Float32Array(4);
  assert.throws(() => adamUpdateSimd(a, new Float32Array(3), a.slice(), a.slice(), s), /lengths differ/);
});
