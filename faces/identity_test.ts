import assert from "node:assert/strict";
import { descriptorDistance, FaceRecognizer, identitySimilarity } from "./identity.ts";
import { readRgbImage } from "./rgb_image.ts";

const FIXTURES = new URL("../../shared/fixtures/images/", import.meta.url).pathname;

Deno.test("identity: the fixtures' same-person pair is closer than every pair it forms with another face", async () => {
  // The README names one same-person pair across sets (Chris Evans: faces-aligned-256/000003 and
  // faces-aligned-dlib/05). The other 27 aligned faces are not labelled (faces-aligned-256 holds paintings and
  // may repeat a person), so "different person" is only certain for pairs of a member with a third face.
  const recognizer = await FaceRecognizer.load();
  const names = [
    ...Array.from({ length: 10 }, (_, i) => `faces-aligned-dlib/${String(i + 1).padStart(2, "0")}.png`),
    ...Array.from({ length: 19 }, (_, i) => `faces-aligned-256/${String(i + 1).padStart(6, "0")}.png`),
  ];
  const descriptors = [];
  for (const name of names) {
    descriptors.push(await recognizer.describe(await readRgbImage(`${FIXTURES}${name}`)));
  }
  const a = names.indexOf("faces-aligned-256/000003.png"), b = names.indexOf("faces-aligned-dlib/05.png");
  const pair = descriptorDistance(descriptors[a], descriptors[b]);
  assert.ok(pair < 0.6, `same-person distance ${pair} (face-api's threshold is 0.6)`);
  let closestOther = Infinity;
  for (const member of [a, b]) {
    for (let k = 0; k < names.length; k++) {
      if (k === a || k === b) continue;
      const d = descriptorDistance(descriptors[member], descriptors[k]);
      closestOther = Math.min(closestOther, d);
      assert.ok(pair < d, `${names[member]}–${names[k]} ${d.toFixed(3)} ≤ same-person ${pair.toFixed(3)}`);
    }
  }
  const cosine = identitySimilarity(descriptors[a], descriptors[b]);
  console.log(
    `same-person distance ${pair.toFixed(3)} (cosine ${cosine.toFixed(3)}), nearest other ${
      closestOther.toFixed(3)
    }`,
  );
});

Deno.test("identitySimilarity and descriptorDistance reject mismatched descriptors", () => {
  assert.throws(() => identitySimilarity(new Float32Array(2), new Float32Array(3)), TypeError);
  assert.throws(() => identitySimilarity(new Float32Array(2), new Float32Array([1, 0])), TypeError);
  assert.throws(() => descriptorDistance(new Float32Array(2), new Float32Array(3)), TypeError);
});
