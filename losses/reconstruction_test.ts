import assert from "node:assert/strict";
import { gradients } from "../graph/autodiff.ts";
import { GraphBuilder } from "../graph/builder.ts";
import { prngFill } from "../io/prng.ts";
import { checkReconstructionWeights, reconstructionLoss } from "./reconstruction.ts";
import { msSsim, msSsimOptionsFor } from "./ms_ssim.ts";
import type { FeatureExtractor } from "./identity.ts";
import { runGraph } from "./_test_util.ts";

const SHAPE = [2, 3, 32, 32];
const SIZE = SHAPE.reduce((a, b) => a * b, 1);
const meanColour: FeatureExtractor = (g, x) => g.reduceMean(x, [2, 3], false); // [B, 3]

Deno.test("reconstructionLoss: the weighted sum of its terms; each term as the modules compute it", async () => {
  const y = prngFill(3, 0, SIZE, -1, 1);
  const x = prngFill(4, 0, SIZE, -1, 1);
  const out = await runGraph({ y: [SHAPE, y], x: [SHAPE, x] }, (g, t) => {
    const { loss, terms } = reconstructionLoss(g, t.y, t.x, { l2: 0.5, msSsim: 2, id: 3 }, {
      idNetwork: meanColour,
    });
    assert.deepEqual([...terms.keys()], ["l2", "msSsim", "id"]);
    const unit = (v: typeof t.y) => g.scale(g.add(v, g.scalar(1)), 0.5);
    return {
      loss,
      l2: terms.get("l2")!,
      msSsim: terms.get("msSsim")!,
      id: terms.get("id")!,
      reference: msSsim(g, unit(t.y), unit(t.x), msSsimOptionsFor(32).options),
    };
  });
  let squared = 0;
  for (let i = 0; i < SIZE; i++) squared += (y[i] - x[i]) ** 2;
  assert.ok(Math.abs(out.l2[0] - squared / SIZE) < 1e-5, `l2 ${out.l2[0]} vs ${squared / SIZE}`);
  // Uncorrelated noise: some scales fall below the floor, so the loss's MS-SSIM is at least the relu one's.
  assert.ok(1 - out.msSsim[0] >= out.reference[0] - 1e-6, `${1 - out.msSsim[0]} vs ${out.reference[0]}`);
  assert.ok(out.id[0] > 0 && out.id[0] < 2, `id ${out.id[0]}`);
  const expected = 0.5 * out.l2[0] + 2 * out.msSsim[0] + 3 * out.id[0];
  assert.ok(Math.abs(out.loss[0] - expected) < 1e-5, `loss ${out.loss[0]} vs ${expected}`);
});

Deno.test("reconstructionLoss: identical images give 0 for every term", async () => {
  const y = prngFill(5, 0, SIZE, -1, 1);
  const out = await runGraph({ y: [SHAPE, y] }, (g, t) => {
    const { terms } = reconstructionLoss(g, t.y, g.identity(t.y), { l2: 1, msSsim: 1, id: 1 }, {
      idNetwork: meanColour,
    });
    return Object.fromEntries(terms);
  });
  for (const [term, value] of Object.entries(out)) {
    assert.ok(Math.abs(value[0]) < 1e-5, `${term} ${value[0]}`);
  }
});

Deno.test("reconstructionLoss: the MS-SSIM gradient stays finite where a scale's term is clamped", async () => {
  // y = −x: anti-correlated images, so cs < 0 at every scale (pytorch_msssim's relu would give 0·∞ = NaN).
  const x = prngFill(6, 0, SIZE, -1, 1);
  const out = await runGraph({ y: [SHAPE, x.map((v) => -v)], x: [SHAPE, x] }, (g, t) => {
    const { loss } = reconstructionLoss(g, t.y, t.x, { msSsim: 1 });
    return { loss, grad: gradients(g, loss, [t.y]).get(t.y)! };
  });
  assert.ok(Number.isFinite(out.loss[0]) && out.loss[0] > 0.9, `loss ${out.loss[0]}`);
  assert.ok(out.grad.every(Number.isFinite), "every gradient value is finite");
});

Deno.test("reconstructionLoss: weights are checked, and the identity term needs a network", () => {
  checkReconstructionWeights({ l2: 1, id: 0 }, "w");
  assert.throws(() => checkReconstructionWeights({ l2: 1, ssim: 1 }, "w"), /unknown loss term "ssim"/);
  assert.throws(() => checkReconstructionWeights({ l2: Number.NaN }, "w"), /w\.l2 must be a finite number/);
  assert.throws(() => checkReconstructionWeights({ l2: 0 }, "w"), /every loss weight is 0/);
  const g = new GraphBuilder("no_network");
  const y = g.input("y", SHAPE);
  assert.throws(() => reconstructionLoss(g, y, g.identity(y), { id: 1 }), /needs a feature network/);
});
