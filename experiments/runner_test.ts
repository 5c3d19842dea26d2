import assert from "node:assert/strict";
import { runSuite } from "./runner.ts";
import { AttributeModel } from "../editing/attribute_model.ts";
import { attributeClassifierGraph, initialClassifierWeights } from "../editing/attribute_classifier.ts";
import { listVariantResults, readDeltaW, readLog } from "./store.ts";
import { loadHyperInverter } from "../model/load.ts";
import { writeTinyModel } from "../tests/_tiny_model.ts";
import { readProgress } from "./progress.ts";
import { TINY_EVALUATION, tinyTraining, writeSuiteFile } from "../tests/_tiny_suite.ts";

/** A trained variant (D = 4) and the phase-I baseline. */
const TINY_VARIANTS = [
  { name: "d4", label: "D=4", changes: { hypernet: { hiddenDim: 4 } } },
  { name: "phase_one", label: "phase I", mode: "phaseOne" },
];

/** Deterministic images [count, 3, 64, 64] in [−1, 1]. */
function imageSet(count: number, seed: number) {
  const size = 3 * 64 * 64;
  return {
    count,
    batch: (indices: Int32Array) => {
      const out = new Float32Array(indices.length * size);
      indices.forEach((index, b) => {
        for (let i = 0; i < size; i++) out[b * size + i] = Math.sin((index + seed) * 0.37 + i * 0.011) * 0.8;
      });
      return out;
    },
  };
}

Deno.test("runner trains a tiny suite, resumes an interrupted variant, skips finished ones, writes the layout", async () => {
  const repository = await Deno.makeTempDir();
  try {
    await writeTinyModel(`${repository}/models/tiny`);
    const root = `${repository}/experiments`;
    await writeSuiteFile(root, {
      name: "tiny",
      description: "runner test",
      base: "models/tiny",
      training: tinyTraining({ steps: 3, validateEvery: 3 }),
      evaluation: { images: 4, batch: 2, samples: 2 },
      variants: TINY_VARIANTS,
    });
    const data = { train: imageSet(8, 0), validation: imageSet(4, 100), test: imageSet(4, 200) };
    const options = { root, repositoryRoot: repository, data };

    const first = await runSuite("tiny", { ...options, stopAfter: 2 });
    assert.deepEqual(first.unfinished, ["d4"]);
    assert.deepEqual(first.evaluated, ["phase_one"]); // the unfinished variant is not evaluated
    let rows = await listVariantResults("tiny", root);
    assert.equal(rows[0].status, "pending");
    assert.equal(rows[1].status, "done");

    const second = await runSuite("tiny", options);
    assert.deepEqual(second.trained, ["d4"]);
    assert.deepEqual(second.evaluated, ["d4"]);
    assert.deepEqual(second.skippedEvaluation, ["phase_one"]);
    // Resumed, not restarted: the log holds each step once.
    assert.deepEqual((await readLog("tiny", "d4", root)).map((r) => r.step), [1, 2, 3]);

    rows = await listVariantResults("tiny", root);
    const d4 = rows[0];
    assert.equal(d4.status, "done");
    assert.equal(d4.metrics!.steps, 3);
    assert.equal(d4.metrics!.images, 4);
    assert.ok(
      Number.isFinite(d4.metrics!.psnr) && d4.metrics!.l2 > 0 && d4.metrics!.msPerImage > 0 &&
        d4.metrics!.parameters > 0,
    );
    assert.deepEqual(d4.samples, [
      "00_final.png",
      "00_input.png",
      "00_phase1.png",
      "01_final.png",
      "01_input.png",
      "01_phase1.png",
    ]);
    const model = await loadHyperInverter(d4.modelPath!);
    assert.equal(model.architecture.hypernet.hiddenDim, 4);
    const deltaW = (await readDeltaW("tiny", "d4", root))!;
    assert.ok(deltaW.length > 0 && deltaW.every((row) => row.meanAbs > 0));
    assert.equal(rows[1].metrics!.parameters, 0);
    assert.equal(await readDeltaW("tiny", "phase_one", root), null);

    const third = await runSuite("tiny", options);
    assert.deepEqual(third.trained, []);
    assert.deepEqual(third.skippedTraining, ["d4"]);
    assert.deepEqual(third.evaluated, []);
    await assert.rejects(() => runSuite("tiny", { ...options, variants: ["nope"] }), RangeError);

    // A clone has no variant model folders (not committed): --restore-models trains them again, keeping metrics.
    const metricsBefore = await Deno.readTextFile(`${root}/results/tiny/d4/metrics.json`);
    await Deno.remove(`${root}/results/tiny/d4/model`, { recursive: true });
    assert.deepEqual((await runSuite("tiny", options)).skippedTraining, ["d4"], "without the flag: skipped");
    const restored = await runSuite("tiny", { ...options, restoreModels: true });
    assert.deepEqual(restored.trained, ["d4"]);
    assert.deepEqual(restored.evaluated, []);
    assert.ok((await Deno.stat(`${root}/results/tiny/d4/model/model.json`)).isFile);
    assert.equal(await Deno.readTextFile(`${root}/results/tiny/d4/metrics.json`), metricsBefore);
  } finally {
    await Deno.remove(repository, { recursive: true });
  }
});

Deno.test("runner records each variant's progress, leaves a variant locked by a live process alone, takes over a stale lock, records a failure's reason", async () => {
  const repository = await Deno.makeTempDir();
  try {
    await writeTinyModel(`${repository}/models/tiny`);
    const root = `${repository}/experiments`;
    await writeSuiteFile(root, {
      name: "tiny",
      description: "runner progress test",
      base: "models/tiny",
      training: tinyTraining({ validationImages: undefined }),
      evaluation: TINY_EVALUATION,
      variants: TINY_VARIANTS,
    });
    const data = { train: imageSet(8, 0), validation: imageSet(4, 100), test: imageSet(4, 200) };
    const options = { root, repositoryRoot: repository, data };
    const lockFile = `${repository}/runs/tiny/d4/owner.lock`;
    await Deno.mkdir(`${repository}/runs/tiny/d4`, { recursive: true });

    // pid 1 is alive on this host: the variant is someone else's, not trained, not evaluated.
    await Deno.writeTextFile(lockFile, JSON.stringify({ host: Deno.hostname(), pid: 1, createdAt: "" }));
    const busy = await runSuite("tiny", options);
    assert.deepEqual(busy.busy, ["d4"]);
    assert.deepEqual(busy.trained, []);
    assert.deepEqual(busy.evaluated, ["phase_one"]);
    assert.equal(await readProgress("tiny", "d4", root), null);
    assert.equal((await readProgress("tiny", "phase_one", root))?.state, "done");

    // A training step that fails (NaN images): the reason is recorded.
    const nan = {
      count: 8,
      batch: (indices: Int32Array) => new Float32Array(indices.length * 3 * 64 * 64).fill(NaN),
    };
    await Deno.writeTextFile(
      lockFile,
      JSON.stringify({ host: Deno.hostname(), pid: 2 ** 22 + 7, createdAt: "" }),
    );
    const events: string[] = [];
    await assert.rejects(() =>
      runSuite("tiny", { ...options, data: { ...data, train: nan }, onEvent: (m) => events.push(m) })
    );
    assert.match(events.join("\n"), /d4: took over a stale lock \(pid 4194311 on this host is not running\)/);
    const failure = (await readProgress("tiny", "d4", root))!;
    assert.equal(failure.state, "failed");
    assert.match(failure.error!, /^Step 1 failed: /);
    await assert.rejects(
      () => Deno.stat(lockFile),
      Deno.errors.NotFound,
      "the lock is released after a failure",
    );

    await Deno.remove(`${repository}/runs/tiny/d4`, { recursive: true });
    const report = await runSuite("tiny", options);
    assert.deepEqual(report.trained, ["d4"]);
    const done = (await readProgress("tiny", "d4", root))!;
    assert.equal(done.state, "done");
    assert.equal(done.pid, Deno.pid);
    await assert.rejects(() => Deno.stat(lockFile), Deno.errors.NotFound);
  } finally {
    await Deno.remove(repository, { recursive: true });
  }
});

Deno.test("runner: a suite that trains with the identity loss uses the base model's conv classifier, and names it when missing", async () => {
  const repository = await Deno.makeTempDir();
  try {
    await writeTinyModel(`${repository}/models/tiny`);
    const root = `${repository}/experiments`;
    await writeSuiteFile(root, {
      name: "tiny_id",
      description: "identity loss",
      base: "models/tiny",
      training: { ...tinyTraining({ steps: 2, validateEvery: 2 }), weights: { l2: 1, lpips: 0, id: 0.5 } },
      evaluation: { images: 2, batch: 2, samples: 1 },
      variants: [{ name: "d4", label: "D=4", changes: { hypernet: { hiddenDim: 4 } } }],
    });
    const data = { train: imageSet(8, 0), validation: imageSet(4, 100), test: imageSet(4, 200) };
    const options = { root, repositoryRoot: repository, data };
    await assert.rejects(
      runSuite("tiny_id", options),
      /needs the base model's classifier .*attributes\/conv\.safetensors/,
    );

    const input = { channels: 3, size: 64, classes: 10 };
    const classifier = new AttributeModel(
      "conv",
      initialClassifierWeights(attributeClassifierGraph("conv", 1, { input }), 3),
      input,
    );
    await Deno.mkdir(`${repository}/models/tiny/attributes`);
    await classifier.save(`${repository}/models/tiny/attributes/conv.safetensors`);
    const report = await runSuite("tiny_id", options);
    assert.deepEqual(report.trained, ["d4"]);
    const log = await readLog("tiny_id", "d4", root);
    assert.ok(
      log.length > 0 && log.every((r) => Number.isFinite(r.losses?.loss)),
      "finite losses, identity term on",
    );
  } finally {
    await Deno.remove(repository, { recursive: true });
  }
});
