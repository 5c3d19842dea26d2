import assert from "node:assert/strict";
import { runSuite } from "./runner.ts";
import { listVariantResults, readDeltaW, readLog } from "./store.ts";
import { loadHyperInverter } from "../model/load.ts";
import { writeTinyModel } from "../tests/_tiny_model.ts";

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
    await Deno.mkdir(`${root}/suites`, { recursive: true });
    await Deno.writeTextFile(
      `${root}/suites/tiny.json`,
      JSON.stringify({
        name: "tiny",
        description: "runner test",
        base: "models/tiny",
        training: {
          steps: 3,
          batch: 2,
          weights: { lpips: 0 },
          checkpointEvery: 1,
          validateEvery: 3,
          validationImages: 2,
          seed: 5,
        },
        evaluation: { images: 4, batch: 2, samples: 2 },
        variants: [
          { name: "d4", label: "D=4", changes: { hypernet: { hiddenDim: 4 } } },
          { name: "phase_one", label: "phase I", mode: "phaseOne" },
        ],
      }),
    );
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
