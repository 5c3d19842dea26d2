import assert from "node:assert/strict";
import { GraphBuilder } from "../graph/builder.ts";
import { loadReferenceFixture } from "../io/reference_fixture.ts";
import { prngFill } from "../io/prng.ts";
import { GraphSession } from "../runtime/session.ts";
import { assertClose, assertCloseRelative } from "../tests/_assert_close.ts";
import {
  CHURCH_ENCODER,
  type EncoderConfig,
  encoderLayout,
  FFHQ_ENCODER,
  resolveEncoderConfig,
  TINY_ENCODER,
} from "./config.ts";
import { layerWiseEncoderGraph, wEncoderGraph } from "./encoder_graphs.ts";
import { buildLayerWiseEncoder } from "./layer_wise_encoder.ts";
import { buildWEncoder } from "./w_encoder.ts";
import { gradients } from "../graph/autodiff.ts";

/** PRNG weights in the fixtures' ranges (README §3), so that activations stay O(1). */
function weightsFor(g: GraphBuilder): Record<string, Float32Array> {
  const feeds: Record<string, Float32Array> = {};
  g.parameters.forEach((p, k) => {
    const fanIn = p.shape.slice(1).reduce((a, b) => a * b, 1);
    const [offset, scale] = p.name.endsWith("running_var")
      ? [1.25, 0.25]
      : /(bn\d|\.[014]|shortcut_layer\.1|downsample\.1|input_layer\.1)\.weight$/.test(p.name) && p.rank === 1
      ? [1, 0.1]
      : /\.2\.weight$|relu\.weight$/.test(p.name) && p.rank === 1
      ? [0.25, 0.05]
      : p.rank === 1
      ? [0, 0.1]
      : [0, Math.sqrt(3 / fanIn)];
    feeds[p.name] = prngFill(7, k, p.size, offset, scale);
  });
  return feeds;
}

Deno.test("a wrong input shape is a build-time TypeError naming the shape and the expected one", () => {
  const g = new GraphBuilder("bad");
  const x = g.input("x", [1, 3, 128, 128]);
  assert.throws(
    () => buildWEncoder(g, FFHQ_ENCODER, x),
    {
      name: "TypeError",
      message: 'ir_se encoder input "x" has shape [1, 3, 128, 128], expected [B, 3, 256, 256]',
    },
  );
  assert.throws(
    () => buildLayerWiseEncoder(g, CHURCH_ENCODER, g.input("gray", [2, 1, 256, 256])),
    /resnet encoder input "gray" has shape \[2, 1, 256, 256\], expected \[B, 3, 256, 256\]/,
  );
  assert.throws(() => buildWEncoder(g, TINY_ENCODER, g.input("flat", [3, 64, 64])), TypeError);
  assert.throws(() => wEncoderGraph(TINY_ENCODER, { batch: 0 }), RangeError);
});

Deno.test("the tiny preset builds and runs: E1 → [B, 512], E2 → [B, 10, 64, 4, 4], batch rows independent", async () => {
  const x = prngFill(8, 0, 2 * 3 * 64 * 64, 0, 1);
  for (
    const [make, shape] of [[wEncoderGraph, [2, 512]], [layerWiseEncoderGraph, [2, 10, 64, 4, 4]]] as const
  ) {
    const pair = make(TINY_ENCODER, { batch: 2 });
    const single = make(TINY_ENCODER, { batch: 1 });
    const weights = weightsFor(pair);
    const out =
      (await (await GraphSession.create(pair)).run({ x, ...weights })).outputs[pair.outputs[0].name];
    assert.deepEqual(out.shape, shape);
    const data = out.data as Float32Array;
    assert.ok(data.every(Number.isFinite));
    const half = data.length / 2;
    const second = await (await GraphSession.create(single)).run({ x: x.subarray(x.length / 2), ...weights });
    assertClose(
      data.subarray(half),
      second.outputs[single.outputs[0].name].data as Float32Array,
      1e-5,
      "row 1",
    );
    // Different images give different outputs (nothing collapsed to a constant).
    assert.ok(data.subarray(0, half).some((v, i) => Math.abs(v - data[half + i]) > 1e-3));
  }
});

Deno.test("building the layer-wise encoder twice in one scope shares its parameters (x and x̂_w, spec §3)", () => {
  const g = new GraphBuilder("shared");
  const a = g.input("a", [1, 3, 64, 64]), b = g.input("b", [1, 3, 64, 64]);
  g.scope("w_bar_encoder", () => buildLayerWiseEncoder(g, TINY_ENCODER, a));
  const count = g.parameters.length;
  g.scope("w_bar_encoder", () => buildLayerWiseEncoder(g, TINY_ENCODER, b));
  assert.equal(g.parameters.length, count);
});

Deno.test("merged first convolutions of the styles on one map: same parameters in the same order, same features and gradients", async () => {
  const build = (merge: boolean) => {
    const g = new GraphBuilder(merge ? "merged" : "per-style");
    const x = g.input("x", [2, 3, 64, 64]);
    const f = g.scope(
      "w_bar_encoder",
      () => buildLayerWiseEncoder(g, TINY_ENCODER, x, { mergeSharedInputConvs: merge }),
    );
    const loss = g.reduceSum(g.mul(f, f), [0, 1, 2, 3, 4], false); // []
    const names = [
      "w_bar_encoder.styles.9.convs.0.weight",
      "w_bar_encoder.styles.2.convs.0.bias",
      "w_bar_encoder.body.0.res_layer.3.weight",
    ];
    const wrt = [x, ...names.map((n) => g.parameters.find((p) => p.name === n)!)];
    const grads = gradients(g, loss, wrt);
    g.output(f, "F");
    wrt.forEach((t, k) => g.output(grads.get(t)!, `d${k}`));
    return g;
  };
  const [plain, merged] = [build(false), build(true)];
  assert.deepEqual(
    merged.parameters.map((p) => `${p.name} [${p.shape}]`),
    plain.parameters.map((p) => `${p.name} [${p.shape}]`),
  );
  const convs = (g: GraphBuilder) =>
    g.nodes.filter((n) => n.op === "Conv" && !n.name.startsWith("grad/")).length;
  const styles = encoderLayout(TINY_ENCODER).styles;
  const levels = new Set(styles.map((s) => s.level)).size;
  assert.equal(convs(plain) - convs(merged), styles.length - levels, "one first conv per map");
  const x = prngFill(9, 0, 2 * 3 * 64 * 64, 0, 1);
  const weights = weightsFor(plain);
  const a = await (await GraphSession.create(plain)).run({ x, ...weights });
  const b = await (await GraphSession.create(merged)).run({ x, ...weights });
  for (const name of ["F", "d0", "d1", "d2", "d3"]) {
    assertCloseRelative(
      b.outputs[name].data as Float32Array,
      a.outputs[name].data as Float32Array,
      1e-5,
      name,
    );
  }
});

Deno.test("styles that read only c3 need no lateral layers", () => {
  const config = resolveEncoderConfig({ preset: "tiny64", nStyles: 3 });
  const g = layerWiseEncoderGraph(config);
  assert.deepEqual(g.outputs[0].shape, [1, 3, 64, 4, 4]);
  assert.ok(!g.parameters.some((p) => p.name.startsWith("latlayer")));
});

/** Parameters (not buffers) of the official modules, in millions, as spec §2–§3 give them. */
const SPEC_MILLIONS: Record<string, number> = {
  "hyperinverter-church256.E1": 21.55,
  "hyperinverter-church256.E2": 97.0,
  "hyperinverter-ffhq1024.E1": 31.21,
  "hyperinverter-ffhq1024.E2": 134.98,
};

for (
  const [fixtureName, config] of [["hyperinverter-church256", CHURCH_ENCODER], [
    "hyperinverter-ffhq1024",
    FFHQ_ENCODER,
  ]] as [string, EncoderConfig][]
) {
  Deno.test(`${fixtureName}: the presets' parameter names and shapes equal the official E1 and E2 state dicts`, async () => {
    const fixture = await loadReferenceFixture(fixtureName);
    for (
      const [module, graph] of [["E1", wEncoderGraph(config)], ["E2", layerWiseEncoderGraph(config)]] as const
    ) {
      const official = new Map(
        fixture.moduleEntry(module).tensors.filter((t) => t.fill !== "skip").map((
          t,
        ) => [t.name, t.shape.join("×")]),
      );
      const ours = new Map(graph.parameters.map((p) => [p.name, p.shape.join("×")]));
      const missing = [...official.keys()].filter((n) => !ours.has(n));
      const extra = [...ours.keys()].filter((n) => !official.has(n));
      assert.deepEqual({ missing, extra }, { missing: [], extra: [] }, `${module} names`);
      for (const [name, shape] of official) assert.equal(ours.get(name), shape, `${module} ${name}`);
      const count = graph.parameters.filter((p) => !/running_(mean|var)$/.test(p.name)).reduce(
        (n, p) => n + p.size,
        0,
      );
      assert.equal(
        (count / 1e6).toFixed(2),
        SPEC_MILLIONS[`${fixtureName}.${module}`].toFixed(2),
        `${module} size`,
      );
    }
  });
}
