import assert from "node:assert/strict";
import { loadHyperInverter } from "../model/load.ts";
import { chooseEditStrength } from "./edit_strength.ts";

const model = await loadHyperInverter("data/models/default/model.json", { device: "cpu" });
const batch = 2;
const inversion = await model.invert(
  new Float32Array(batch * 3 * 32 * 32).map((_, i) => Math.sin(i * 0.01) * 0.5),
  batch,
);
const direction = new Float32Array(128).fill(1 / Math.sqrt(128));
/** A scorer that returns the next of the given values for every image of each call (call 0: the unedited images). */
function ladderScorer(values: number[]) {
  let call = 0;
  return (_images: Float32Array, b: number) => Promise.resolve(new Array(b).fill(values[call++]));
}

Deno.test("the first γ whose mean change reaches the target is chosen, with its images", async () => {
  // Scores: unedited 0, then γ = 1 → 0.4, γ = 2 → 0.9, γ = 3 → 1.3 (reached), γ = 4 never asked.
  const found = await chooseEditStrength(
    model,
    inversion,
    batch,
    direction,
    ladderScorer([0, 0.4, 0.9, 1.3, 9]),
  );
  assert.equal(found.gamma, 3);
  assert.equal(found.reached, true);
  assert.ok(Math.abs(found.change - 1.3) < 1e-12);
  assert.deepEqual(found.tried.map((t) => t.gamma), [1, 2, 3]);
  const expected = await chooseEditStrength(model, inversion, batch, direction, ladderScorer([0, 5]), {
    ladder: [3],
  });
  assert.deepEqual(found.images, expected.images, "the returned images are the edit at the chosen γ");
});

Deno.test("when no γ reaches the target, the last is returned and marked not reached", async () => {
  const found = await chooseEditStrength(model, inversion, batch, direction, ladderScorer([0, 0.1, 0.2]), {
    ladder: [1, 2],
    target: 1,
  });
  assert.equal(found.gamma, 2);
  assert.equal(found.reached, false);
});

Deno.test("the edit is real: a larger γ moves the images further", async () => {
  const distances: number[] = [];
  for (const gamma of [1, 4]) {
    const { images } = await chooseEditStrength(model, inversion, batch, direction, ladderScorer([0, 0]), {
      ladder: [gamma],
    });
    distances.push(images.reduce((s, v, i) => s + Math.abs(v - inversion.finalImages.data[i]), 0));
  }
  assert.ok(distances[0] > 0 && distances[1] > distances[0], `${distances}`);
});

Deno.test("bad directions, ladders and scorers are refused naming the problem", async () => {
  await assert.rejects(
    () => chooseEditStrength(model, inversion, batch, new Float32Array(3), ladderScorer([0])),
    /direction has 3 values, expected wDim 128/,
  );
  await assert.rejects(
    () => chooseEditStrength(model, inversion, batch, direction, ladderScorer([0]), { ladder: [] }),
    /ladder is empty/,
  );
  await assert.rejects(
    () => chooseEditStrength(model, inversion, batch, direction, () => Promise.resolve([1])),
    /returned 1 scores for 2 images/,
  );
  await assert.rejects(
    () => chooseEditStrength(model, inversion, batch, direction, ladderScorer([0, NaN])),
    /Score 0 is NaN/,
  );
});
