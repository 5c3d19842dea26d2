import assert from "node:assert/strict";
import {
  attributeScores,
  FASHION_MNIST_ATTRIBUTES,
  FASHION_MNIST_CLASSES,
  fashionAttribute,
} from "./fashion_attributes.ts";

Deno.test("attribute scores are the log-odds of the class group", () => {
  const logits = new Float32Array([
    1,
    2,
    3,
    0,
    -1,
    0.5,
    2,
    2,
    0,
    1,
    /* second image */ 5,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
  ]);
  const footwear = fashionAttribute("footwear");
  const scores = attributeScores(logits, 10, footwear);
  const p = (row: number[]) => {
    const e = row.map(Math.exp);
    const inside = [5, 7, 9].reduce((s, c) => s + e[c], 0);
    return Math.log(inside / (e.reduce((a, b) => a + b, 0) - inside));
  };
  assert.ok(Math.abs(scores[0] - p([...logits.subarray(0, 10)])) < 1e-9);
  assert.ok(Math.abs(scores[1] - p([...logits.subarray(10, 20)])) < 1e-9);
  assert.ok(scores[1] < scores[0], "a confident T-shirt is less footwear-like");
  for (const attribute of FASHION_MNIST_ATTRIBUTES) {
    assert.ok(attribute.classes.every((c) => FASHION_MNIST_CLASSES[c] !== undefined));
  }
});

Deno.test("attribute scores reject unknown names, bad groups and ragged logits", () => {
  assert.throws(() => fashionAttribute("smile"), /Unknown attribute "smile" \(known: footwear/);
  assert.throws(
    () => attributeScores(new Float32Array(7), 10, fashionAttribute("bag")),
    /not a multiple of 10/,
  );
  const all = { name: "all", description: "", classes: [0, 1] };
  assert.throws(() => attributeScores(new Float32Array(4), 2, all), /some but not all of 2 classes/);
});
