import assert from "node:assert/strict";
import { readRunLog } from "./run_log.ts";
import { loadBestCheckpoint } from "./checkpoint.ts";
import { type PhaseOneTrainingConfig, trainPhaseOne } from "./phase_one_trainer.ts";
import { generatorParameters } from "../generator/parameters.ts";
import { resolveGeneratorConfig } from "../generator/config.ts";
import { prngFill } from "../io/prng.ts";
import type { GraphBuilder } from "../graph/builder.ts";
import type { Tensor } from "../graph/tensor.ts";

const config: PhaseOneTrainingConfig = {
  generator: { resolution: 8, channelBase: 64, channelMax: 16, mappingLayers: 2, zDim: 32, wDim: 32 },
  encoder: {
    stemChannels: 8,
    stages: [{ channels: 8, units: 1, stride: 1 }, { channels: 8, units: 1, stride: 2 }, {
      channels: 16,
      units: 1,
      stride: 2,
    }],
    seReduction: 4,
    nStyles: 4,
    featureSize: 1,
  },
  batch: 4,
  steps: 7,
  checkpointEvery: 2,
  validateEvery: 3,
  learningRate: 1e-3,
};

/** A seeded frozen generator: every tensor of the state dict (affine biases 1, other biases 0). */
function generatorWeights(): Map<string, Float32Array> {
  const weights = new Map<string, Float32Array>();
  generatorParameters(resolveGeneratorConfig(config.generator)).forEach((spec, k) => {
    const size = spec.shape.reduce((a, b) => a * b, 1);
    weights.set(
      spec.name,
      spec.name.endsWith("affine.bias")
        ? new Float32Array(size).fill(1)
        : spec.name.endsWith(".bias")
        ? new Float32Array(size)
        : prngFill(5, k, size, 0, Math.sqrt(3)),
    );
  });
  return weights;
}

/** Synthetic 8² images: gradients with different phases (20 training, 8 validation). */
function images(count: number, offset: number) {
  return {
    count,
    batch(indices: Int32Array): Float32Array {
      const out = new Float32Array(indices.length * 3 * 64);
      indices.forEach((index, b) => {
        for (let i = 0; i < 3 * 64; i++) {
          out[b * 192 + i] = Math.sin(offset + index + (i % 8) * 0.7 + (i >> 6));
        }
      });
      return out;
    },
  };
}
const data = { train: images(20, 0), validation: images(8, 100) };

Deno.test("phase-one trainer: a killed run resumes from its checkpoint and continues exactly", async () => {
  const whole = await Deno.makeTempDir({ prefix: "p1train-whole-" });
  const split = await Deno.makeTempDir({ prefix: "p1train-split-" });
  const weights = generatorWeights();
  const frozen = new Map([...weights].map(([name, value]) => [name, value.slice()]));
  try {
    const uninterrupted = await trainPhaseOne(config, data, { directory: whole, generatorWeights: weights });
    assert.equal(uninterrupted.step, 7);
    assert.ok(uninterrupted.losses.every((l) => Number.isFinite(l.loss)));
    assert.deepEqual(uninterrupted.validations.map((v) => v.step), [3, 6, 7]);
    assert.ok([...uninterrupted.parameters.keys()].every((name) => name.startsWith("w_encoder.")));
    for (const [name, value] of frozen) assert.deepEqual(weights.get(name), value, `${name} stays frozen`);
    const best = await loadBestCheckpoint(whole);
    assert.ok(best);
    assert.equal(
      (best.state as { bestValidation: number }).bestValidation,
      Math.min(...uninterrupted.validations.map((v) => v.loss)),
    );

    // "Kill" after 5 steps: the last checkpoint is step 4, so step 5 is redone after the restart.
    const first = await trainPhaseOne(config, data, {
      directory: split,
      generatorWeights: weights,
      stopAfter: 5,
    });
    assert.equal(first.step, 5);
    const resumed = await trainPhaseOne(config, data, { directory: split, generatorWeights: weights });
    assert.equal(resumed.step, 7);
    assert.deepEqual(resumed.losses.map((l) => l.step), [5, 6, 7]);
    assert.deepEqual(resumed.losses, uninterrupted.losses.slice(4));
    assert.deepEqual(resumed.validations, uninterrupted.validations.slice(1));
    assert.equal(resumed.bestValidation, uninterrupted.bestValidation);
    for (const [name, p] of uninterrupted.parameters) {
      assert.deepEqual(resumed.parameters.get(name)!.data, p.data, name);
    }
    const log = await readRunLog(`${split}/log.jsonl`);
    assert.deepEqual(log.records.map((r) => r.step), [1, 2, 3, 4, 5, 6, 7], "the log has each step once");
    assert.deepEqual(log.records.filter((r) => r.losses?.validation !== undefined).map((r) => r.step), [
      3,
      6,
      7,
    ]);
  } finally {
    await Deno.remove(whole, { recursive: true });
    await Deno.remove(split, { recursive: true });
  }
});

Deno.test("phase-one trainer: the loss goes down on a fixed batch", async () => {
  const directory = await Deno.makeTempDir({ prefix: "p1train-fit-" });
  try {
    const one = { count: 4, batch: data.train.batch };
    const report = await trainPhaseOne(
      { ...config, steps: 30, checkpointEvery: 30, learningRate: 1e-2 },
      { train: one, validation: one },
      { directory, generatorWeights: generatorWeights() },
    );
    const first = report.losses[0].loss, last = report.losses.at(-1)!.loss;
    assert.ok(last < 0.9 * first, `loss ${first} → ${last}`);
  } finally {
    await Deno.remove(directory, { recursive: true });
  }
});

Deno.test("phase-one trainer: generator weights that do not fit are rejected", async () => {
  const weights = generatorWeights();
  weights.delete("mapping.w_avg");
  weights.set("synthesis.b8.conv0.weight", new Float32Array(3));
  await assert.rejects(
    trainPhaseOne(config, data, { directory: "/nonexistent", generatorWeights: weights }),
    (error: Error) =>
      error instanceof TypeError && /"mapping.w_avg" is missing/.test(error.message) &&
      /"synthesis.b8.conv0.weight" has 3 values/.test(error.message),
  );
});

Deno.test("phase-one trainer: a resume warns about changed settings, starts at its step, names its checkpoint on NaN", async () => {
  const directory = await Deno.makeTempDir({ prefix: "p1train-resume-" });
  const weights = generatorWeights();
  try {
    await trainPhaseOne({ ...config, steps: 2 }, data, { directory, generatorWeights: weights });
    const warnings: string[] = [];
    const starts: number[] = [];
    const nan = {
      count: 20,
      batch: (indices: Int32Array) => new Float32Array(indices.length * 192).fill(NaN),
    };
    await assert.rejects(
      () =>
        trainPhaseOne(
          { ...config, seed: 5, learningRate: 1e-2 },
          { train: nan, validation: data.validation },
          {
            directory,
            generatorWeights: weights,
            onWarning: (message) => warnings.push(message),
            onStart: (step) => starts.push(step),
          },
        ),
      /^RangeError: Step 3 failed: The loss is NaN.*resumed from .*checkpoint-2\.safetensors at step 2/,
    );
    assert.deepEqual(starts, [2]);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0], /with changed settings: learningRate 0\.001 → 0\.01, seed 1 → 5/);
  } finally {
    await Deno.remove(directory, { recursive: true });
  }
});

Deno.test("phase-one trainer: an identity term is logged unweighted beside L2, and needs its network", async () => {
  const directory = await Deno.makeTempDir({ prefix: "p1train-terms-" });
  const meanColour = {
    extractor: (g: GraphBuilder, x: Tensor) => g.reduceMean(x, [2, 3], false), // [B, 3]
    weights: new Map<string, Float32Array>(),
    description: "mean colour",
  };
  try {
    const weighted = { ...config, steps: 2, checkpointEvery: 2, lambdaId: 3 };
    await assert.rejects(
      trainPhaseOne(weighted, data, { directory, generatorWeights: generatorWeights() }),
      /lambdaId > 0 needs an identity feature network/,
    );
    const report = await trainPhaseOne(weighted, data, {
      directory,
      generatorWeights: generatorWeights(),
      idNetwork: meanColour,
    });
    const { records } = await readRunLog(`${directory}/log.jsonl`);
    for (const [k, record] of records.entries()) {
      const { l2, term_l2, term_id } = record.losses as Record<string, number>;
      assert.ok(term_l2 > 0 && term_id >= 0, JSON.stringify(record.losses));
      assert.ok(Math.abs(l2 - (term_l2 + 3 * term_id)) < 1e-5 * l2, "the logged loss is L2 + 3·id");
      assert.equal(l2, report.losses[k].loss);
    }
    const validated = records.find((r) => r.losses?.validation !== undefined)!.losses as Record<
      string,
      number
    >;
    assert.ok(validated.validation_l2 > 0 && validated.validation_id >= 0, JSON.stringify(validated));
    assert.ok(
      Math.abs(validated.validation - (validated.validation_l2 + 3 * validated.validation_id)) < 1e-5,
    );
  } finally {
    await Deno.remove(directory, { recursive: true });
  }
});
