import assert from "node:assert/strict";
import { GraphBuilder } from "./builder.ts";
import { int8Conv, quantizeConvWeight } from "./int8_conv.ts";
import { INT8_SCALE_SUFFIX, INT8_SUFFIX, quantizedParameters, withInt8Convs } from "./int8_rewrite.ts";
import { gradients } from "./autodiff.ts";
import { GraphSession } from "../runtime/session.ts";

/** Seeded values in [offset, offset + scale) (a local LCG: graph/ sits below io/, so no io/prng.ts here). */
function prngFill(seed: number, size: number, offset: number, scale: number): Float32Array {
  let state = (seed * 7919 + 1) >>> 0;
  return Float32Array.from({ length: size }, () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return offset + scale * (state / 2 ** 32);
  });
}

/** Relative RMS difference ‖a − b‖ / ‖b‖. */
function relativeRms(a: Float32Array, b: Float32Array): number {
  assert.equal(a.length, b.length);
  let num = 0, den = 0;
  for (let i = 0; i < a.length; i++) {
    num += (a[i] - b[i]) ** 2;
    den += b[i] ** 2;
  }
  return Math.sqrt(num / den);
}

async function run(g: GraphBuilder, feeds: Record<string, Float32Array | Int8Array>): Promise<Float32Array> {
  const session = await GraphSession.create(g);
  return (await session.run(feeds)).outputs.y.data as Float32Array;
}

Deno.test("quantizeConvWeight: per-channel symmetric scales, unfolded channels-last layout, refuses NaN", () => {
  // [O=2, C=2, 1, 2]: channel 0 has max 0.5, channel 1 is all zero (scale 1, no division by zero).
  const { weight, scale } = quantizeConvWeight(new Float32Array([0.5, -0.3, 0.125, 0, 0, 0, 0, 0]), [
    2,
    2,
    1,
    2,
  ]);
  assert.deepEqual([...scale], [Math.fround(0.5 / 127), 1]);
  // Rows (tap·C + c), columns o: tap 0 c 0 → 127, tap 0 c 1 → round(0.125·254) = 32, tap 1 c 0 → round(−76.2) = −76, tap 1 c 1 → 0.
  assert.deepEqual([...weight], [127, 0, 32, 0, -76, 0, 0, 0]);
  assert.throws(() => quantizeConvWeight(new Float32Array([NaN]), [1, 1, 1, 1]), /not finite/);
  assert.throws(() => quantizeConvWeight(new Float32Array(3), [1, 1, 2, 2]), /needs 4/);
});

Deno.test("int8Conv equals the float convolution up to 8-bit error (strides, pads, 1×1 and 7×7, batch)", async () => {
  const cases = [
    { n: 2, c: 32, o: 24, h: 12, k: 3, stride: 1, pad: 1 },
    { n: 1, c: 32, o: 16, h: 13, k: 3, stride: 2, pad: 1 },
    { n: 1, c: 3, o: 16, h: 16, k: 7, stride: 2, pad: 3 },
    { n: 2, c: 16, o: 8, h: 6, k: 1, stride: 1, pad: 0 },
  ];
  for (const { n, c, o, h, k, stride, pad } of cases) {
    const x = prngFill(1, n * c * h * h, 0, 1); // post-ReLU-like, non-negative
    const w = prngFill(2, o * c * k * k, -0.2, 0.4);
    const reference = new GraphBuilder("float");
    reference.output(
      reference.conv(reference.input("x", [n, c, h, h]), reference.constant(w, [o, c, k, k]), {
        strides: [stride, stride],
        pads: pad,
      }),
      "y",
    );
    const g = new GraphBuilder("int8");
    const weight = g.parameter("w.int8", [k * k * c, o], "int8");
    const scale = g.parameter("w.int8_scale", [o]);
    const y = int8Conv(g, g.input("x", [n, c, h, h]), { weight, scale, shape: [o, c, k, k] }, {
      strides: [stride, stride],
      pads: [pad, pad, pad, pad],
    });
    g.output(y, "y");
    const q = quantizeConvWeight(w, [o, c, k, k]);
    const expected = await run(reference, { x });
    const actual = await run(g, { x, "w.int8": q.weight, "w.int8_scale": q.scale });
    const error = relativeRms(actual, expected);
    assert.ok(error < 0.01, `${JSON.stringify({ c, k, stride })}: relative RMS error ${error}`);
    assert.ok(error > 1e-5, "8 bits cannot be exact: the int8 path did not run");
  }
});

Deno.test("an image's int8 result does not depend on its batch mates (per-image quantization)", async () => {
  const [c, o, h] = [8, 8, 6];
  const x = prngFill(3, 2 * c * h * h, -1, 2);
  for (let i = c * h * h; i < x.length; i++) x[i] *= 100; // the second image has a 100× larger range
  const w = prngFill(4, o * c * 9, -0.3, 0.6);
  const build = (n: number) => {
    const g = new GraphBuilder("int8");
    const weight = g.parameter("w.int8", [9 * c, o], "int8");
    const scale = g.parameter("w.int8_scale", [o]);
    g.output(
      int8Conv(g, g.input("x", [n, c, h, h]), { weight, scale, shape: [o, c, 3, 3] }, { pads: [1, 1, 1, 1] }),
      "y",
    );
    return g;
  };
  const q = quantizeConvWeight(w, [o, c, 3, 3]);
  const both = await run(build(2), { x, "w.int8": q.weight, "w.int8_scale": q.scale });
  const alone = await run(build(1), {
    x: x.slice(0, c * h * h),
    "w.int8": q.weight,
    "w.int8_scale": q.scale,
  });
  assert.deepEqual(both.slice(0, alone.length), alone);
});

Deno.test("withInt8Convs rewrites the convs of parameter weights used only by convs; the result runs", async () => {
  const g = new GraphBuilder("net");
  const x = g.input("x", [1, 64, 8, 8]);
  const shared = g.parameter("shared", [64, 64, 3, 3]); // used by a conv and an Add: stays float
  const a = g.relu(g.conv(x, g.parameter("a", [64, 64, 3, 3]), { pads: 1 }));
  const b = g.conv(a, shared, { pads: 1 });
  const up = g.convTranspose(g.add(b, g.reduceSum(shared, [0, 2, 3], true)), g.input("wt", [64, 64, 3, 3]), {
    strides: [2, 2],
  });
  g.output(up, "y");
  const { graph, rewritten, quantizedWeights } = withInt8Convs(g, { minMacs: 0 });
  assert.equal(rewritten, 1); // conv "a"; "shared" has another use, the transposed conv's weight is computed
  assert.deepEqual([...quantizedWeights.keys()], ["a"]);
  assert.deepEqual(
    graph.parameters.map((p) => p.name).sort(),
    ["a" + INT8_SUFFIX, "a" + INT8_SCALE_SUFFIX, "shared"].sort(),
  );
  const weights = { a: prngFill(7, 64 * 64 * 9, -0.05, 0.1), shared: prngFill(8, 64 * 64 * 9, -0.05, 0.1) };
  const quantized = quantizedParameters(quantizedWeights, (name) => weights[name as "a"]);
  const feeds = { x: prngFill(9, 64 * 64, -1, 2), wt: prngFill(10, 64 * 64 * 9, -0.05, 0.1) };
  const expected = await run(g, { ...feeds, ...weights });
  const actual = await run(graph, { ...feeds, shared: weights.shared, ...Object.fromEntries(quantized) });
  const error = relativeRms(actual, expected);
  assert.ok(error < 0.02 && error > 1e-5, `relative RMS error ${error}`);
});

Deno.test("differentiating an int8 graph is refused with a message that says why", () => {
  const g = new GraphBuilder("int8");
  const weight = g.parameter("w.int8", [9 * 4, 4], "int8");
  const scale = g.parameter("w.int8_scale", [4]);
  const x = g.parameter("x", [1, 4, 4, 4]);
  const loss = g.reduceSum(int8Conv(g, x, { weight, scale, shape: [4, 4, 3, 3] }, { pads: [1, 1, 1, 1] }), [
    0,
    1,
    2,
    3,
  ]);
  assert.throws(() => gradients(g, loss, [x]), /has no gradient: it belongs to inference-only graphs/);
});
