import assert from "node:assert/strict";
import { flipDecisions, flipHorizontally } from "./horizontal_flip.ts";

Deno.test("flip decisions: about half, the same for the same (seed, step, position), different across steps", () => {
  const all = Array.from({ length: 500 }, (_, s) => flipDecisions(2107, s + 1, 8)).flat();
  const share = all.filter(Boolean).length / all.length;
  assert.ok(share > 0.45 && share < 0.55, `share ${share}`);
  assert.deepEqual(flipDecisions(2107, 7, 8), flipDecisions(2107, 7, 8));
  assert.notDeepEqual(
    Array.from({ length: 20 }, (_, s) => flipDecisions(2107, s + 1, 4)),
    Array.from({ length: 20 }, (_, s) => flipDecisions(2108, s + 1, 4)),
    "the seed matters",
  );
});

Deno.test("a horizontal flip mirrors every row of the chosen images only, and twice is the identity", () => {
  const x = Float32Array.from({ length: 2 * 3 * 4 * 5 }, (_, i) => i);
  const original = x.slice();
  flipHorizontally(x, [2, 3, 4, 5], [true, false]);
  for (let c = 0; c < 3; c++) {
    for (let y = 0; y < 4; y++) {
      for (let col = 0; col < 5; col++) {
        assert.equal(x[(c * 4 + y) * 5 + col], original[(c * 4 + y) * 5 + (4 - col)]);
      }
    }
  }
  assert.deepEqual(x.subarray(60), original.subarray(60), "the second image is untouched");
  flipHorizontally(x, [2, 3, 4, 5], [true, false]);
  assert.deepEqual(x, original);
  assert.throws(() => flipHorizontally(x, [2, 3, 4, 4], [true, false]), /120 values and 2 decisions/);
  assert.throws(() => flipHorizontally(x, [2, 3, 4, 5], [true]), /1 decisions/);
});
