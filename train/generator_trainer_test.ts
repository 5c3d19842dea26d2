import assert from "node:assert/strict";
import { readRunLog } from "./run_log.ts";
import { type GeneratorTrainingConfig, trainGenerator } from "./generator_trainer.ts";

const config: GeneratorTrainingConfig = {
  generator: { resolution: 8, channelBase: 64, channelMax: 16, mappingLayers: 2, zDim: 32, wDim: 32 },
  batch: 4,
  steps: 6,
  r1Every: 2,
  checkpointEvery: 2,
  learningRate: 0.002,
};

/** Synthetic data: 16 images of horizontal gradients with different phases. */
const data = {
  count: 16,
  batch(indices: Int32Array): Float32Array {
    const out = new Float32Array(indices.length * 3 * 64);
    indices.forEach((index, b) => {
      for (let i = 0; i < 3 * 64; i++) out[b * 192 + i] = Math.sin(index + (i % 8) * 0.7);
    });
    return out;
  },
};

Deno.test("generator trainer: a killed run resumes from its checkpoint and continues exactly", async () => {
  const whole = await Deno.makeTempDir({ prefix: "gtrain-whole-" });
  const split = await Deno.makeTempDir({ prefix: "gtrain-split-" });
  try {
    const uninterrupted = await trainGenerator(config, data, { directory: whole });
    assert.equal(uninterrupted.step, 6);
    assert.ok(uninterrupted.losses.every((l) => Number.isFinite(l.g) && Number.isFinite(l.d)));
    assert.equal(uninterrupted.losses.filter((l) => l.r1 !== undefined).length, 3, "lazy R1 every 2 steps");

    // "Kill" after 3 steps: the last checkpoint is step 2, so step 3 is redone after the restart.
    const first = await trainGenerator(config, data, { directory: split, stopAfter: 3 });
    assert.equal(first.step, 3);
    const resumed = await trainGenerator(config, data, { directory: split });
    assert.equal(resumed.step, 6);
    assert.deepEqual(resumed.losses.map((l) => l.step), [3, 4, 5, 6]);
    const expected = uninterrupted.losses.slice(2);
    resumed.losses.forEach((l, i) => {
      assert.equal(l.g, expected[i].g, `G loss at step ${l.step}`);
      assert.equal(l.d, expected[i].d, `D loss at step ${l.step}`);
    });
    for (const [name, p] of uninterrupted.parameters) {
      assert.deepEqual(resumed.parameters.get(name)!.data, p.data, name);
    }
    const log = await readRunLog(`${split}/log.jsonl`);
    assert.deepEqual(log.records.map((r) => r.step), [1, 2, 3, 4, 5, 6], "the log has each step once");
  } finally {
    await Deno.remove(whole, { recursive: true });
    await Deno.remove(split, { recursive: true });
  }
});
