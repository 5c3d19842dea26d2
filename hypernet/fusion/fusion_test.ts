import assert from "node:assert/strict";
import { GraphBuilder } from "../../graph/builder.ts";
import { prngFill } from "../../io/prng.ts";
import { GraphSession } from "../../runtime/session.ts";
import { assertClose } from "../../tests/_assert_close.ts";
import { FUSION_NAMES, FUSION_OPERATORS, fusionOperator } from "./registry.ts";

// A plain TypeScript reference of every operator on [B, C, S, S] maps, checked against ONNX Runtime.
const B = 2, C = 3, S = 2, HW = S * S;
type Weights = Map<string, Float32Array>;

function conv1x1(x: Float32Array, inChannels: number, w: Float32Array, b: Float32Array, out: number) {
  const y = new Float32Array(B * out * HW);
  for (let n = 0; n < B; n++) {
    for (let o = 0; o < out; o++) {
      for (let p = 0; p < HW; p++) {
        let acc = b[o];
        for (let i = 0; i < inChannels; i++) acc += w[o * inChannels + i] * x[(n * inChannels + i) * HW + p];
        y[(n * out + o) * HW + p] = acc;
      }
    }
  }
  return y;
}

function instanceNormRelu(x: Float32Array, channels: number) {
  const y = new Float32Array(x.length);
  for (let plane = 0; plane < B * channels; plane++) {
    const values = x.subarray(plane * HW, (plane + 1) * HW);
    const mean = values.reduce((a, v) => a + v, 0) / HW;
    const variance = values.reduce((a, v) => a + (v - mean) ** 2, 0) / HW;
    for (let p = 0; p < HW; p++) {
      y[plane * HW + p] = Math.max(0, (values[p] - mean) / Math.sqrt(variance + 1e-5));
    }
  }
  return y;
}

function concat(a: Float32Array, b: Float32Array) {
  const y = new Float32Array(2 * a.length);
  const plane = C * HW;
  for (let n = 0; n < B; n++) {
    y.set(a.subarray(n * plane, (n + 1) * plane), 2 * n * plane);
    y.set(b.subarray(n * plane, (n + 1) * plane), (2 * n + 1) * plane);
  }
  return y;
}

const head = (h: Float32Array, inChannels: number, w: Weights, scope: string) =>
  instanceNormRelu(conv1x1(h, inChannels, w.get(`${scope}.0.weight`)!, w.get(`${scope}.0.bias`)!, C), C);

const REFERENCE: Record<string, (fw: Float32Array, fx: Float32Array, w: Weights) => Float32Array> = {
  concatConv: (fw, fx, w) => head(concat(fw, fx), 2 * C, w, "concatConv"),
  inputOnly: (_fw, fx, w) => head(fx, C, w, "inputOnly"),
  sum: (fw, fx, w) => head(fw.map((v, i) => v + fx[i]), C, w, "sum"),
  difference: (fw, fx, w) => head(fx.map((v, i) => v - fw[i]), C, w, "difference"),
  gated: (fw, fx, w) => {
    const logits = conv1x1(concat(fw, fx), 2 * C, w.get("gated.gate.weight")!, w.get("gated.gate.bias")!, C);
    const mixed = logits.map((l, i) => {
      const gate = 1 / (1 + Math.exp(-l));
      return gate * fx[i] + (1 - gate) * fw[i];
    });
    return head(mixed, C, w, "gated");
  },
};

Deno.test("every fusion operator matches a plain TypeScript reference in ONNX Runtime", async () => {
  assert.deepEqual(Object.keys(REFERENCE), [...FUSION_NAMES], "the reference covers every operator");
  const g = new GraphBuilder("fusions");
  const fw = g.input("fw", [B, C, S, S]);
  const fx = g.input("fx", [B, C, S, S]);
  for (const name of FUSION_NAMES) {
    const fused = g.scope(name, () => FUSION_OPERATORS[name].build(g, fw, fx, {}));
    assert.deepEqual(fused.shape, [B, C, S, S], name);
    g.output(fused, `out.${name}`);
  }
  const weights: Weights = new Map(
    g.parameters.map((p, k) => [p.name, prngFill(0xF0510, k, p.size, 0, 0.8)]),
  );
  const fwData = prngFill(0xF0511, 0, B * C * HW, 0, 2);
  const fxData = prngFill(0xF0511, 1, B * C * HW, 0, 2);
  const { outputs } = await (await GraphSession.create(g)).run({
    fw: fwData,
    fx: fxData,
    ...Object.fromEntries(weights),
  });
  for (const name of FUSION_NAMES) {
    const actual = outputs[`out.${name}`].data as Float32Array;
    assertClose(actual, REFERENCE[name](fwData, fxData, weights), 1e-5, name);
    assert.ok(actual.some((v) => v > 0), `${name} is not all zero`);
  }
});

Deno.test("concatConv puts Fw in the first C channels of the concatenation", async () => {
  const g = new GraphBuilder("order");
  const a = g.input("a", [1, 2, 2, 2]);
  const b = g.input("b", [1, 2, 2, 2]);
  g.output(g.scope("f", () => FUSION_OPERATORS.concatConv.build(g, a, b, {})), "ab");
  g.output(g.scope("f", () => FUSION_OPERATORS.concatConv.build(g, b, a, {})), "ba");
  assert.deepEqual(g.parameters.map((p) => p.name), ["f.0.weight", "f.0.bias"], "one shared set of weights");
  const feeds = {
    a: prngFill(1, 0, 8, 0, 1),
    b: prngFill(1, 1, 8, 0, 1),
    "f.0.weight": new Float32Array([1, 0, 0, 0, 0, 1, 0, 0]), // output channel o copies Fw channel o
    "f.0.bias": new Float32Array(2),
  };
  const session = await GraphSession.create(g);
  const first = (await session.run(feeds)).outputs;
  const second = (await session.run({ ...feeds, b: prngFill(1, 2, 8, 0, 1) })).outputs;
  // The weight reads only the first C input channels, so "ab" depends on a alone: a is in front.
  assert.deepEqual(second.ab.data, first.ab.data);
  const ba = [first.ba.data as Float32Array, second.ba.data as Float32Array];
  assert.ok(ba[0].some((v, i) => Math.abs(v - ba[1][i]) > 1e-3));
});

Deno.test("fusionOperator names every valid operator when the name is unknown", () => {
  assert.equal(fusionOperator("concatConv"), FUSION_OPERATORS.concatConv);
  assert.throws(
    () => fusionOperator("concat"),
    (e: unknown) =>
      e instanceof RangeError && e.message.includes('"concat"') &&
      FUSION_NAMES.every((n) => e.message.includes(n)),
  );
  assert.throws(() => fusionOperator("toString"), RangeError, "no prototype names");
});

Deno.test("fusion operators reject feature maps of different shapes and an invalid outChannels", () => {
  const g = new GraphBuilder("bad");
  const fw = g.input("fw", [1, 4, 2, 2]);
  const fx = g.input("fx", [1, 4, 4, 4]);
  for (const name of FUSION_NAMES) {
    assert.throws(() => FUSION_OPERATORS[name].build(g, fw, fx, {}), TypeError, name);
  }
  assert.throws(() => FUSION_OPERATORS.sum.build(g, fw, fw, { outChannels: 0 }), RangeError);
});

Deno.test("outChannels sets C' and the head's parameter shapes", () => {
  const g = new GraphBuilder("width");
  const fw = g.input("fw", [1, 6, 4, 4]);
  const fused = g.scope("fusion", () => FUSION_OPERATORS.concatConv.build(g, fw, fw, { outChannels: 5 }));
  assert.deepEqual(fused.shape, [1, 5, 4, 4]);
  assert.deepEqual(g.parameters.map((p) => [p.name, p.shape]), [
    ["fusion.0.weight", [5, 12, 1, 1]],
    ["fusion.0.bias", [5]],
  ]);
});
