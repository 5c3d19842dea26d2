import assert from "node:assert/strict";
import { loadHyperInverter } from "../model/load.ts";
import { AttributeModel } from "../editing/attribute_model.ts";
import {
  channelSpread,
  hyperInverterSamples,
  measureGeneratorQuality,
  withGeneratorRun,
} from "./generator_quality.ts";
import { saveCheckpoint } from "../train/checkpoint.ts";

const MODEL = "data/models/default/model.json";
const CLASSIFIER = "data/models/default/attributes/conv.safetensors";

function waves(count: number) {
  const size = 3 * 32 * 32;
  return {
    count,
    batch: (ix: Int32Array) => {
      const out = new Float32Array(ix.length * size);
      ix.forEach((index, b) => {
        for (let p = 0; p < 1024; p++) {
          const grey = Math.sin(p * 0.05 * (1 + (index % 7))) * 0.8;
          for (let c = 0; c < 3; c++) out[b * size + c * 1024 + p] = grey;
        }
      });
      return out;
    },
  };
}

Deno.test("a generator measured against its own images has distance 0; another set does not", async () => {
  const classifier = await AttributeModel.load(CLASSIFIER);
  const real = waves(40);
  const same = (first: number, count: number) =>
    Promise.resolve(real.batch(Int32Array.from({ length: count }, (_, i) => first + i)));
  const self = await measureGeneratorQuality(same, real, classifier, { count: 40, batch: 16 });
  assert.ok(self.frechetFeatureDistance < 1e-6, `${self.frechetFeatureDistance}`);
  assert.equal(self.channelSpreadReference, 0);
  assert.equal(self.featureSize, 64);
  const model = await loadHyperInverter(MODEL, { device: "cpu" });
  const progress: number[] = [];
  const generated = await measureGeneratorQuality(hyperInverterSamples(model, 1), real, classifier, {
    count: 40,
    batch: 16,
    onProgress: (done) => progress.push(done),
  });
  assert.ok(generated.frechetFeatureDistance > 0.01, `${generated.frechetFeatureDistance}`);
  assert.ok(generated.channelSpreadGenerated > 0, "the default generator's images are not exactly grey");
  assert.deepEqual(progress, [16, 32, 40, 56, 72, 80]);
});

Deno.test("hyperInverterSamples is one fixed sequence: any window of it is the same images", async () => {
  const model = await loadHyperInverter(MODEL, { device: "cpu" });
  const all = await hyperInverterSamples(model, 5)(0, 5);
  const window = await hyperInverterSamples(model, 5)(3, 2);
  const size = 3 * 32 * 32;
  const expected = all.subarray(3 * size, 5 * size);
  assert.ok(window.every((v, i) => Math.abs(v - expected[i]) < 1e-5));
  const other = await hyperInverterSamples(model, 6)(0, 1);
  assert.ok(other.some((v, i) => Math.abs(v - all[i]) > 1e-3), "another seed gives other images");
});

Deno.test("bad counts and shapes are refused naming the problem", async () => {
  const classifier = await AttributeModel.load(CLASSIFIER);
  const none = () => Promise.resolve(new Float32Array(0));
  await assert.rejects(
    () => measureGeneratorQuality(none, waves(10), classifier, { count: 20 }),
    /reference split has 10 images, fewer than the 20 asked/,
  );
  await assert.rejects(
    () => measureGeneratorQuality(none, waves(10), classifier, { count: 1 }),
    /≥ 2, got 1/,
  );
  assert.throws(() => channelSpread(new Float32Array(5), 1), /Expected \[1, 3, R, R\] images, got 5 values/);
});

Deno.test("withGeneratorRun measures a generator run's newest EMA weights; a run of another shape is refused", async () => {
  const model = await loadHyperInverter(MODEL, { device: "cpu" });
  const { model: swapped, step } = await withGeneratorRun(model, "data/checkpoints/generator-fmnist32-light");
  assert.ok(step >= 4500, `step ${step}`);
  const [a, b] = [await hyperInverterSamples(model, 1)(0, 2), await hyperInverterSamples(swapped, 1)(0, 2)];
  assert.ok(a.some((v, i) => Math.abs(v - b[i]) > 1e-3), "the run's generator renders other images");
  assert.equal(
    swapped.weights.get("w_encoder.body.0.res_layer.0.bias"),
    model.weights.get("w_encoder.body.0.res_layer.0.bias"),
  );

  const run = await Deno.makeTempDir();
  try {
    const name = [...model.weights.keys()].find((k) => k.startsWith("synthesis."))!;
    await saveCheckpoint(run, {
      step: 3,
      parameters: new Map(),
      optimizer: { state: () => new Map() },
      extra: { [`ema/${name}`]: new Float32Array(5) },
      state: {},
    });
    await assert.rejects(
      () => withGeneratorRun(model, run),
      new RegExp(`does not fit the model: ${name.replaceAll(".", "\\.")} \\(model \\d+ values, run 5\\)`),
    );
    await assert.rejects(() => withGeneratorRun(model, `${run}/none`), /has no checkpoint/);
  } finally {
    await Deno.remove(run, { recursive: true });
  }
});
