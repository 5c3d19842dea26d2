import assert from "node:assert/strict";
import { GraphBuilder } from "./builder.ts";
import { countMacs } from "./flops.ts";
import { winogradApplies, winogradConv3x3, winogradWeight } from "./winograd.ts";
import { withWinogradConvs } from "./winograd_rewrite.ts";
import { GraphSession } from "../runtime/session.ts";

/** Seeded values in [offset, offset + scale) (a local LCG: graph/ sits below io/, so no io/prng.ts here). */
function prngFill(seed: number, stream: number, size: number, offset: number, scale: number): Float32Array {
  let state = (seed * 7919 + stream * 104729 + 1) >>> 0;
  return Float32Array.from({ length: size }, () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return offset + scale * (state / 2 ** 32);
  });
}

/** Runs direct and Winograd convolutions of the same data; returns the max-abs difference and the scale. */
async function compare(
  batch: number,
  channels: number,
  outChannels: number,
  height: number,
  width: number,
  options: { pads?: number; group?: number; weightAsInput?: boolean },
): Promise<{ maxDiff: number; maxAbs: number }> {
  const group = options.group ?? 1;
  const pads = options.pads ?? 1;
  const xData = prngFill(1, 0, batch * channels * height * width, -1, 2);
  const wData = prngFill(2, 0, outChannels * (channels / group) * 9, -0.3, 0.6);
  const results: Float32Array[] = [];
  for (const winograd of [false, true]) {
    const g = new GraphBuilder("conv");
    const x = g.input("x", [batch, channels, height, width]); // [N, C, H, W]
    const wShape = [outChannels, channels / group, 3, 3];
    const w = options.weightAsInput ? g.input("w", wShape) : g.constant(wData, wShape); // [O, C/G, 3, 3]
    g.output(winograd ? winogradConv3x3(g, x, w, { pads, group }) : g.conv(x, w, { pads, group }), "y");
    const session = await GraphSession.create(g);
    const feeds: Record<string, Float32Array> = options.weightAsInput ? { x: xData, w: wData } : { x: xData };
    results.push((await session.run(feeds)).outputs.y.data as Float32Array);
  }
  assert.equal(results[1].length, results[0].length);
  let maxDiff = 0, maxAbs = 0;
  for (let i = 0; i < results[0].length; i++) {
    maxDiff = Math.max(maxDiff, Math.abs(results[0][i] - results[1][i]));
    maxAbs = Math.max(maxAbs, Math.abs(results[0][i]));
  }
  return { maxDiff, maxAbs };
}

Deno.test("winogradConv3x3 equals the direct convolution (sizes that are and are not multiples of 4)", async () => {
  for (const [h, w] of [[8, 8], [7, 5], [4, 13], [1, 1]]) {
    const { maxDiff, maxAbs } = await compare(1, 6, 5, h, w, {});
    assert.ok(maxAbs > 0.01, `${h}×${w}: the test data should not vanish`);
    assert.ok(maxDiff <= 1e-5 * maxAbs, `${h}×${w}: max diff ${maxDiff} (scale ${maxAbs})`);
  }
});

Deno.test("winogradConv3x3 handles a batch, groups (per-sample weights), no padding and computed weights", async () => {
  for (
    const [batch, group, pads, weightAsInput] of [[2, 1, 1, false], [1, 3, 1, true], [2, 2, 0, false], [
      1,
      1,
      2,
      true,
    ]] as const
  ) {
    const { maxDiff, maxAbs } = await compare(batch, 6, 6, 9, 10, { group, pads, weightAsInput });
    assert.ok(maxDiff <= 1e-5 * maxAbs, `batch ${batch} group ${group} pads ${pads}: max diff ${maxDiff}`);
  }
});

Deno.test("winogradConv3x3 rejects weights that are not 3×3 or do not fit the channels", () => {
  const g = new GraphBuilder("bad");
  const x = g.input("x", [1, 4, 8, 8]);
  assert.throws(() => winogradConv3x3(g, x, g.parameter("w5", [4, 4, 5, 5])), TypeError);
  assert.throws(() => winogradConv3x3(g, x, g.parameter("w3", [4, 3, 3, 3])), /4 input channels/);
});

Deno.test("winogradApplies takes only 3×3, stride 1, undilated, evenly padded convolutions", () => {
  assert.equal(winogradApplies([8, 8, 3, 3], { strides: [1, 1], pads: [1, 1, 1, 1] }), true);
  assert.equal(winogradApplies([8, 8, 3, 3], { strides: [2, 2], pads: [1, 1, 1, 1] }), false);
  assert.equal(winogradApplies([8, 8, 1, 1], { pads: [0, 0, 0, 0] }), false);
  assert.equal(winogradApplies([8, 8, 3, 3], { dilations: [2, 2], pads: [2, 2, 2, 2] }), false);
  assert.equal(winogradApplies([8, 8, 3, 3], { pads: [1, 0, 1, 0] }), false);
});

Deno.test("withWinogradConvs rewrites only the convolutions past the thresholds, keeping names and outputs", async () => {
  const g = new GraphBuilder("net");
  const x = g.input("x", [1, 128, 32, 32]); // [N, C, H, W]
  const big = g.conv(x, g.parameter("big.weight", [128, 128, 3, 3]), { pads: 1 }); // rewritten
  const strided = g.conv(big, g.parameter("down.weight", [128, 128, 3, 3]), { pads: 1, strides: [2, 2] }); // kept
  const small = g.conv(strided, g.parameter("small.weight", [128, 128, 3, 3]), { pads: 1 }); // 16² < 32: kept
  const thin = g.conv(
    g.slice(x, [1], [0], [64]),
    g.parameter("thin.weight", [128, 64, 3, 3]),
    { pads: 1 },
  ); // 64 channels: kept
  g.output(small, "small");
  g.output(g.add(thin, big), "sum");
  const { graph, rewritten } = withWinogradConvs(g, { minOutputSize: 32 });
  assert.equal(rewritten, 1);
  assert.deepEqual(graph.parameters.map((p) => p.name), g.parameters.map((p) => p.name));
  assert.deepEqual(graph.outputs.map((t) => [t.name, t.shape]), g.outputs.map((t) => [t.name, t.shape]));
  assert.equal(
    countMacs(g).conv - countMacs(graph).conv,
    32 * 32 * 128 * 128 * 9 - 128 * 36 * 8 * 8 * 36, // the direct conv out; the input transform (36 6×6 kernels) in
  );
  assert.equal(withWinogradConvs(g, { minOutputSize: 16 }).rewritten, 2);
  assert.equal(withWinogradConvs(g, { minOutputSize: 16, minChannels: 64 }).rewritten, 3);
  assert.equal(withWinogradConvs(g, { minOutputSize: 16, maxOutputSize: 16 }).rewritten, 1);
  // Same values from the same feeds.
  const feeds: Record<string, Float32Array> = { x: prngFill(3, 0, x.size, -1, 2) };
  for (const [i, p] of g.parameters.entries()) feeds[p.name] = prngFill(4, i, p.size, -0.05, 0.1);
  const before = (await (await GraphSession.create(g)).run(feeds)).outputs;
  const after = (await (await GraphSession.create(graph)).run(feeds)).outputs;
  for (const name of ["small", "sum"]) {
    const a = before[name].data as Float32Array, b = after[name].data as Float32Array;
    let maxDiff = 0, maxAbs = 0;
    for (let i = 0; i < a.length; i++) {
      (maxDiff = Math.max(maxDiff, Math.abs(a[i] - b[i])), maxAbs = Math.max(maxAbs, Math.abs(a[i])));
    }
    assert.ok(maxDiff <= 2e-5 * maxAbs, `${name}: max diff ${maxDiff} (scale ${maxAbs})`);
  }
});

Deno.test("withWinogradConvs can take fixed weights as `.winograd` parameters, fed with winogradWeight", async () => {
  const g = new GraphBuilder("net");
  const x = g.input("x", [2, 128, 16, 16]); // [N, C, H, W]
  const w = g.parameter("conv.weight", [128, 128, 3, 3]);
  const shared = g.parameter("shared.weight", [128, 128, 3, 3]);
  const y = g.conv(g.conv(x, w, { pads: 1 }), shared, { pads: 1 });
  g.output(g.add(y, g.reshape(g.reduceSum(shared, [0, 1, 2, 3], false), [1, 1, 1, 1])), "y"); // shared is read twice
  const { graph, rewritten } = withWinogradConvs(g, { minOutputSize: 16, parameterWeights: "parameter" });
  assert.equal(rewritten, 2);
  // A weight read elsewhere too stays a parameter (transformed in the graph); the other is replaced.
  assert.deepEqual(graph.parameters.map((p) => [p.name, p.shape]), [
    ["shared.weight", [128, 128, 3, 3]],
    ["conv.weight.winograd", [36, 128, 128]],
  ]);
  const weights = [w, shared].map((p, i) => prngFill(5, i, p.size, -0.05, 0.1));
  const xData = prngFill(6, 0, x.size, -1, 2);
  const before = (await (await GraphSession.create(g)).run({
    x: xData,
    "conv.weight": weights[0],
    "shared.weight": weights[1],
  })).outputs.y.data as Float32Array;
  const after = (await (await GraphSession.create(graph)).run({
    x: xData,
    "conv.weight.winograd": winogradWeight(weights[0], w.shape),
    "shared.weight": weights[1],
  })).outputs.y.data as Float32Array;
  let maxDiff = 0, maxAbs = 0;
  for (let i = 0; i < before.length; i++) {
    maxDiff = Math.max(maxDiff, Math.abs(before[i] - after[i]));
    maxAbs = Math.max(maxAbs, Math.abs(before[i]));
  }
  assert.ok(maxDiff <= 2e-5 * maxAbs, `max diff ${maxDiff} (scale ${maxAbs})`);
  assert.throws(() => winogradWeight(weights[0], [128, 128, 1, 9]), /\[O, C, 3, 3\]/);
});

Deno.test("withWinogradConvs keeps a graph whose later nodes read one of its outputs (a loss reading the images)", async () => {
  const g = new GraphBuilder("output_read");
  const x = g.input("x", [1, 128, 32, 32]); // [N, C, H, W]
  const images = g.output(g.conv(x, g.parameter("w", [128, 128, 3, 3]), { pads: 1 }), "images");
  g.output(g.reduceSum(g.mul(images, images), [0, 1, 2, 3], false), "loss");
  const { graph, rewritten } = withWinogradConvs(g);
  assert.equal(rewritten, 1);
  assert.deepEqual(graph.outputs.map((o) => o.name), ["images", "loss"]);
  const feeds = { x: prngFill(3, 0, 128 * 32 * 32, -1, 2), w: prngFill(4, 0, 128 * 128 * 9, -0.05, 0.1) };
  const direct = (await (await GraphSession.create(g)).run(feeds)).outputs;
  const fast = (await (await GraphSession.create(graph)).run(feeds)).outputs;
  const [a, b] = [(direct.loss.data as Float32Array)[0], (fast.loss.data as Float32Array)[0]];
  assert.ok(Math.abs(a - b) <= 1e-5 * a, `loss ${a} vs ${b}`);
});
