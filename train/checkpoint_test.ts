import assert from "node:assert/strict";
import { Adam, Ranger, type TrainableParameter } from "./optimizers.ts";
import { applyCheckpoint, loadBestCheckpoint, loadLatestCheckpoint, saveCheckpoint } from "./checkpoint.ts";

/** Two parameters and a fixed sequence of pseudo-random gradients (the same on every run). */
function toyProblem(): {
  parameters: Map<string, TrainableParameter>;
  gradient: (step: number) => Map<string, Float32Array>;
} {
  const parameters = new Map<string, TrainableParameter>([
    ["conv.weight", { data: Float32Array.from({ length: 12 }, (_, i) => Math.sin(i + 1)), shape: [2, 2, 3] }],
    ["conv.bias", { data: new Float32Array([0.5, -0.25]), shape: [2] }],
  ]);
  const gradient = (step: number) =>
    new Map([...parameters].map(([name, p]) => [
      name,
      Float32Array.from(p.data, (value, i) => value * 0.3 + Math.cos(step * 7 + i * 3)),
    ]));
  return { parameters, gradient };
}

const copy = (parameters: Map<string, TrainableParameter>) =>
  new Map([...parameters].map(([name, p]) => [name, { data: p.data.slice(), shape: p.shape }]));

const silent = { onWarning: () => {} };

Deno.test("save → load round trip is bit-exact, and a resumed Adam continues exactly", async () => {
  const directory = await Deno.makeTempDir();
  // Uninterrupted: 8 steps.
  const straight = toyProblem();
  const straightAdam = new Adam({ lr: 0.01 });
  for (let step = 1; step <= 8; step++) straightAdam.step(straight.parameters, straight.gradient(step));

  // Interrupted after 5 steps, saved, restored into fresh objects, 3 more steps.
  const first = toyProblem();
  const firstAdam = new Adam({ lr: 0.01 });
  for (let step = 1; step <= 5; step++) firstAdam.step(first.parameters, first.gradient(step));
  const ema = Float32Array.from(first.parameters.get("conv.bias")!.data, (v) => v * 0.5);
  const state = { sampler: { seed: 7, position: 40 }, bestValidation: 0.125, schedule: [1, 2] };
  await saveCheckpoint(directory, {
    step: 5,
    parameters: first.parameters,
    optimizer: firstAdam,
    extra: { "ema/conv.bias": ema },
    state,
  });

  const loaded = (await loadLatestCheckpoint(directory))!;
  assert.equal(loaded.step, 5);
  assert.deepEqual(loaded.state, state);
  assert.deepEqual(loaded.skipped, []);
  assert.deepEqual(loaded.extra.get("ema/conv.bias"), ema);
  for (const [name, p] of first.parameters) {
    assert.deepEqual(loaded.parameters.get(name)!.data, p.data);
    assert.deepEqual(loaded.parameters.get(name)!.shape, [...p.shape]);
  }
  assert.deepEqual(loaded.optimizerState, firstAdam.state());

  const resumed = toyProblem();
  const resumedAdam = new Adam({ lr: 0.01 });
  applyCheckpoint(resumed.parameters, loaded, { optimizer: resumedAdam });
  assert.equal(resumedAdam.steps, 5);
  for (let step = 6; step <= 8; step++) resumedAdam.step(resumed.parameters, resumed.gradient(step));
  for (const [name, p] of straight.parameters) {
    assert.deepEqual(resumed.parameters.get(name)!.data, p.data, name);
  }
  assert.deepEqual(resumedAdam.state(), straightAdam.state());
});

Deno.test("Ranger state (with its lookahead buffer) round trips too", async () => {
  const directory = await Deno.makeTempDir();
  const problem = toyProblem();
  const ranger = new Ranger({ lr: 0.01 });
  for (let step = 1; step <= 7; step++) ranger.step(problem.parameters, problem.gradient(step));
  await saveCheckpoint(directory, {
    step: 7,
    parameters: problem.parameters,
    optimizer: ranger,
    state: null,
  });
  const restored = new Ranger({ lr: 0.01 });
  const parameters = copy(problem.parameters);
  applyCheckpoint(parameters, (await loadLatestCheckpoint(directory))!, { optimizer: restored });
  for (let step = 8; step <= 12; step++) {
    const gradient = problem.gradient(step);
    ranger.step(problem.parameters, gradient);
    restored.step(parameters, gradient);
  }
  for (const [name, p] of problem.parameters) assert.deepEqual(parameters.get(name)!.data, p.data, name);
});

Deno.test("keeps the newest K checkpoints and a best copy", async () => {
  const directory = await Deno.makeTempDir();
  const { parameters } = toyProblem();
  for (const step of [10, 20, 30, 40]) {
    await saveCheckpoint(directory, { step, parameters, optimizer: new Adam(), state: { step } }, {
      keep: 3,
      markBest: step === 20,
    });
  }
  const names = [...Deno.readDirSync(directory)].map((e) => e.name).sort();
  assert.deepEqual(names, [
    "best.json",
    "best.safetensors",
    "checkpoint-20.json",
    "checkpoint-20.safetensors",
    "checkpoint-30.json",
    "checkpoint-30.safetensors",
    "checkpoint-40.json",
    "checkpoint-40.safetensors",
    "latest.json",
  ]);
  assert.equal((await loadLatestCheckpoint(directory))!.step, 40);
  assert.deepEqual((await loadBestCheckpoint(directory))!.state, { step: 20 });
  assert.equal(await loadBestCheckpoint(await Deno.makeTempDir()), null);

  // Resuming from 30 and saving 35 removes the abandoned 40 and keeps K=2 by default.
  await saveCheckpoint(directory, { step: 35, parameters, optimizer: new Adam(), state: null });
  const steps = [...Deno.readDirSync(directory)].map((e) => e.name).filter((n) => n.endsWith(".json"));
  assert.deepEqual(steps.sort(), ["best.json", "checkpoint-30.json", "checkpoint-35.json", "latest.json"]);
});

Deno.test("a truncated latest checkpoint falls back to the previous one, or fails clearly", async () => {
  const directory = await Deno.makeTempDir();
  const { parameters } = toyProblem();
  await saveCheckpoint(directory, { step: 1, parameters, optimizer: new Adam(), state: "one" });
  await saveCheckpoint(directory, { step: 2, parameters, optimizer: new Adam(), state: "two" });
  const latest = `${directory}/checkpoint-2.safetensors`;
  const bytes = await Deno.readFile(latest);
  await Deno.writeFile(latest, bytes.subarray(0, bytes.length - 10));

  const warnings: string[] = [];
  const loaded = (await loadLatestCheckpoint(directory, { onWarning: (m) => warnings.push(m) }))!;
  assert.equal(loaded.step, 1);
  assert.equal(loaded.state, "one");
  assert.equal(loaded.skipped.length, 1);
  assert.match(
    loaded.skipped[0].reason,
    /checkpoint-2\.safetensors: \d+ bytes, but checkpoint-2\.json expects/,
  );
  assert.equal(warnings.length, 1);

  await assert.rejects(
    () => loadLatestCheckpoint(directory, { fallback: false }),
    /Cannot load checkpoint .*checkpoint-2\.json: .*truncated/,
  );

  // Both damaged: one error listing both files.
  await Deno.writeTextFile(`${directory}/checkpoint-1.json`, "{");
  await assert.rejects(() => loadLatestCheckpoint(directory, silent), (error: Error) => {
    assert.match(error.message, /No readable checkpoint/);
    assert.match(error.message, /checkpoint-2\.json: .*truncated/);
    assert.match(error.message, /checkpoint-1\.json: .*not valid JSON/);
    return true;
  });
});

Deno.test("a crash mid-save leaves the previous checkpoint as latest", async () => {
  const directory = await Deno.makeTempDir();
  const { parameters } = toyProblem();
  await saveCheckpoint(directory, { step: 1, parameters, optimizer: new Adam(), state: "one" });
  // The crash: step 2's tensors and sidecar are written, latest.json is not.
  const other = await Deno.makeTempDir();
  await saveCheckpoint(other, { step: 2, parameters, optimizer: new Adam(), state: "two" });
  await Deno.copyFile(`${other}/checkpoint-2.safetensors`, `${directory}/checkpoint-2.safetensors`);
  await Deno.copyFile(`${other}/checkpoint-2.json`, `${directory}/checkpoint-2.json`);
  assert.equal((await loadLatestCheckpoint(directory))!.state, "one");

  // A sidecar from another save of the same step is detected.
  const third = await Deno.makeTempDir();
  await saveCheckpoint(third, { step: 1, parameters, optimizer: new Adam({ lr: 0.5 }), state: "other" });
  await Deno.copyFile(`${third}/checkpoint-1.json`, `${directory}/checkpoint-1.json`);
  await assert.rejects(() => loadLatestCheckpoint(directory, { fallback: false }), /checkpoint-1\.json/);

  // Crash during the very first save: no latest.json; an orphan tensors file is skipped.
  const fresh = await Deno.makeTempDir();
  assert.equal(await loadLatestCheckpoint(fresh), null);
  await Deno.copyFile(`${other}/checkpoint-2.safetensors`, `${fresh}/checkpoint-2.safetensors`);
  await assert.rejects(() => loadLatestCheckpoint(fresh, silent), /checkpoint-2\.json: missing/);
  await Deno.copyFile(`${other}/checkpoint-2.json`, `${fresh}/checkpoint-2.json`);
  assert.equal((await loadLatestCheckpoint(fresh, silent))!.state, "two");

  await Deno.writeTextFile(`${fresh}/latest.json`, "{ nope");
  await assert.rejects(() => loadLatestCheckpoint(fresh), { name: "SyntaxError", message: /latest\.json/ });
});

Deno.test("state that JSON cannot hold is refused before anything is written", async () => {
  const directory = await Deno.makeTempDir();
  const { parameters } = toyProblem();
  await assert.rejects(
    () =>
      saveCheckpoint(directory, { step: 1, parameters, optimizer: new Adam(), state: { best: Infinity } }),
    { name: "TypeError", message: /state\.best is Infinity/ },
  );
  await assert.rejects(
    () => saveCheckpoint(directory, { step: 1.5, parameters, optimizer: new Adam(), state: null }),
    RangeError,
  );
  assert.deepEqual([...Deno.readDirSync(directory)], []);
});

Deno.test("applyCheckpoint lists every name and shape difference and copies nothing", () => {
  const mine = new Map<string, TrainableParameter>([
    ["a", { data: new Float32Array(4), shape: [2, 2] }],
    ["b", { data: new Float32Array(3), shape: [3] }],
    ["c", { data: new Float32Array(1), shape: [1] }],
  ]);
  const loaded = {
    file: "ckpt.safetensors",
    parameters: new Map([
      ["a", { data: new Float32Array([1, 2, 3, 4]), shape: [4] }],
      ["b", { data: new Float32Array([1, 2, 3]), shape: [3] }],
      ["d", { data: new Float32Array(1), shape: [1] }],
    ]),
    optimizerState: new Map(),
  };
  assert.throws(() => applyCheckpoint(mine, loaded), (error: Error) => {
    assert.ok(error instanceof TypeError);
    assert.match(error.message, /ckpt\.safetensors does not fit: 3 difference/);
    assert.match(error.message, /"a" is \[4\] in the checkpoint, \[2, 2\] here/);
    assert.match(error.message, /"c" is missing from the checkpoint/);
    assert.match(error.message, /"d" is in the checkpoint but not a parameter here/);
    return true;
  });
  assert.deepEqual(mine.get("b")!.data, new Float32Array(3));
});

/** Saves steps 1 and 2 of the toy problem; returns the directory. */
async function twoCheckpoints(): Promise<string> {
  const directory = await Deno.makeTempDir();
  const { parameters } = toyProblem();
  await saveCheckpoint(directory, { step: 1, parameters, optimizer: new Adam(), state: "one" });
  await saveCheckpoint(directory, { step: 2, parameters, optimizer: new Adam(), state: "two" });
  return directory;
}

const sha256 = async (bytes: Uint8Array) =>
  Array.from(
    new Uint8Array(await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>)),
    (b) => b.toString(16).padStart(2, "0"),
  ).join("");

Deno.test("a bit flip in the latest tensors file is caught by its sha256 and resume falls back", async () => {
  const directory = await twoCheckpoints();
  const path = `${directory}/checkpoint-2.safetensors`;
  const bytes = await Deno.readFile(path);
  bytes[bytes.length - 4] ^= 0x01; // the lowest mantissa bit of the last float: still finite, same size
  await Deno.writeFile(path, bytes);

  const warnings: string[] = [];
  const loaded = (await loadLatestCheckpoint(directory, { onWarning: (m) => warnings.push(m) }))!;
  assert.equal(loaded.step, 1);
  assert.equal(loaded.state, "one");
  assert.equal(warnings.length, 1);
  assert.match(warnings[0], /checkpoint-2\.json: .*checkpoint-2\.safetensors: sha256 [0-9a-f]{64} differs/);
  assert.match(warnings[0], /damaged/);
});

Deno.test("a NaN in the latest checkpoint (valid checksum) is named and resume falls back", async () => {
  const directory = await twoCheckpoints();
  const path = `${directory}/checkpoint-2.safetensors`;
  const bytes = await Deno.readFile(path);
  new DataView(bytes.buffer).setFloat32(bytes.length - 4, NaN, true);
  await Deno.writeFile(path, bytes);
  // Recompute the recorded digest, as a NaN written by a buggy save would have a matching one.
  const sidecarPath = `${directory}/checkpoint-2.json`;
  const sidecar = JSON.parse(await Deno.readTextFile(sidecarPath));
  sidecar.tensorsSha256 = await sha256(bytes);
  await Deno.writeTextFile(sidecarPath, JSON.stringify(sidecar));

  const warnings: string[] = [];
  const loaded = (await loadLatestCheckpoint(directory, { onWarning: (m) => warnings.push(m) }))!;
  assert.equal(loaded.step, 1);
  assert.match(
    warnings[0],
    /checkpoint-2\.safetensors: tensor "[^"]+": 1 of \d+ values are not finite, the first \(NaN\) at index \d+/,
  );

  // The intact one damaged too: a clear error naming both files.
  const first = `${directory}/checkpoint-1.safetensors`;
  const firstBytes = await Deno.readFile(first);
  firstBytes[100] ^= 0x40;
  await Deno.writeFile(first, firstBytes);
  await assert.rejects(() => loadLatestCheckpoint(directory, silent), (error: Error) => {
    assert.match(error.message, /No readable checkpoint in /);
    assert.match(error.message, /checkpoint-2\.json: .*not finite/);
    assert.match(error.message, /checkpoint-1\.json: .*sha256/);
    return true;
  });
});

Deno.test("the best copy is checked too, and version-1 sidecars (no sha256) still load", async () => {
  const directory = await Deno.makeTempDir();
  const { parameters } = toyProblem();
  await saveCheckpoint(directory, { step: 3, parameters, optimizer: new Adam(), state: 3 }, {
    markBest: true,
  });
  const best = await Deno.readFile(`${directory}/best.safetensors`);
  best[best.length - 4] ^= 0x01;
  await Deno.writeFile(`${directory}/best.safetensors`, best);
  await assert.rejects(() => loadBestCheckpoint(directory), /best\.safetensors: sha256 .* differs/);

  const sidecarPath = `${directory}/checkpoint-3.json`;
  const sidecar = JSON.parse(await Deno.readTextFile(sidecarPath));
  assert.equal(sidecar.version, 2);
  delete sidecar.tensorsSha256;
  sidecar.version = 1;
  await Deno.writeTextFile(sidecarPath, JSON.stringify(sidecar));
  assert.equal((await loadLatestCheckpoint(directory))!.state, 3);
});

Deno.test("non-finite tensors and keep < 2 are refused before anything is written", async () => {
  const directory = await Deno.makeTempDir();
  const { parameters } = toyProblem();
  parameters.get("conv.bias")!.data[1] = Infinity;
  await assert.rejects(
    () => saveCheckpoint(directory, { step: 4, parameters, optimizer: new Adam(), state: null }),
    { name: "RangeError", message: /step 4: tensor "param\/conv\.bias": 1 of 2 .* \(Infinity\) at index 1/ },
  );
  const fine = toyProblem().parameters;
  await assert.rejects(
    () =>
      saveCheckpoint(directory, { step: 4, parameters: fine, optimizer: new Adam(), state: null }, {
        keep: 1,
      }),
    { name: "RangeError", message: /keep must be an integer ≥ 2/ },
  );
  assert.deepEqual([...Deno.readDirSync(directory)], []);
});
