import assert from "node:assert/strict";
import { loadLatestCheckpoint } from "./checkpoint.ts";
import { readRunLog } from "./run_log.ts";
import {
  clearTrainingStop,
  requestTrainingStop,
  trainingStopRequested,
  whileTraining,
} from "./stop_request.ts";
import { runTrainingLoop } from "./training_loop.ts";

const CHILD = new URL("./_stop_request_child.ts", import.meta.url).pathname;
const STEPS = 2000;

/** Runs the toy child; with `signalAtStep`, sends it SIGTERM once it has printed that step. */
async function runChild(
  directory: string,
  signalAtStep?: number,
): Promise<{ code: number; lines: string[] }> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", CHILD, directory, String(STEPS)],
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const lines: string[] = [];
  let pending = "";
  let signalled = false;
  const decoder = new TextDecoder();
  for await (const chunk of child.stdout) {
    pending += decoder.decode(chunk, { stream: true });
    const parts = pending.split("\n");
    pending = parts.pop()!;
    lines.push(...parts);
    const last = parts.at(-1)?.match(/^step (\d+)$/);
    if (!signalled && signalAtStep !== undefined && last && Number(last[1]) >= signalAtStep) {
      child.kill("SIGTERM");
      signalled = true;
    }
  }
  const { code } = await child.status;
  return { code, lines };
}

Deno.test("a training process sent SIGTERM mid-run checkpoints its last step, exits, and resumes to the same result", async () => {
  const whole = await Deno.makeTempDir({ prefix: "sigterm-whole-" });
  const split = await Deno.makeTempDir({ prefix: "sigterm-split-" });
  try {
    const interrupted = await runChild(split, 5);
    assert.equal(interrupted.code, 0, "the loop returns; the process ends normally");
    const [, stoppedAt, reason] = interrupted.lines.at(-1)!.split(" ");
    assert.equal(reason, "SIGTERM");
    assert.ok(Number(stoppedAt) >= 5 && Number(stoppedAt) < STEPS, `stopped mid-run, at ${stoppedAt}`);
    // checkpointEvery is 1000: the checkpoint is the one written because of the signal, at the last step.
    assert.equal((await loadLatestCheckpoint(split))!.step, Number(stoppedAt));

    const resumed = await runChild(split);
    assert.equal(resumed.lines.at(-1), `end ${STEPS} -`);
    assert.equal(resumed.lines[0], `step ${Number(stoppedAt) + 1}`, "continues after the checkpoint");
    assert.equal((await runChild(whole)).lines.at(-1), `end ${STEPS} -`);

    const [a, b] = [await loadLatestCheckpoint(whole), await loadLatestCheckpoint(split)];
    assert.deepEqual(b!.parameters.get("w")!.data, a!.parameters.get("w")!.data);
    assert.deepEqual(b!.state, a!.state);
    const losses = async (directory: string) =>
      (await readRunLog(`${directory}/log.jsonl`)).records.map((record) => [record.step, record.losses]);
    assert.deepEqual(await losses(split), await losses(whole));
  } finally {
    await Deno.remove(whole, { recursive: true });
    await Deno.remove(split, { recursive: true });
  }
});

Deno.test("a stop requested before a loop starts runs no step; the request is process-wide until cleared", async () => {
  const directory = await Deno.makeTempDir();
  try {
    requestTrainingStop("test");
    requestTrainingStop("second"); // the first reason is kept
    let steps = 0;
    const result = await runTrainingLoop<{ step: number }, { loss: number }>({
      directory,
      steps: 3,
      settings: {},
      checkpointEvery: 1,
      phases: [{ name: "p", step: (step) => Promise.resolve({ step: (steps++, step) }) }],
      checkpoint: {
        parameters: new Map(),
        optimizer: { state: () => new Map(), loadState: () => {} },
        state: () => ({}),
        restore: () => {},
      },
      logRecord: () => ({}),
    });
    assert.equal(steps, 0);
    assert.equal(result.step, 0);
    assert.equal(result.stoppedBy, "test");
    assert.equal(trainingStopRequested(), "test");
  } finally {
    clearTrainingStop();
    await Deno.remove(directory, { recursive: true });
  }
  assert.equal(await whileTraining(() => Promise.resolve(1)), 1);
});
