import assert from "node:assert/strict";
import { GraphBuilder } from "../graph/builder.ts";
import { extractorDownsamplings, featureExtractor } from "./feature_extractor.ts";

Deno.test("log2(S) stride-2 convs: official names 0,2,4,6 at 8×8, 0,2,4 at 4×4, 0,2 at 2×2", () => {
  for (
    const [size, indices] of [[8, [0, 2, 4, 6]], [4, [0, 2, 4]], [2, [0, 2]], [16, [0, 2, 4, 6, 8]]] as const
  ) {
    assert.equal(extractorDownsamplings(size), indices.length - 1);
    const g = new GraphBuilder("fe");
    const v = featureExtractor(g, g.input("h", [3, 32, size, size]), { hiddenDim: 5, width: 12 });
    assert.deepEqual(v.shape, [3, 5]);
    const weights = g.parameters.filter((p) => p.name.endsWith(".weight"));
    assert.deepEqual(weights.map((p) => Number(p.name.split(".")[0])), [...indices]);
    assert.deepEqual(weights[0].shape, [12, 32, 3, 3]);
    assert.deepEqual(weights.at(-1)!.shape, [5, 12, 4, 4]);
  }
});

Deno.test("the official extractor at 8×8 has the official shapes (width 64 by default)", () => {
  const g = new GraphBuilder("fe");
  featureExtractor(g, g.input("h", [1, 512, 8, 8]), { hiddenDim: 16 });
  assert.deepEqual(g.parameters.map((p) => [p.name, p.shape]), [
    ["0.weight", [64, 512, 3, 3]],
    ["0.bias", [64]],
    ["2.weight", [64, 64, 4, 4]],
    ["2.bias", [64]],
    ["4.weight", [64, 64, 4, 4]],
    ["4.bias", [64]],
    ["6.weight", [16, 64, 4, 4]],
    ["6.bias", [16]],
  ]);
});

Deno.test("feature sizes that are not a power of two ≥ 2, or non-square maps, are rejected", () => {
  for (const size of [1, 6, 0, -4, 2.5]) {
    assert.throws(() => extractorDownsamplings(size), RangeError, String(size));
  }
  const g = new GraphBuilder("bad");
  assert.throws(() => featureExtractor(g, g.input("a", [1, 8, 6, 6]), { hiddenDim: 4 }), TypeError);
  assert.throws(() => featureExtractor(g, g.input("b", [1, 8, 8, 4]), { hiddenDim: 4 }), TypeError);
});
