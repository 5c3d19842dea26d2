import assert from "node:assert/strict";
import { loadHyperInverter } from "../model/load.ts";
import { prngFill } from "../io/prng.ts";
import { AttributeModel } from "./attribute_model.ts";
import { readDirections } from "./direction_file.ts";
import { attributeScores, fashionAttribute } from "./fashion_attributes.ts";
import { directionFromScores, labelSampledLatents } from "./learn_direction.ts";
import { LEARNED_DIRECTIONS_FILE } from "./load_direction.ts";

Deno.test("directionFromScores finds the direction scores grow along, keeping the tails", () => {
  const dim = 8, count = 1000;
  const ws = prngFill(9, 0, count * dim, 0, Math.sqrt(3));
  const scores = Float64Array.from({ length: count }, (_, n) => 2 * ws[n * dim + 3] - ws[n * dim + 5]);
  const learned = directionFromScores(ws, scores, { dim, fraction: 0.2 });
  assert.equal(learned.keptPerSide, 200);
  const expected = [0, 0, 0, 2, 0, -1, 0, 0].map((v) => v / Math.sqrt(5));
  const cosine = expected.reduce((s, v, i) => s + v * learned.direction[i], 0);
  assert.ok(cosine > 0.97, `cosine ${cosine}`);
  assert.ok(learned.validationAccuracy > 0.95, `${learned.validationAccuracy}`);
  assert.throws(
    () => directionFromScores(ws, scores, { dim, fraction: 0.7 }),
    /fraction must be in \(0, 0.5\]/,
  );
  assert.throws(() => directionFromScores(ws, scores.slice(1), { dim }), /999 scores × dim 8/);
});

Deno.test("the default model's learned footwear direction raises the labeller's footwear score of G(w)", async () => {
  const model = await loadHyperInverter("data/models/default/model.json");
  const labeller = await AttributeModel.load("data/models/default/attributes/conv.safetensors");
  const { ws, logits, dim } = await labelSampledLatents(model, labeller, {
    count: 200,
    seed: 77,
    batch: 100,
  });
  assert.equal(dim, 128);
  const scores = attributeScores(logits, 10, fashionAttribute("footwear"));
  const stored = (await readDirections(`data/models/default/${LEARNED_DIRECTIONS_FILE}`)).get("footwear")!;
  assert.ok((stored.about.validationAccuracy as number) > 0.9);
  // Fresh samples (seed 77, not the 4000 it was learned from): ⟨w, n⟩ correlates with the score.
  const projections = Array.from({ length: 200 }, (_, n) => {
    let p = 0;
    for (let i = 0; i < dim; i++) p += ws[n * dim + i] * stored.direction[i];
    return p;
  });
  const mean = (v: ArrayLike<number>) => Array.from(v).reduce((a, b) => a + b, 0) / v.length;
  const mp = mean(projections), ms = mean(scores);
  let cov = 0, vp = 0, vs = 0;
  for (let n = 0; n < 200; n++) {
    cov += (projections[n] - mp) * (scores[n] - ms);
    vp += (projections[n] - mp) ** 2;
    vs += (scores[n] - ms) ** 2;
  }
  const correlation = cov / Math.sqrt(vp * vs);
  assert.ok(correlation > 0.5, `correlation ${correlation}`);
});
