import assert from "node:assert/strict";
import {
  checkName,
  listSamples,
  listSuites,
  listVariantResults,
  modelPath,
  parseSuite,
  readDeltaW,
  readLog,
  readMetrics,
  readSuite,
  readSuiteFile,
  readVariantConfig,
  resultDirectory,
  samplePath,
  suiteModelPath,
} from "./store.ts";

const SUITE = {
  name: "tiny",
  description: "two variants",
  base: "models/default",
  training: { steps: 4 },
  variants: [
    { name: "a", label: "A", changes: {}, paper: { l2: 0.1 } },
    { name: "b", label: "B", mode: "phaseOne" },
  ],
};

async function fixtureRoot(): Promise<string> {
  const root = `${await Deno.makeTempDir()}/experiments`;
  await Deno.mkdir(`${root}/suites`, { recursive: true });
  await Deno.writeTextFile(`${root}/suites/tiny.json`, JSON.stringify(SUITE));
  const a = `${root}/results/tiny/a`;
  await Deno.mkdir(`${a}/samples`, { recursive: true });
  await Deno.mkdir(`${a}/model`);
  await Deno.writeTextFile(`${a}/model/model.json`, "{}");
  await Deno.writeTextFile(`${a}/metrics.json`, JSON.stringify({ l2: 0.01, psnr: 20, msSsim: 0.8 }));
  await Deno.writeTextFile(`${a}/delta_w.json`, JSON.stringify([{ layer: "b4.conv1.weight", meanAbs: 0.5 }]));
  await Deno.writeTextFile(`${a}/variant.json`, JSON.stringify({ name: "a" }));
  await Deno.writeTextFile(
    `${a}/log.jsonl`,
    '{"step":1,"losses":{"loss":0.2}}\n{"step":2,"losses":{"loss":0.1}}\n',
  );
  for (const f of ["00_final.png", "00_input.png", "notes.txt"]) {
    await Deno.writeFile(`${a}/samples/${f}`, new Uint8Array(1));
  }
  return root;
}

Deno.test("store lists suites and variant results with status, metrics, model and samples", async () => {
  const root = await fixtureRoot();
  try {
    assert.deepEqual(await listSuites(root), [{ name: "tiny", description: "two variants", variants: 2 }]);
    const rows = await listVariantResults("tiny", root);
    assert.equal(rows.length, 2);
    assert.equal(rows[0].status, "done");
    assert.equal(rows[0].metrics?.psnr, 20);
    assert.deepEqual(rows[0].paper, { l2: 0.1 });
    assert.equal(rows[0].modelPath, `${root}/results/tiny/a/model/model.json`);
    assert.deepEqual(rows[0].samples, ["00_final.png", "00_input.png"]); // sorted, non-PNG left out
    assert.equal(rows[1].status, "pending");
    assert.equal(rows[1].mode, "phaseOne");
    assert.equal(rows[1].metrics, null);
    assert.equal(rows[1].modelPath, null); // phase I only: the base model, absent here
    await Deno.mkdir(`${root}/models/default`, { recursive: true }); // found in the experiments folder
    await Deno.writeTextFile(`${root}/models/default/model.json`, "{}");
    assert.equal((await listVariantResults("tiny", root))[1].modelPath, `${root}/models/default/model.json`);
    assert.deepEqual(await readDeltaW("tiny", "a", root), [{ layer: "b4.conv1.weight", meanAbs: 0.5 }]);
    assert.deepEqual((await readLog("tiny", "a", root)).map((r) => r.losses?.loss), [0.2, 0.1]);
    assert.deepEqual(await readLog("tiny", "b", root), []);
    assert.deepEqual(await readVariantConfig("tiny", "a", root), { name: "a" });
    assert.equal(await readMetrics("tiny", "b", root), null);
    assert.equal(await modelPath("tiny", "b", root), null);
    assert.deepEqual(await listSamples("tiny", "b", root), []);
  } finally {
    await Deno.remove(`${root}/..`, { recursive: true });
  }
});

Deno.test("store rejects names that could leave the experiments folder", async () => {
  for (const bad of ["..", "../x", "a/b", "", "a b", "%2e%2e", "a\\b", ".hidden"]) {
    assert.throws(() => checkName(bad), RangeError, bad);
    assert.throws(() => resultDirectory(bad, "a", "/r"), RangeError);
    assert.throws(() => resultDirectory("a", bad, "/r"), RangeError);
    await assert.rejects(() => readSuite(bad, "/r"), RangeError);
    await assert.rejects(() => listVariantResults(bad, "/r"), RangeError);
    await assert.rejects(() => readDeltaW("a", bad, "/r"), RangeError);
    await assert.rejects(() => readLog(bad, "a", "/r"), RangeError);
  }
  for (const bad of ["../model.json", "x.png/..", "a.jpg", "../../etc/passwd"]) {
    assert.throws(() => samplePath("s", "v", bad, "/r"), RangeError);
  }
  assert.equal(samplePath("s", "v", "03_phase1.png", "/r"), "/r/results/s/v/samples/03_phase1.png");
});

Deno.test("store reports a missing suite and lists every problem of a bad one", async () => {
  await assert.rejects(() => readSuite("nope", "/nonexistent"), Deno.errors.NotFound);
  assert.throws(
    () =>
      parseSuite({
        name: "x/y",
        description: 1,
        base: "",
        training: {},
        variants: [{ name: "a", label: "A" }, { name: "a", label: "A", mode: "weird" }],
      }, "inline"),
    (e: Error) =>
      e instanceof TypeError && /name/.test(e.message) && /description/.test(e.message) &&
      /training\.steps/.test(e.message) && /repeated/.test(e.message) && /mode/.test(e.message),
  );
});

Deno.test("the shipped table3 suite parses and mirrors the paper's eight Table-3 rows", async () => {
  const suite = await readSuite("table3");
  const rows = suite.variants.filter((v) => v.paper).map((v) => v.paper!.row);
  assert.equal(rows.length, 7); // row (8) D=256 is the full model, row (1)
  assert.ok(suite.variants.some((v) => v.mode === "phaseOne"));
  assert.ok((await listSuites()).some((s) => s.name === "table3"));
});

Deno.test("a suite's training blocks are checked against the phase-II trainer's keys and types", () => {
  const problems = (json: unknown) => {
    try {
      parseSuite(json, "s.json");
      return "";
    } catch (error) {
      assert.ok(error instanceof TypeError);
      return (error as Error).message;
    }
  };
  assert.equal(problems(SUITE), "");
  let message = problems({ ...SUITE, training: { steps: 4, r1Gama: 10 } });
  assert.match(message, /"training" has unknown key "r1Gama" \(did you mean "r1Gamma"\?\); valid keys: /);
  for (const key of ["batch", "learningRate", "weights", "r1Gamma", "validateEvery", "seed"]) {
    assert.ok(message.includes(key), key);
  }
  message = problems({
    ...SUITE,
    training: { steps: "4", batch: 0, weights: { l2: 1, lpipz: 0 }, architecture: {} },
    variants: [{ name: "a", label: "A", changes: { training: { learningRate: -1, seeed: 2 } } }],
  });
  assert.match(message, /"training.steps" must be an integer ≥ 1, got "4"/);
  assert.match(message, /"training.batch" must be an integer ≥ 1, got 0/);
  assert.match(message, /"training.weights" has unknown key "lpipz" \(did you mean "lpips"\?\)/);
  assert.match(message, /unknown key "architecture".*comes from "base"/);
  assert.match(message, /"variants\[0\].changes.training.learningRate" must be a number > 0, got -1/);
  assert.match(message, /variants\[0\].changes.training has unknown key "seeed" \(did you mean "seed"\?\)/);
  assert.match(problems({ ...SUITE, training: {} }), /"training.steps" is required/);
});

Deno.test("unknown keys of a suite, a variant, its changes and the evaluation are refused by name", () => {
  assert.throws(
    () =>
      parseSuite({
        ...SUITE,
        bsae: "x",
        evaluation: { image: 4 },
        variants: [{ name: "a", label: "A", chnages: {} }, {
          name: "b",
          label: "B",
          changes: { hypernt: {} },
        }],
      }, "s.json"),
    (e: Error) =>
      e instanceof TypeError &&
      /The suite has unknown key "bsae" \(did you mean "base"\?\); valid keys: name, description, base, data/
        .test(e.message) &&
      /"evaluation" has unknown key "image" \(did you mean "images"\?\)/.test(e.message) &&
      /variants\[0\] has unknown key "chnages" \(did you mean "changes"\?\)/.test(e.message) &&
      /variants\[1\].changes has unknown key "hypernt" \(did you mean "hypernet"\?\)/.test(e.message),
  );
});

Deno.test("a suite read from a file anywhere resolves base against its folder, else the repository root", async () => {
  const folder = await Deno.makeTempDir();
  try {
    await Deno.mkdir(`${folder}/models/mine`, { recursive: true });
    await Deno.writeTextFile(`${folder}/models/mine/model.json`, "{}");
    await Deno.writeTextFile(`${folder}/suite.json`, JSON.stringify({ ...SUITE, base: "models/mine" }));
    const suite = await readSuiteFile(`${folder}/suite.json`);
    assert.equal(suite.file, `${folder}/suite.json`);
    assert.equal(suiteModelPath(suite, suite.base, "/repo"), `${folder}/models/mine/model.json`);
    assert.equal(suiteModelPath(suite, "models/default", "/repo"), `${folder}/models/default/model.json`); // none: the first place
    await Deno.mkdir(`${folder}/repo/data/models/default`, { recursive: true });
    await Deno.writeTextFile(`${folder}/repo/data/models/default/model.json`, "{}");
    assert.equal(
      suiteModelPath(suite, "models/default", `${folder}/repo`),
      `${folder}/repo/data/models/default/model.json`,
    );
    assert.equal(suiteModelPath(suite, "/abs/model", "/repo"), "/abs/model/model.json");
    await assert.rejects(() => readSuiteFile(`${folder}/none.json`), Deno.errors.NotFound);
  } finally {
    await Deno.remove(folder, { recursive: true });
  }
});

Deno.test("a suite's factors make each variant a point of a grid; a bad grid is refused by name", async () => {
  const grid = {
    ...SUITE,
    factors: ["fusion", "D", "seed"],
    variants: [
      { name: "a", label: "A", factors: { fusion: "concatConv", D: 16, seed: 1 } },
      { name: "a2", label: "A, seed 2", factors: { fusion: "concatConv", D: 16, seed: 2 } },
      { name: "b", label: "B", mode: "phaseOne" }, // off the grid: a baseline
    ],
  };
  assert.deepEqual(parseSuite(grid, "s.json").variants[1].factors, { fusion: "concatConv", D: 16, seed: 2 });
  const message = (json: unknown) => {
    try {
      parseSuite(json, "s.json");
    } catch (error) {
      assert.ok(error instanceof TypeError);
      return error.message;
    }
    throw new Error("expected a TypeError");
  };
  const bad = message({
    ...grid,
    variants: [
      { name: "a", label: "A", factors: { fusoin: "concatConv", D: 16, seed: 1 } },
      { name: "b", label: "B", factors: { fusion: "sum", D: [4], seed: 1 } },
      { name: "c", label: "C", factors: { fusion: "sum", D: [4], seed: 1 } },
    ],
  });
  assert.match(
    bad,
    /variants\[0\]\.factors has unknown key "fusoin" \(did you mean "fusion"\?\); valid keys: fusion, D, seed/,
  );
  assert.match(bad, /variants\[0\]\.factors lacks "fusion"/);
  assert.match(bad, /variants\[1\]\.factors\.D must be a string or a number, got \[4\]/);
  assert.match(bad, /variants\[2\]\.factors is the same point as variants\[1\]/);
  assert.match(message({ ...grid, factors: ["D", "D"] }), /"factors" repeats \["D"\]/);
  assert.match(message({ ...grid, factors: ["2x"] }), /"factors" has invalid name \["2x"\]/);
  assert.match(
    message({ ...SUITE, variants: [{ name: "a", label: "A", factors: { D: 4 } }] }),
    /variants\[0\]\.factors needs the suite's "factors" list/,
  );
  assert.match(message({ ...grid, factor: ["D"] }), /unknown key "factor" \(did you mean "factors"\?\)/);

  const root = `${await Deno.makeTempDir()}/experiments`;
  await Deno.mkdir(`${root}/suites`, { recursive: true });
  await Deno.writeTextFile(`${root}/suites/tiny.json`, JSON.stringify(grid));
  const rows = await listVariantResults("tiny", root);
  assert.deepEqual(rows.map((r) => r.factors), [grid.variants[0].factors, grid.variants[1].factors, null]);
  await Deno.remove(root.replace(/\/experiments$/, ""), { recursive: true });
});
