import assert from "node:assert/strict";
import { evaluateModel, evaluatePhases } from "./evaluate.ts";
import { loadHyperInverter } from "../model/load.ts";
import { writeTinyModel } from "../tests/_tiny_model.ts";
import { prngFill } from "../io/prng.ts";

Deno.test("evaluatePhases measures in one pass what two evaluateModel calls measure", async () => {
  const folder = await Deno.makeTempDir({ prefix: "evaluate-" });
  try {
    const model = await loadHyperInverter(await writeTinyModel(folder));
    const size = 3 * 64 * 64;
    const set = {
      count: 4,
      batch: (indices: Int32Array) => {
        const out = new Float32Array(indices.length * size);
        indices.forEach((index, b) => out.set(prngFill(40 + index, 0, size, -0.8, 0.8), b * size));
        return out;
      },
    };
    const features = (images: Float32Array, batch: number) => {
      const out = new Float32Array(batch * 3); // the mean colour per image: a tiny feature
      for (let i = 0; i < images.length; i++) out[Math.floor(i / (64 * 64))] += images[i] / (64 * 64);
      return Promise.resolve(out);
    };
    const options = { images: 4, batch: 2, features };
    const both = await evaluatePhases(model, set, options);
    const one = await evaluateModel(model, set, { ...options, phaseOneOnly: true });
    const two = await evaluateModel(model, set, options);
    for (const [measured, expected] of [[both.phaseOne, one], [both.phaseTwo, two]] as const) {
      for (const key of ["l2", "psnr", "msSsim", "featureIdentity", "images"] as const) {
        assert.equal(measured[key], expected[key], key);
      }
      assert.deepEqual(measured.deltaW, expected.deltaW);
    }
    assert.equal(both.phaseOne.deltaW.length, 0);
    assert.ok(both.phaseTwo.psnr !== both.phaseOne.psnr, "the two phases are measured on their own images");
  } finally {
    await Deno.remove(folder, { recursive: true });
  }
});
