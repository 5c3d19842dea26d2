import assert from "node:assert/strict";
import { GraphBuilder } from "./builder.ts";

Deno.test("shapes are inferred at build time through conv, transposed conv and reshape", () => {
  const g = new GraphBuilder("shapes");
  const x = g.input("x", [2, 8, 5, 5]);
  const w = g.parameter("w", [16, 8, 3, 3]);
  const y = g.conv(x, w, { pads: 1 }); // [2, 16, 5, 5]
  assert.deepEqual(y.shape, [2, 16, 5, 5]);
  const up = g.convTranspose(y, g.parameter("wt", [16, 4, 3, 3]), { strides: [2, 2] }); // [2, 4, 11, 11]
  assert.deepEqual(up.shape, [2, 4, 11, 11]);
  assert.deepEqual(g.reshape(up, [2, -1]).shape, [2, 484]);
  assert.deepEqual(g.reduceSum(up, [1, 2, 3], false).shape, [2]);
  assert.deepEqual(g.slice(up, [2, 3], [1, 0], [100, -1], [2, 1]).shape, [2, 4, 5, 10]);
  assert.deepEqual(g.matMul(g.input("a", [3, 1, 2, 7]), g.input("b", [4, 7, 5])).shape, [3, 4, 2, 5]);
});

Deno.test("a shape mismatch names the node and both shapes", () => {
  const g = new GraphBuilder("bad");
  const x = g.input("x", [1, 8, 4, 4]);
  g.scope("block", () => {
    assert.throws(
      () => g.conv(x, g.parameter("weight", [16, 4, 3, 3])),
      (e: Error) =>
        e instanceof TypeError && /Conv "block\/Conv_\d+"/.test(e.message) &&
        e.message.includes("[1, 8, 4, 4]") && e.message.includes("[16, 4, 3, 3]"),
    );
  });
  assert.throws(
    () => g.add(g.input("a", [2, 3]), g.input("b", [4, 3])),
    /Add ".*": shapes do not broadcast.*\[2, 3\] and \[4, 3\]/,
  );
  assert.throws(
    () => g.matMul(g.input("m", [2, 3]), g.input("n", [4, 5])),
    /inner dimensions 3 and 4 differ/,
  );
  assert.throws(() => g.reshape(x, [3, 5]), /cannot reshape 128 elements to \[3, 5\]/);
});

Deno.test("parameters are scoped, shared by name, and checked for conflicting shapes", () => {
  const g = new GraphBuilder("params");
  const a = g.scope("synthesis", () => g.scope("b8", () => g.parameter("weight", [4, 4])));
  assert.equal(a.name, "synthesis.b8.weight");
  const again = g.scope("synthesis", () => g.scope("b8", () => g.parameter("weight", [4, 4])));
  assert.equal(again, a);
  assert.throws(
    () => g.scope("synthesis", () => g.scope("b8", () => g.parameter("weight", [4, 5]))),
    /Parameter "synthesis\.b8\.weight" is declared twice with different shapes \[4, 4\] and \[4, 5\]/,
  );
});

Deno.test("tensors of another graph, unknown ops and duplicate input names are rejected", () => {
  const g1 = new GraphBuilder("one");
  const g2 = new GraphBuilder("two");
  const x1 = g1.input("x", [2]);
  assert.throws(() => g2.neg(x1), /belongs to another graph/);
  // @ts-expect-error an op outside the op set (an untyped caller's mistake) is also refused at run time
  assert.throws(() => g1.node("Einsum", [x1]), /Unknown op "Einsum"/);
  assert.throws(() => g1.input("x", [3]), /Name "x" is already used/);
  assert.throws(() => g1.input("y", [2, -1]), /non-negative integer dimensions/);
});
