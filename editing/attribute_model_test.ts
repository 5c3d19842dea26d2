import assert from "node:assert/strict";
import { writeWeights } from "../io/weights_file.ts";
import { AttributeModel } from "./attribute_model.ts";

/** 64 images: class 0 bright upper half, class 1 bright lower half, with a little texture. */
function halvesSource() {
  const count = 64, size = 32, per = 3 * size * size;
  const images = new Float32Array(count * per);
  const labels = Array.from({ length: count }, (_, n) => n % 2);
  for (let n = 0; n < count; n++) {
    for (let c = 0; c < 3; c++) {
      for (let y = 0; y < size; y++) {
        for (let x = 0; x < size; x++) {
          const bright = (y < size / 2) === (labels[n] === 0);
          images[n * per + (c * size + y) * size + x] = (bright ? 0.6 : -0.6) +
            0.2 * Math.sin(n + x * 0.7 + y);
        }
      }
    }
  }
  const batch = (indices: Int32Array) => {
    const out = new Float32Array(indices.length * per);
    indices.forEach((i, b) => out.set(images.subarray(i * per, (i + 1) * per), b * per));
    return out;
  };
  return { images, labels, source: { count, labels, batch } };
}

for (const kind of ["conv", "mlp"] as const) {
  Deno.test(`AttributeModel ${kind} learns a separable task, and save/load gives identical predictions`, async () => {
    const { images, labels, source } = halvesSource();
    const model = await AttributeModel.train(kind, source, {
      steps: 60,
      batch: 16,
      learningRate: 3e-3,
      seed: 5,
    });
    const { logits, featureSize } = await model.predict(images, 10); // 64 images, last batch padded
    assert.equal(featureSize, kind === "conv" ? 64 : 128);
    let correct = 0;
    for (let n = 0; n < labels.length; n++) {
      const row = [...logits.subarray(n * 10, n * 10 + 10)];
      if (row.indexOf(Math.max(...row)) === labels[n]) correct++;
    }
    assert.equal(correct, labels.length, `accuracy ${correct}/${labels.length}`);
    const path = `${await Deno.makeTempDir()}/${kind}.safetensors`;
    await model.save(path);
    const loaded = await AttributeModel.load(path);
    assert.equal(loaded.kind, kind);
    assert.deepEqual((await loaded.predict(images, 64)).logits, logits);
    await assert.rejects(model.save(path), /Refusing to overwrite/);
  });
}

Deno.test("AttributeModel refuses mismatched weights, bad labels and files of another kind", async () => {
  assert.throws(() => new AttributeModel("mlp", new Map()), /weights do not fit: classifier\.hidden\.weight/);
  const { source } = halvesSource();
  await assert.rejects(
    AttributeModel.train("mlp", { ...source, labels: source.labels.map(() => 12) }, { steps: 1, batch: 4 }),
    /Label 12 of image \d+ is not a class in \[0, 10\)/,
  );
  await assert.rejects(
    AttributeModel.train("mlp", { ...source, count: 3 }, { steps: 1 }),
    /3 images but 64 labels/,
  );
  const path = `${await Deno.makeTempDir()}/other.safetensors`;
  await writeWeights(path, new Map([["w", { data: new Float32Array(1), shape: [1] }]]));
  await assert.rejects(AttributeModel.load(path), /is not an attribute classifier/);
  const model = await AttributeModel.load("data/models/default/attributes/mlp.safetensors");
  await assert.rejects(model.predict(new Float32Array(5), 1), /not a multiple of 3×32×32/);
});
