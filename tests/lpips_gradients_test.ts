/**
 * LPIPS input gradients against PyTorch autograd on HyperInverter's own LPIPS port (AlexNet v0.1, reference
 * fixture lpips-alex, README §4–§5): d loss/d x0 in full and d loss/d x1 at the fixture's 64 sampled
 * positions (plus its stats). This is the gradient that the LPIPS term sends back into the generator.
 *
 * Tolerance: the official gradient is bit-identical across threads and BLAS builds (§5), but ours comes
 * from another convolution order, a composed max pool and the backward of the channel normalisation
 * f / (‖f‖ + 1e-10); |·| ≤ 2.4e-5 (the gradient of a spatial mean), so the comparison is relative to each
 * tensor's max |·|: 2e-5 (measured 2.4e-6), i.e. ≈ 5e-10 absolute. A wrong eps, tap or pooling window changes it by O(1).
 */
import assert from "node:assert/strict";
import { gradients } from "../graph/autodiff.ts";
import { GraphBuilder } from "../graph/builder.ts";
import { loadReferenceFixture } from "../io/reference_fixture.ts";
import { prngBits } from "../io/prng.ts";
import { lpips } from "../losses/mod.ts";
import { GraphSession } from "../runtime/session.ts";
import { parameterFeeds } from "../runtime/weights.ts";
import { assertClose, assertCloseRelative } from "./_assert_close.ts";
import { type FixtureStats, readFloat32, readSampledValues, type SampledRows } from "./_fixtures.ts";

const RELATIVE = 2e-5;

/** Compares within RELATIVE × `peak` (default: max |expected|); returns the error relative to the peak. */
const compareRelative = (
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  what: string,
  peak?: number,
) => assertCloseRelative(actual, expected, RELATIVE, what, peak);

Deno.test("lpips-alex gradients: d loss/d x0 in full, d loss/d x1 sampled and its stats", async () => {
  const fixture = await loadReferenceFixture("lpips-alex");
  const g = new GraphBuilder("lpips_alex_gradients");
  const x0 = g.input("x0", [2, 3, 256, 256]);
  const x1 = g.input("x1", [2, 3, 256, 256]);
  const { loss } = lpips(g, x0, x1);
  const grads = gradients(g, loss, [x0, x1]);
  g.output(loss, "loss");
  g.output(grads.get(x0)!, "dloss_dx0");
  g.output(grads.get(x1)!, "dloss_dx1");
  const session = await GraphSession.create(g);
  const started = performance.now();
  const { outputs } = await session.run({
    x0: await readFloat32(fixture, "inputs", "x0"),
    x1: await readFloat32(fixture, "inputs", "x1"),
    ...parameterFeeds(g, fixture.moduleWeights("LPIPS")),
  });
  const milliseconds = performance.now() - started;

  const expectedLoss = (fixture.manifest.losses as { loss: number }).loss;
  assertClose(outputs.loss.data as Float32Array, [expectedLoss], 1e-6, "loss");

  const dx0 = outputs.dloss_dx0.data as Float32Array;
  const errors: Record<string, string> = {};
  errors.dloss_dx0 = compareRelative(dx0, await readFloat32(fixture, "outputs", "dloss_dx0"), "dloss_dx0")
    .toExponential(2);

  const dx1 = outputs.dloss_dx1.data as Float32Array;
  const sampled = fixture.manifest["grad.sampled"] as SampledRows;
  const [row] = sampled.rows;
  assert.equal(row.name, "dloss_dx1");
  assert.equal(dx1.length, row.numel);
  const values = await readSampledValues(fixture, sampled);
  const stats = (fixture.manifest["grad.stats"] as Record<string, FixtureStats>).dloss_dx1;
  const peak = Math.max(Math.abs(stats.min), Math.abs(stats.max));
  const actual = Float32Array.from(
    { length: sampled.n },
    (_, i) => dx1[prngBits(sampled.pos_seed, row.row, i) % row.numel],
  );
  // Relative to the whole tensor's max |·| (from the stats), as for the full tensors.
  errors["dloss_dx1[pos]"] = compareRelative(
    actual,
    values.subarray(row.row * sampled.n, (row.row + 1) * sampled.n),
    "dloss_dx1[pos]",
    peak,
  ).toExponential(2);
  let l2 = 0, min = Infinity, max = -Infinity;
  for (const v of dx1) {
    l2 += v * v;
    min = Math.min(min, v);
    max = Math.max(max, v);
  }
  l2 = Math.sqrt(l2);
  assert.ok(Math.abs(l2 - stats.l2) <= RELATIVE * stats.l2, `dloss_dx1 l2 ${l2} vs ${stats.l2}`);
  errors["dloss_dx1 min/max"] = compareRelative([min, max], [stats.min, stats.max], "dloss_dx1 min/max", peak)
    .toExponential(2);
  errors["dloss_dx1 l2"] = (Math.abs(l2 - stats.l2) / stats.l2).toExponential(2);
  console.log(`lpips-alex gradients, relative max |Δ|:`, errors, `(run ${milliseconds.toFixed(0)} ms)`);
});
