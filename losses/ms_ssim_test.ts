import assert from "node:assert/strict";
import { GraphBuilder } from "../graph/builder.ts";
import { prngFill } from "../io/prng.ts";
import { gaussianWindow, msSsim } from "./ms_ssim.ts";
import { runGraph } from "./_test_util.ts";

const SHAPE = [2, 3, 176, 176];
const SIZE = SHAPE.reduce((p, d) => p * d, 1);

/** A smooth [0, 1] image (sum of sinusoids) plus uniform noise of the given amplitude, clamped. */
function image(noise: number, seed: number): Float32Array {
  const u = prngFill(seed, 0, SIZE, 0, 1);
  const out = new Float32Array(SIZE);
  const [, c, h, w] = SHAPE;
  for (let i = 0; i < SIZE; i++) {
    const x = i % w;
    const y = Math.floor(i / w) % h;
    const ch = Math.floor(i / (w * h)) % c;
    const clean = 0.5 + 0.25 * Math.sin(x / 7 + ch) * Math.cos(y / 11);
    out[i] = Math.min(1, Math.max(0, clean + noise * u[i]));
  }
  return out;
}

Deno.test("gaussianWindow sums to 1 and is symmetric", () => {
  const w = gaussianWindow(11, 1.5);
  assert.ok(Math.abs(w.reduce((s, v) => s + v, 0) - 1) < 1e-6);
  for (let i = 0; i < 5; i++) assert.equal(w[i], w[10 - i]);
});

Deno.test("msSsim of an image with itself is 1, and decreases as noise grows", async () => {
  const clean = image(0, 1);
  const inputs: Record<string, [number[], Float32Array]> = { clean: [SHAPE, clean] };
  for (const [name, amplitude] of [["small", 0.05], ["medium", 0.2], ["large", 0.5]] as const) {
    inputs[name] = [SHAPE, image(amplitude, 7)];
  }
  const out = await runGraph(inputs, (g, x) => ({
    self: msSsim(g, x.clean, x.clean),
    selfPerImage: msSsim(g, x.clean, x.clean, { sizeAverage: false }),
    vsSmall: msSsim(g, x.clean, x.small),
    vsMedium: msSsim(g, x.clean, x.medium),
    vsLarge: msSsim(g, x.clean, x.large),
  }));
  assert.ok(Math.abs(out.self[0] - 1) < 1e-5, `self ${out.self[0]}`);
  assert.equal(out.selfPerImage.length, 2);
  for (const v of out.selfPerImage) assert.ok(Math.abs(v - 1) < 1e-5);
  const [small, medium, large] = [out.vsSmall[0], out.vsMedium[0], out.vsLarge[0]];
  console.log("MS-SSIM vs noise 0.05 / 0.2 / 0.5:", small, medium, large);
  assert.ok(1 > small && small > medium && medium > large && large > 0, `${small} ${medium} ${large}`);
});

Deno.test("msSsim refuses images too small for five scales and mismatched shapes, naming them", () => {
  const g = new GraphBuilder("bad");
  const small = g.input("small", [1, 3, 160, 200]);
  assert.throws(() => msSsim(g, small, small), {
    name: "RangeError",
    message: /smaller side 160 of "small" must be larger than 160/,
  });
  const a = g.input("a", [1, 3, 256, 256]);
  assert.throws(() => msSsim(g, a, g.input("b", [1, 1, 256, 256])), TypeError);
  assert.throws(() => msSsim(g, g.input("flat", [3, 256, 256]), g.input("flat2", [3, 256, 256])), TypeError);
  // Fewer scales lower the bound: 3 scales need a side > 40.
  const tiny = g.input("tiny", [1, 1, 48, 48]);
  assert.deepEqual(msSsim(g, tiny, tiny, { weights: [0.3, 0.3, 0.4] }).shape, []);
});
