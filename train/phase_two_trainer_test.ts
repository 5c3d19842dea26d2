import assert from "node:assert/strict";
import { prngFill } from "../io/prng.ts";
import { resolveArchitecture } from "../model/architecture.ts";
import { hyperInverterGraph } from "../model/pipeline_graph.ts";
import { loadBestCheckpoint, saveCheckpoint } from "./checkpoint.ts";
import { Adam } from "./optimizers.ts";
import { loadPhaseTwoInputs } from "./phase_two_inputs.ts";
import { readRunLog } from "./run_log.ts";
import type { GraphBuilder } from "../graph/builder.ts";
import type { Tensor } from "../graph/tensor.ts";
import { type PhaseTwoTrainingConfig, trainPhaseTwo } from "./phase_two_trainer.ts";

/** A 32² tiny model (8 w rows of 32), smaller than tests/_tiny_model.ts for speed. */
const ARCHITECTURE = {
  generator: { resolution: 32, channelBase: 512, channelMax: 32, mappingLayers: 2, zDim: 32, wDim: 32 },
  wEncoder: { preset: "tiny64", inputSize: 32, wDim: 32, featureSize: 2 },
  layerWiseEncoder: { preset: "tiny64", inputSize: 32, nStyles: 8, featureSize: 2 },
  hypernet: { hiddenDim: 8, featureChannels: 64, featureSize: 2 },
};

const config: PhaseTwoTrainingConfig = {
  architecture: ARCHITECTURE,
  discriminator: { channelBase: 256, channelMax: 16 },
  batch: 4,
  adversarialBatch: 2,
  learningRate: 1e-3,
  discriminatorLearningRate: 1e-3,
  weights: { adversarial: 0.1 },
  adversarialFromStep: 3,
  r1Gamma: 1,
  r1Every: 2,
  steps: 7,
  checkpointEvery: 2,
  validateEvery: 3,
};

/** Seeded E1 and G (as tests/_tiny_model.ts seeds them). */
function frozenWeights(): Map<string, Float32Array> {
  const out = new Map<string, Float32Array>();
  hyperInverterGraph(resolveArchitecture(ARCHITECTURE)).parameters.forEach((p, k) => {
    if (/^(w_bar_encoder|hypernet)\./.test(p.name)) return;
    const name = p.name;
    const value = name.endsWith("running_var")
      ? prngFill(0x7e57, k, p.size, 1.25, 0.25)
      : name.endsWith("affine.bias") ||
          /(bn\d?|input_layer\.1|res_layer\.[04]|shortcut_layer\.1)\.weight$/.test(name)
      ? prngFill(0x7e57, k, p.size, 1, 0.1)
      : name.endsWith(".bias") || name.endsWith("running_mean") || name.endsWith("noise_strength")
      ? prngFill(0x7e57, k, p.size, 0, 0.1)
      : prngFill(0x7e57, k, p.size, 0, 0.5);
    out.set(name, value);
  });
  return out;
}

/** Synthetic images: smooth colour gradients with a per-index phase. */
function images(count: number, salt: number) {
  const size = 32 * 32;
  return {
    count,
    batch(indices: Int32Array): Float32Array {
      const out = new Float32Array(indices.length * 3 * size);
      indices.forEach((index, b) => {
        for (let c = 0; c < 3; c++) {
          for (let i = 0; i < size; i++) {
            out[(b * 3 + c) * size + i] = 0.8 *
              Math.sin(index * 1.3 + salt + c + (i % 32) * 0.2 + (i >> 5) * 0.1);
          }
        }
      });
      return out;
    },
  };
}

const data = { train: images(12, 0), validation: images(4, 0.5) };

Deno.test("phase-II trainer: killed twice across the adversarial switch, it resumes exactly", async () => {
  const frozen = frozenWeights();
  const whole = await Deno.makeTempDir({ prefix: "p2train-whole-" });
  const split = await Deno.makeTempDir({ prefix: "p2train-split-" });
  try {
    const uninterrupted = await trainPhaseTwo(config, data, { directory: whole, frozenWeights: frozen });
    assert.equal(uninterrupted.step, 7);
    const losses = uninterrupted.losses;
    assert.ok(losses.every((l) => Number.isFinite(l.loss) && Number.isFinite(l.reconstruction)));
    assert.deepEqual(losses.map((l) => l.adversarial !== undefined), [
      false,
      false,
      false,
      true,
      true,
      true,
      true,
    ]);
    assert.deepEqual(losses.map((l) => l.d !== undefined), [false, false, false, true, true, true, true]);
    assert.deepEqual(losses.filter((l) => l.r1 !== undefined).map((l) => l.step), [4, 6], "lazy R1 every 2");
    assert.deepEqual(uninterrupted.validations.map((v) => v.step), [3, 6, 7]);
    // 12 images, batch 4: the first epoch's three batches run phase I and keep every image; then it is served.
    assert.deepEqual(uninterrupted.phaseOneCache, {
      hits: 4,
      misses: 3,
      images: 12,
      bytes: 12 * 4 * (32 + 3 * 32 * 32),
    });
    const first = uninterrupted.validations[0];
    assert.ok(
      first.best && Number.isFinite(first.psnrPhaseTwo) && first.l2PhaseOne > 0 && first.l2PhaseTwo > 0,
      JSON.stringify(first),
    );
    assert.ok(uninterrupted.validations[1].best, "the best tracker restarts at the adversarial switch");
    const bestStep = Math.max(...uninterrupted.validations.filter((v) => v.best).map((v) => v.step));
    assert.equal((await loadBestCheckpoint(whole))?.step, bestStep);
    assert.deepEqual(
      frozen.get("synthesis.b8.conv1.weight"),
      uninterrupted.parameters.get("synthesis.b8.conv1.weight")!.data,
      "G is frozen",
    );

    // Kill after 3 steps (checkpoints at 2 and 3 = validation best), then after 2 more (checkpoint at 4, past
    // the switch: D and its optimizer are restored), then finish.
    const a = await trainPhaseTwo(config, data, { directory: split, frozenWeights: frozen, stopAfter: 3 });
    assert.equal(a.step, 3);
    const b = await trainPhaseTwo(config, data, { directory: split, frozenWeights: frozen, stopAfter: 2 });
    assert.deepEqual(b.losses.map((l) => l.step), [4, 5]);
    const c = await trainPhaseTwo(config, data, { directory: split, frozenWeights: frozen });
    assert.equal(c.step, 7);
    assert.deepEqual(c.losses.map((l) => l.step), [5, 6, 7], "step 5 is redone from the step-4 checkpoint");
    const resumed = [...a.losses, ...b.losses.slice(0, 1), ...c.losses];
    assert.deepEqual(resumed, losses, "losses are bit-identical");
    assert.deepEqual(c.validations, uninterrupted.validations.slice(1));
    for (const [name, p] of uninterrupted.parameters) {
      assert.deepEqual(c.parameters.get(name)!.data, p.data, name);
    }
    const d = "D.b4.out.weight";
    assert.notDeepEqual(
      c.parameters.get(d)!.data,
      a.parameters.get(d)!.data,
      "D is trained after the switch",
    );
    const log = await readRunLog(`${split}/log.jsonl`);
    assert.deepEqual(log.records.map((r) => r.step), [1, 2, 3, 4, 5, 6, 7], "the log has each step once");
    // The log's validation fields name their unit: L2 on [0, 1] (as metrics.json), PSNR in dB.
    const logged = log.records[2].losses!;
    assert.equal(logged.val_l2PhaseTwo_01, first.l2PhaseTwo);
    assert.equal(logged.val_psnrPhaseTwo_dB, first.psnrPhaseTwo);
    assert.equal(logged.val_l2PhaseTwo, undefined, "no unit-less L2 field");
    assert.equal(logged.val_loss, first.loss);
    assert.equal(
      first.loss,
      (config.weights?.l2 ?? 1) * 4 * first.l2PhaseTwo,
      "val_loss: the objective's unit, [−1, 1]",
    );
  } finally {
    await Deno.remove(whole, { recursive: true });
    await Deno.remove(split, { recursive: true });
  }
});

Deno.test("phase-II trainer: missing frozen weights are listed", async () => {
  const directory = await Deno.makeTempDir({ prefix: "p2train-missing-" });
  try {
    await assert.rejects(
      trainPhaseTwo({ ...config, adversarialFromStep: undefined }, data, {
        directory,
        frozenWeights: new Map(),
      }),
      /missing frozen weight "w_encoder\./,
    );
  } finally {
    await Deno.remove(directory, { recursive: true });
  }
});

Deno.test("phase-II inputs: EMA G and D from the generator run, E1 from the phase-one run's best checkpoint", async () => {
  const generatorRun = await Deno.makeTempDir({ prefix: "p2-g-" });
  const phaseOneRun = await Deno.makeTempDir({ prefix: "p2-e1-" });
  const t = (v: number) => ({ data: new Float32Array([v]), shape: [1] });
  try {
    await assert.rejects(loadPhaseTwoInputs(generatorRun, phaseOneRun), Deno.errors.NotFound);
    await saveCheckpoint(generatorRun, {
      step: 4,
      parameters: new Map([["synthesis.b4.conv1.weight", t(1)], ["D.b4.out.bias", t(2)]]),
      optimizer: new Adam(),
      extra: {
        "ema/synthesis.b4.conv1.weight": new Float32Array([3]),
        "ema/mapping.w_avg": new Float32Array([4]),
      },
      state: {},
    });
    await saveCheckpoint(phaseOneRun, {
      step: 2,
      parameters: new Map([["w_encoder.fc.weight", t(5)]]),
      optimizer: new Adam(),
      state: {},
    }, { markBest: true });
    await saveCheckpoint(phaseOneRun, {
      step: 3,
      parameters: new Map([["w_encoder.fc.weight", t(6)]]),
      optimizer: new Adam(),
      state: {},
    });
    const { frozenWeights, discriminator } = await loadPhaseTwoInputs(generatorRun, phaseOneRun);
    assert.deepEqual(Object.fromEntries([...frozenWeights].map(([k, v]) => [k, [...v]])), {
      "synthesis.b4.conv1.weight": [3],
      "mapping.w_avg": [4],
      "w_encoder.fc.weight": [5],
    });
    assert.deepEqual([...discriminator.keys()], ["D.b4.out.bias"]);
  } finally {
    await Deno.remove(generatorRun, { recursive: true });
    await Deno.remove(phaseOneRun, { recursive: true });
  }
});

Deno.test("phase-II trainer: a resume warns about changed settings, starts at its step, names its checkpoint on NaN", async () => {
  const frozen = frozenWeights();
  const directory = await Deno.makeTempDir({ prefix: "p2train-resume-" });
  const plain = { ...config, adversarialFromStep: undefined, steps: 2, validateEvery: 2 };
  try {
    await trainPhaseTwo(plain, data, { directory, frozenWeights: frozen });
    const warnings: string[] = [];
    const starts: number[] = [];
    const nan = {
      count: 12,
      batch: (indices: Int32Array) => new Float32Array(indices.length * 3072).fill(NaN),
    };
    await assert.rejects(
      () =>
        trainPhaseTwo(
          { ...plain, steps: 4, batch: 2, seed: 9 },
          { train: nan, validation: data.validation },
          {
            directory,
            frozenWeights: frozen,
            onWarning: (message) => warnings.push(message),
            onStart: (step) => starts.push(step),
          },
        ),
      // NaN images: phase I (run for the batch, not kept) is the first to see them and names the image.
      /^RangeError: Step 3 failed: Phase I gave a non-finite w \(NaN\) for training image \d+.*resumed from .*checkpoint-2\.safetensors at step 2/,
    );
    assert.deepEqual(starts, [2]);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0], /with changed settings: batch 4 → 2, seed 2107 → 9/);
  } finally {
    await Deno.remove(directory, { recursive: true });
  }
});

Deno.test("phase-II trainer: MS-SSIM and identity terms add to the first step's loss; the identity term needs its network", async () => {
  const directory = await Deno.makeTempDir({ prefix: "p2train-terms-" });
  const plain = { ...config, adversarialFromStep: undefined, steps: 1, checkpointEvery: 1, validateEvery: 1 };
  const withTerms = { ...plain, weights: { l2: 1, msSsim: 1, id: 1 } };
  try {
    await assert.rejects(
      trainPhaseTwo(withTerms, data, { directory, frozenWeights: frozenWeights() }),
      /weights\.id > 0 needs an identity feature network/,
    );
    await assert.rejects(
      trainPhaseTwo({ ...plain, weights: { l2: -1 } }, data, { directory, frozenWeights: frozenWeights() }),
      /phase-II weights\.l2 must be a finite number ≥ 0/,
    );
    await Deno.mkdir(`${directory}/l2`);
    await Deno.mkdir(`${directory}/all`);
    const l2Only = await trainPhaseTwo(plain, data, {
      directory: `${directory}/l2`,
      frozenWeights: frozenWeights(),
    });
    // A parameter-free stand-in for the classifier (editing/ sits above train/, tests/layering.ts): mean colour
    // per image and channel on a 4×4 grid.
    const idNetwork = {
      extractor: (g: GraphBuilder, x: Tensor) =>
        g.reshape(g.node("AveragePool", [x], { kernel_shape: [8, 8], strides: [8, 8] })[0], [x.shape[0], 48]),
      weights: new Map<string, Float32Array>(),
      description: "4×4 mean colours",
    };
    const all = await trainPhaseTwo(withTerms, data, {
      directory: `${directory}/all`,
      frozenWeights: frozenWeights(),
      idNetwork,
    });
    const [a, b] = [l2Only.losses[0].reconstruction, all.losses[0].reconstruction];
    assert.ok(Number.isFinite(b) && b > a + 1e-3, `L2 ${a} < L2 + (1 − MS-SSIM) + (1 − cos) ${b}`);
  } finally {
    await Deno.remove(directory, { recursive: true });
  }
});

Deno.test("phase-II trainer: a run saved without an adversarial phase extends into one (D starts fresh, with a warning)", async () => {
  const directory = await Deno.makeTempDir({ prefix: "p2train-extend-" });
  try {
    const plain = {
      ...config,
      adversarialFromStep: undefined,
      steps: 3,
      checkpointEvery: 3,
      validateEvery: 3,
    };
    await trainPhaseTwo(plain, data, { directory, frozenWeights: frozenWeights() });
    const warnings: string[] = [];
    const extended = await trainPhaseTwo({ ...plain, steps: 6, adversarialFromStep: 4 }, data, {
      directory,
      frozenWeights: frozenWeights(),
      onWarning: (message) => warnings.push(message),
    });
    assert.equal(extended.step, 6);
    assert.deepEqual(extended.losses.map((l) => l.step), [4, 5, 6]);
    assert.equal(extended.losses[0].adversarial, undefined, "step 4 is still plain");
    assert.ok(extended.losses.slice(1).every((l) => Number.isFinite(l.adversarial) && Number.isFinite(l.d)));
    assert.ok(
      warnings.some((w) =>
        /has no \d+ of the run's parameters \(D\..*\): they start from their initial values/.test(w)
      ),
      warnings.join("\n"),
    );
  } finally {
    await Deno.remove(directory, { recursive: true });
  }
});

Deno.test("phase-II trainer: random horizontal flips change what a step sees, and a flipped run resumes exactly", async () => {
  const frozen = frozenWeights();
  const plain = { ...config, adversarialFromStep: undefined, steps: 4, validateEvery: 4 };
  const flipped = { ...plain, horizontalFlip: true };
  const folders = await Promise.all([0, 1, 2].map(() => Deno.makeTempDir({ prefix: "p2train-flip-" })));
  try {
    const unflipped = await trainPhaseTwo(plain, data, { directory: folders[0], frozenWeights: frozen });
    // An image set that hands out arrays it keeps: flipping must not write into them.
    const handed: [Int32Array, Float32Array][] = [];
    const keeping = {
      count: data.train.count,
      batch: (indices: Int32Array) => {
        const x = data.train.batch(indices);
        handed.push([indices.slice(), x]);
        return x;
      },
    };
    const whole = await trainPhaseTwo(flipped, { ...data, train: keeping }, {
      directory: folders[1],
      frozenWeights: frozen,
    });
    assert.ok(handed.length === 4 && handed.every(([i, x]) => String(x) === String(data.train.batch(i))));
    assert.notDeepEqual(whole.losses.map((l) => l.loss), unflipped.losses.map((l) => l.loss));
    // Keys are 2·index + flipped: 4 steps of 4 draw more than the 12 unflipped images' keys.
    assert.ok(whole.phaseOneCache.images > 12 - 4, JSON.stringify(whole.phaseOneCache));
    assert.ok(whole.phaseOneCache.hits + whole.phaseOneCache.misses === 4);

    const a = await trainPhaseTwo(flipped, data, {
      directory: folders[2],
      frozenWeights: frozen,
      stopAfter: 2,
    });
    const b = await trainPhaseTwo(flipped, data, { directory: folders[2], frozenWeights: frozen });
    assert.deepEqual([...a.losses, ...b.losses], whole.losses, "the resumed run flips the same images");
    for (const [name, p] of whole.parameters) assert.deepEqual(b.parameters.get(name)!.data, p.data, name);
  } finally {
    for (const folder of folders) await Deno.remove(folder, { recursive: true });
  }
});

Deno.test("phase-II trainer: with cold steps the best tracker restarts at the switch and again after them; the steps are unchanged", async () => {
  const frozen = frozenWeights();
  const base = {
    ...config,
    adversarialFromStep: 2,
    steps: 6,
    validateEvery: 1,
    checkpointEvery: 6,
    learningRate: 0.05,
  };
  const folders = await Promise.all([0, 1].map(() => Deno.makeTempDir({ prefix: "p2train-cold-" })));
  try {
    const plain = await trainPhaseTwo(base, data, { directory: folders[0], frozenWeights: frozen });
    const cold = await trainPhaseTwo({ ...base, coldSteps: 1 }, data, {
      directory: folders[1],
      frozenWeights: frozen,
    });
    assert.deepEqual(cold.losses, plain.losses, "the cold phase runs the same adversarial steps");
    const bestAt = (report: typeof cold) => report.validations.filter((v) => v.best).map((v) => v.step);
    const validationLosses = (report: typeof cold) => report.validations.map((v) => v.loss);
    assert.deepEqual(validationLosses(cold), validationLosses(plain));
    // The official tracker: a validation is the best when it beats every earlier one since the last restart.
    const expected = (restarts: number[]) =>
      plain.validations.filter((v) =>
        plain.validations.every((u) =>
          u.step >= v.step || restarts.some((r) => u.step < r && r <= v.step) || v.loss < u.loss
        )
      ).map((v) => v.step);
    assert.deepEqual(bestAt(plain), expected([3]), "restart at the switch (step 3)");
    assert.deepEqual(bestAt(cold), expected([3, 4]), "and after one cold step (step 4)");
    assert.notDeepEqual(
      bestAt(cold),
      bestAt(plain),
      "lr 0.05: the losses are not monotonic, so the restart shows",
    );
    await assert.rejects(
      trainPhaseTwo({ ...base, coldSteps: -1 }, data, { directory: folders[0], frozenWeights: frozen }),
      /coldSteps must be an integer ≥ 0, got -1/,
    );
  } finally {
    for (const folder of folders) await Deno.remove(folder, { recursive: true });
  }
});
