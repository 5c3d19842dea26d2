import assert from "node:assert/strict";
import { classifierFeatures } from "./features.ts";

Deno.test("the shipped Fashion-MNIST classifier gives features; no classifier gives null", async () => {
  assert.equal(await classifierFeatures("/nonexistent"), null);
  const features = await classifierFeatures();
  assert.ok(features, "data/models/default/attributes holds a classifier");
  assert.match(features.name, /conv/);
  const images = new Float32Array(2 * 3 * 32 * 32).map((_, i) => Math.sin(i * 0.01));
  const f = await features.run(images, 2);
  assert.equal(f.length % 2, 0);
  assert.ok(f.some((v) => v !== 0));
});
