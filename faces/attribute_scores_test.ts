import assert from "node:assert/strict";
import { rgbBytesToTensor } from "../io/image.ts";
import { faceAttributeScorers } from "./attribute_scores.ts";
import { flipHorizontally, readRgbImage } from "./rgb_image.ts";

const FIXTURES = new URL("../../shared/fixtures/images/", import.meta.url).pathname;

Deno.test("face attribute scorers read generator-range batches: age per image, yaw flips with the image", async () => {
  const { age, yaw } = await faceAttributeScorers();
  const face = await readRgbImage(`${FIXTURES}faces-aligned-dlib/04.png`); // yaw ≈ 10° (attributes_test.ts)
  const plane = 3 * 256 * 256;
  const batch = new Float32Array(2 * plane);
  batch.set(rgbBytesToTensor(face.data, 256, 256), 0);
  batch.set(rgbBytesToTensor(flipHorizontally(face).data, 256, 256), plane);
  const [yawA, yawB] = await yaw(batch, 2);
  assert.ok(Math.abs(yawA) > 3 && Math.sign(yawA) === -Math.sign(yawB), `yaw ${yawA}, flipped ${yawB}`);
  const ages = await age(batch, 2);
  assert.equal(ages.length, 2);
  assert.ok(ages.every((a) => a > 10 && a < 80), `${ages}`);
  await assert.rejects(() => age(new Float32Array(10), 2), TypeError);
});
