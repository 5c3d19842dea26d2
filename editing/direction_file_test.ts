import assert from "node:assert/strict";
import { writeWeights } from "../io/weights_file.ts";
import { readDirections, writeDirections } from "./direction_file.ts";

Deno.test("directions round-trip with their provenance; existing files are not overwritten", async () => {
  const path = `${await Deno.makeTempDir()}/d.safetensors`;
  const directions = new Map([
    ["footwear", { direction: new Float32Array([0.6, 0.8]), about: { validationAccuracy: 0.98 } }],
    ["bag", { direction: new Float32Array([1, 0]), about: {} }],
  ]);
  await writeDirections(path, directions);
  const read = await readDirections(path);
  assert.deepEqual([...read.keys()].sort(), ["bag", "footwear"]);
  assert.deepEqual(read.get("footwear")!.direction, new Float32Array([0.6, 0.8]));
  assert.equal(read.get("footwear")!.about.validationAccuracy, 0.98);
  await assert.rejects(writeDirections(path, directions), /Refusing to overwrite/);
  assert.deepEqual((await readDirections(path)).get("bag")!.direction, new Float32Array([1, 0]));
});

Deno.test("directions: unsafe names, NaN and files of another kind are refused", async () => {
  const dir = await Deno.makeTempDir();
  await assert.rejects(
    writeDirections(
      `${dir}/a.safetensors`,
      new Map([["../x", { direction: new Float32Array(2), about: {} }]]),
    ),
    /not file-safe/,
  );
  await assert.rejects(
    writeDirections(
      `${dir}/b.safetensors`,
      new Map([["x", { direction: new Float32Array([NaN]), about: {} }]]),
    ),
    /not finite/,
  );
  await writeWeights(`${dir}/w.safetensors`, new Map([["w", { data: new Float32Array(2), shape: [2] }]]));
  await assert.rejects(readDirections(`${dir}/w.safetensors`), /is not a directions file/);
});
