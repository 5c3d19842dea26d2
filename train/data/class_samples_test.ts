import assert from "node:assert/strict";
import { sampleIndicesByClass } from "./class_samples.ts";

Deno.test("samples are the first test image of classes spread over the ten", () => {
  const labels = new Uint8Array([9, 2, 1, 1, 6, 1, 4, 6, 5, 7, 4, 5, 7, 3, 4, 1, 2, 4, 8, 0]);
  assert.deepEqual(sampleIndicesByClass(labels, 5), [19, 1, 6, 4, 18]); // classes 0, 2, 4, 6, 8
  assert.deepEqual(sampleIndicesByClass(labels, 1), [19]);
});
