import assert from "node:assert/strict";
import { saveCheckpoint } from "./checkpoint.ts";
import { Adam } from "./optimizers.ts";
import { openRun, runSettings, settingsChanges, stepFailure } from "./resume.ts";

const parameters = new Map([["w", { data: new Float32Array([1, 2]), shape: [2] }]]);

Deno.test("openRun warns about changed settings, naming old and new values, and removes leftover temporaries", async () => {
  const directory = await Deno.makeTempDir();
  try {
    const settings = runSettings({ batch: 16, seed: 1, learningRate: 0.0025, encoder: { depth: 3 } });
    await saveCheckpoint(directory, {
      step: 30,
      parameters,
      optimizer: new Adam(),
      state: { step: 30, settings },
    });
    const leftover = `${directory}/checkpoint-40.safetensors.tmp-2000000000-0123abcd`;
    await Deno.writeFile(leftover, new Uint8Array(1000));

    const warnings: string[] = [];
    const onWarning = (message: string) => warnings.push(message);
    const same = await openRun(directory, { settings, onWarning });
    assert.equal(same?.step, 30);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0], /Removed 1 file\(s\) left by interrupted writes/);
    assert.equal(await Deno.stat(leftover).catch(() => null), null);

    warnings.length = 0;
    await openRun(directory, {
      settings: { ...settings, batch: 8, seed: 2, encoder: { depth: 4 }, extra: true },
      onWarning,
    });
    assert.equal(warnings.length, 1);
    assert.match(
      warnings[0],
      /Resuming from .*checkpoint-30\.safetensors \(step 30\) with changed settings: /,
    );
    assert.match(
      warnings[0],
      /batch 16 → 8, seed 1 → 2, encoder \{"depth":3\} → \{"depth":4\}, extra unset → true/,
    );
    assert.doesNotMatch(warnings[0], /learningRate/);

    assert.equal(await openRun(await Deno.makeTempDir(), { settings, onWarning }), null);
  } finally {
    await Deno.remove(directory, { recursive: true });
  }
});

Deno.test("a checkpoint without recorded settings resumes without a comparison", async () => {
  const directory = await Deno.makeTempDir();
  try {
    await saveCheckpoint(directory, { step: 2, parameters, optimizer: new Adam(), state: { step: 2 } });
    const warnings: string[] = [];
    const loaded = await openRun(directory, { settings: { batch: 4 }, onWarning: (m) => warnings.push(m) });
    assert.equal(loaded?.step, 2);
    assert.deepEqual(warnings, []);
  } finally {
    await Deno.remove(directory, { recursive: true });
  }
});

Deno.test("settingsChanges and stepFailure", () => {
  assert.deepEqual(settingsChanges({ a: 1, gone: "x" }, { a: 1 }), ['gone "x" → unset']);
  const resumed = stepFailure(new RangeError("The loss is NaN; no parameter was updated"), 31, {
    file: "run/checkpoint-30.safetensors",
    step: 30,
  });
  assert.ok(resumed instanceof RangeError);
  assert.match(
    resumed.message,
    /^Step 31 failed: The loss is NaN; no parameter was updated \(resumed from run\/checkpoint-30\.safetensors at step 30;/,
  );
  const fresh = stepFailure(new Error("boom"), 1, null);
  assert.equal(fresh.message, "Step 1 failed: boom");
  assert.equal((fresh.cause as Error).message, "boom");
});
