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

Deno.test("generator trainer: a damaged latest checkpoint, changed settings, a NaN after resume and killed writes", async () => {
  const directory = await Deno.makeTempDir({ prefix: "gtrain-damaged-" });
  try {
    const first = await trainGenerator({ ...config, steps: 4 }, data, { directory });
    assert.equal(first.step, 4);
    // A bit flip in checkpoint 4 (found by its sha256) and a temporary file left by a killed write.
    const latest = `${directory}/checkpoint-4.safetensors`;
    const bytes = await Deno.readFile(latest);
    bytes[bytes.length - 4] ^= 0x01;
    await Deno.writeFile(latest, bytes);
    const leftover = `${directory}/checkpoint-6.safetensors.tmp-2000000000-0123abcd`;
    await Deno.writeFile(leftover, new Uint8Array(4096));

    const warnings: string[] = [];
    const starts: number[] = [];
    const resumed = await trainGenerator({ ...config, batch: 8, seed: 2 }, data, {
      directory,
      onWarning: (message) => warnings.push(message),
      onStart: (step) => starts.push(step),
    });
    assert.deepEqual(starts, [2], "the progress starts at the step resumed from, not 0");
    assert.deepEqual(resumed.losses.map((l) => l.step), [3, 4, 5, 6]);
    assert.equal(await Deno.stat(leftover).catch(() => null), null, "the leftover is removed");
    assert.ok(
      warnings.some((w) => /Removed 1 file\(s\) left by interrupted writes/.test(w)),
      warnings.join("\n"),
    );
    assert.ok(
      warnings.some((w) => /Skipping checkpoint .*checkpoint-4\.json: .*sha256/.test(w)),
      warnings.join("\n"),
    );
    assert.ok(
      warnings.some((w) =>
        /checkpoint-2\.safetensors \(step 2\) with changed settings: batch 4 → 8, seed 1 → 2/.test(w)
      ),
      warnings.join("\n"),
    );

    // A step that fails after a resume (here NaN data) names the checkpoint it resumed from.
    const nan = {
      count: 16,
      batch: (indices: Int32Array) => new Float32Array(indices.length * 192).fill(NaN),
    };
    await assert.rejects(
      () =>
        trainGenerator({ ...config, batch: 8, seed: 2, steps: 8 }, nan, { directory, onWarning: () => {} }),
      (error: Error) => {
        assert.ok(error instanceof RangeError);
        assert.match(error.message, /^Step 7 failed: The loss is NaN/);
        assert.match(error.message, /resumed from .*checkpoint-6\.safetensors at step 6/);
        return true;
      },
    );
  } finally {
    await Deno.remove(directory, { recursive: true });
  }
});
