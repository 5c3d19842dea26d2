/**
 * A trainer command sent SIGTERM (a cluster cancelling or preempting it) finishes its step, checkpoints it and
 * exits 1 saying so; rerunning the same command resumes from that very step.
 */
import assert from "node:assert/strict";
import { trainGeneratorCommand } from "../tests/_train_generator_command.ts";
import { readRunLog } from "../train/run_log.ts";

const GENERATOR = { resolution: 32, channelBase: 256, channelMax: 8, mappingLayers: 2, zDim: 16, wDim: 16 };

function trainGenerator(folder: string, steps: number) {
  return trainGeneratorCommand(`${folder}/generator.json`, `${folder}/run`, steps);
}

Deno.test("train-generator on SIGTERM checkpoints the step it is in, exits 1, and resumes from exactly there", async () => {
  const folder = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(
      `${folder}/generator.json`,
      JSON.stringify({
        generator: GENERATOR,
        batch: 2,
        steps: 500,
        checkpointEvery: 1000,
        data: "fashion-mnist",
      }),
    );
    const child = trainGenerator(folder, 500).spawn();
    const output = Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text()]);
    const deadline = Date.now() + 120_000;
    // Wait until a few steps are logged (checkpoints are only every 1000 steps, so any checkpoint is the stop's).
    while (((await readRunLog(`${folder}/run/log.jsonl`).catch(() => null))?.records.length ?? 0) < 3) {
      assert.ok(Date.now() < deadline, "no training steps within 120 s");
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    child.kill("SIGTERM");
    const status = await child.status;
    const [stdout, stderr] = await output;
    assert.equal(status.code, 1, stdout + stderr);
    const stopped = Number(/stopped by SIGTERM after step (\d+), checkpointed in/.exec(stdout)?.[1]);
    assert.ok(stopped >= 3 && stopped < 500, stdout + stderr);
    assert.equal(JSON.parse(await Deno.readTextFile(`${folder}/run/latest.json`)).step, stopped);

    const resumed = await trainGenerator(folder, stopped + 2).output();
    const resumedOut = new TextDecoder().decode(resumed.stdout);
    assert.ok(resumed.success, resumedOut + new TextDecoder().decode(resumed.stderr));
    assert.match(resumedOut, new RegExp(`resuming from step ${stopped}\\b`));
    const steps = (await readRunLog(`${folder}/run/log.jsonl`)).records.map((entry) => entry.step);
    assert.deepEqual(steps, Array.from({ length: stopped + 2 }, (_, i) => i + 1));
  } finally {
    await Deno.remove(folder, { recursive: true });
  }
});
