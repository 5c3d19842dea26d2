/**
 * The autodiff driver: accumulation over shared uses, stop-gradient, unreachable tensors, seeds, and gradients
 * of gradients. The per-op rules are checked against central differences in gradients_test.ts.
 */
import assert from "node:assert/strict";
import { gradients } from "./autodiff.ts";
import { GraphBuilder } from "./builder.ts";
import { GraphSession } from "../runtime/session.ts";

const X = new Float32Array([0.5, -1.5, 2]);

async function run(g: GraphBuilder, x = X): Promise<Record<string, number[]>> {
  const { outputs } = await (await GraphSession.create(g)).run({ x });
  return Object.fromEntries(Object.entries(outputs).map(([k, v]) => [k, [...(v.data as Float32Array)]]));
}

function near(actual: number[], expected: number[], atol = 1e-5): void {
  assert.equal(actual.length, expected.length);
  actual.forEach((v, i) => assert.ok(Math.abs(v - expected[i]) <= atol, `${actual} vs ${expected}`));
}

Deno.test("a tensor used several times gets the sum of its contributions", async () => {
  const g = new GraphBuilder("shared");
  const x = g.input("x", [3]);
  const w = g.parameter("w", [3]); // used twice, like a shared parameter
  const y = g.add(g.mul(x, w), g.mul(w, w)); // ∂/∂w = x + 2w, ∂/∂x = w
  const loss = g.reduceSum(y, [0], false);
  const grads = gradients(g, loss, [x, w]);
  g.output(grads.get(x)!, "dx");
  g.output(grads.get(w)!, "dw");
  const { outputs } = await (await GraphSession.create(g)).run({ x: X, w: new Float32Array([1, 2, 3]) });
  near([...(outputs.dx.data as Float32Array)], [1, 2, 3]);
  near([...(outputs.dw.data as Float32Array)], [2.5, 2.5, 8]);
});

Deno.test("stop-gradient tensors are constants; unreachable tensors get zeros of their shape", async () => {
  const g = new GraphBuilder("stop");
  const x = g.input("x", [3]);
  const square = g.mul(x, x);
  const detached = g.mul(x, g.scalar(3));
  const unused = g.parameter("unused", [2, 2]);
  const loss = g.reduceSum(g.add(square, g.mul(detached, x)), [0], false); // x² + (3x)·x with 3x detached
  const grads = gradients(g, loss, [x, unused, detached], { stopGradient: new Set([detached]) });
  g.output(grads.get(x)!, "dx");
  g.output(grads.get(unused)!, "dunused");
  g.output(grads.get(detached)!, "ddetached");
  assert.deepEqual(grads.get(unused)!.shape, [2, 2]);
  const { outputs } = await (await GraphSession.create(g)).run({ x: X, unused: new Float32Array(4) });
  near([...(outputs.dx.data as Float32Array)], [...X].map((v) => 2 * v + 3 * v)); // 2x + detached
  near([...(outputs.dunused.data as Float32Array)], [0, 0, 0, 0]);
  near([...(outputs.ddetached.data as Float32Array)], [0, 0, 0]);
});

Deno.test("a non-scalar loss takes a seed (a vector-Jacobian product); the default seed is ones", async () => {
  const g = new GraphBuilder("seed");
  const x = g.input("x", [3]);
  const y = g.mul(x, x);
  const seeded = gradients(g, y, [x], { seed: g.constant(new Float32Array([1, 0, -2]), [3]) }).get(x)!;
  const ones = gradients(g, y, [x]).get(x)!;
  g.output(seeded, "seeded");
  g.output(ones, "ones");
  const out = await run(g);
  near(out.seeded, [1, 0, -8]); // 2x·seed
  near(out.ones, [...X].map((v) => 2 * v));
});

Deno.test("gradients of gradients: d/dx of (d/dx Σ x³)·r is 6x·r", async () => {
  const g = new GraphBuilder("double");
  const x = g.input("x", [3]);
  const cube = g.reduceSum(g.pow(x, g.scalar(3)), [0], false);
  const first = gradients(g, cube, [x]).get(x)!; // 3x²
  const r = g.constant(new Float32Array([1, 2, 3]), [3]);
  const second = gradients(g, g.reduceSum(g.mul(first, r), [0], false), [x]).get(x)!; // 6x·r
  g.output(first, "first");
  g.output(second, "second");
  const out = await run(g);
  near(out.first, [...X].map((v) => 3 * v * v));
  near(out.second, [...X].map((v, i) => 6 * v * (i + 1)), 1e-4);
});

Deno.test("the backward nodes are ordinary IR in a grad/ scope; a seed must be shaped like the loss", () => {
  const g = new GraphBuilder("ir");
  const x = g.input("x", [2, 3]);
  const y = g.reduceSum(g.tanh(g.matMul(x, g.parameter("w", [3, 4]))), [0, 1], false);
  const before = g.nodes.length;
  gradients(g, y, [x]);
  assert.ok(g.nodes.length > before);
  assert.ok(g.nodes.slice(before).every((n) => n.name.includes("grad/")));
  assert.throws(
    () => gradients(g, y, [x], { seed: g.scalar(1).shape.length ? g.scalar(1) : g.input("s", [2]) }),
    /seed/,
  );
});

Deno.test("slices that split a tensor get one Concat as its gradient (zeros in gaps); overlapping ones still add up", async () => {
  const g = new GraphBuilder("split");
  const x = g.input("x", [2, 6]);
  const first = g.slice(x, [1], [0], [2]); // x[:, 0:2]
  const last = g.slice(x, [1], [4], [6]); // x[:, 4:6]
  const overlapping = g.slice(x, [-1], [1], [3]); // x[:, 1:3], overlaps `first`: the padded sum
  const loss = g.add(
    g.reduceSum(g.mul(first, first), [0, 1], false), // ∂ = 2x on columns 0–1
    g.add(g.reduceSum(g.scale(last, 3), [0, 1], false), g.reduceSum(g.scale(overlapping, 5), [0, 1], false)),
  );
  const dx = gradients(g, loss, [x]).get(x)!;
  g.output(dx, "dx");
  const values = Float32Array.from({ length: 12 }, (_, i) => i - 5);
  const { outputs } = await (await GraphSession.create(g)).run({ x: values });
  const expected = [...values].map((v, i) =>
    (i % 6 < 2 ? 2 * v : 0) + (i % 6 >= 4 ? 3 : 0) + (i % 6 === 1 || i % 6 === 2 ? 5 : 0)
  );
  near([...(outputs.dx.data as Float32Array)], expected);

  const h = new GraphBuilder("tiles");
  const y = h.input("x", [2, 6]);
  const parts = [h.slice(y, [1], [0], [2]), h.slice(y, [1], [3], [6])]; // a gap at column 2
  const [a, b] = parts.map((p, k) => h.reduceSum(h.scale(h.mul(p, p), k + 1), [0, 1], false));
  const total = h.add(a, b);
  const dy = gradients(h, total, [y]).get(y)!;
  h.output(dy, "dx");
  const backward = h.nodes.filter((n) => n.name.startsWith("grad/")).map((n) => n.op);
  assert.ok(backward.includes("Concat") && !backward.includes("Pad"), backward.join(", "));
  const tiled = await (await GraphSession.create(h)).run({ x: values });
  near(
    [...(tiled.outputs.dx.data as Float32Array)],
    [...values].map((v, i) => (i % 6 < 2 ? 2 * v : i % 6 >= 3 ? 4 * v : 0)),
  );
});
