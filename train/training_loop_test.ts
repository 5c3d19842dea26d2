import assert from "node:assert/strict";
import { Adam, type TrainableParameter } from "./optimizers.ts";
import { loadBestCheckpoint } from "./checkpoint.ts";
import { readRunLog } from "./run_log.ts";
import { runTrainingLoop, type TrainingLoopSpec } from "./training_loop.ts";

type Losses = { step: number; loss: number; phase: string };

/**
 * A toy run: one parameter fitted by Adam to a target that changes with the step, and a "sampler" (a counter in
 * the checkpoint state) that a resume must restore for the losses to continue exactly.
 */
function toyRun(
  directory: string,
  overrides: Partial<TrainingLoopSpec<Losses, { loss: number }>> & {
    validationLosses?: Record<number, number>;
    failAt?: number;
    /** Two phases, "plain" up to this step and "late" after it. */
    switchAfter?: number;
  } = {},
) {
  const w: TrainableParameter = { data: new Float32Array([0.5, -0.25]), shape: [2] };
  const parameters = new Map([["w", w]]);
  const optimizer = new Adam({ lr: 0.05 });
  let drawn = 0; // sampler position
  const saves: number[] = [];
  const step = (phase: string) => (step: number): Promise<Losses> => {
    if (step === overrides.failAt) {
      return Promise.reject(new RangeError("The loss is NaN; no parameter was updated"));
    }
    drawn++;
    const target = Math.sin(drawn * 0.9);
    let loss = 0;
    const grad = new Float32Array(2);
    for (let i = 0; i < 2; i++) {
      loss += (w.data[i] - target) ** 2;
      grad[i] = 2 * (w.data[i] - target);
    }
    optimizer.step(parameters, new Map([["w", grad]]));
    return Promise.resolve({ step, loss, phase });
  };
  const { validationLosses, failAt: _, switchAfter, ...spec } = overrides;
  const validation = validationLosses
    ? { every: 2, run: (step: number) => Promise.resolve({ loss: validationLosses[step] ?? 1 }) }
    : undefined;
  const run = runTrainingLoop<Losses, { loss: number }>({
    directory,
    steps: 7,
    settings: { lr: 0.05 },
    phases: switchAfter === undefined
      ? [{ name: "only", step: step("only") }]
      : [{ name: "plain", until: switchAfter, step: step("plain") }, { name: "late", step: step("late") }],
    checkpointEvery: 2,
    validation,
    checkpoint: {
      parameters,
      optimizer,
      state: () => {
        saves.push(drawn);
        return { drawn };
      },
      restore: (loaded) => {
        drawn = (loaded.state as { drawn: number }).drawn;
      },
    },
    logRecord: (losses, validation) => ({
      loss: losses.loss,
      ...(validation ? { validation: validation.loss } : {}),
    }),
    onWarning: () => {},
    ...spec,
  });
  return { run, w, saves };
}

async function withTempDirs(count: number, body: (...directories: string[]) => Promise<void>): Promise<void> {
  const directories = await Promise.all(
    Array.from({ length: count }, () => Deno.makeTempDir({ prefix: "loop-" })),
  );
  try {
    await body(...directories);
  } finally {
    for (const directory of directories) await Deno.remove(directory, { recursive: true });
  }
}

Deno.test("training loop: a killed run resumes at its last checkpoint and continues with the same results", async () => {
  await withTempDirs(2, async (whole, split) => {
    const uninterrupted = toyRun(whole);
    const all = await uninterrupted.run;
    assert.equal(all.step, 7);
    assert.equal(all.resumedFrom, null);

    // Killed after 5 steps: the last checkpoint is step 4, so step 5 is redone.
    const first = await toyRun(split, { stopAfter: 5 }).run;
    assert.equal(first.step, 5);
    const starts: number[] = [];
    const second = toyRun(split, { onStart: (step) => starts.push(step) });
    const resumed = await second.run;
    assert.deepEqual(starts, [4]);
    assert.equal(resumed.resumedFrom?.step, 4);
    assert.deepEqual(resumed.losses.map((l) => l.step), [5, 6, 7]);
    assert.deepEqual(resumed.losses, all.losses.slice(4), "bit-identical losses");
    assert.deepEqual(second.w.data, uninterrupted.w.data, "bit-identical parameters");
    const log = await readRunLog(`${split}/log.jsonl`);
    assert.deepEqual(log.records.map((r) => r.step), [1, 2, 3, 4, 5, 6, 7], "the log has each step once");
  });
});

Deno.test("training loop: the best checkpoint is the best validation, and the tracker restarts in a later phase", async () => {
  await withTempDirs(2, async (single, phased) => {
    const validationLosses = { 2: 0.5, 4: 0.3, 6: 0.4, 7: 0.35 };
    const result = await toyRun(single, { validationLosses }).run;
    assert.deepEqual(result.validations.map((v) => [v.step, v.loss, v.best]), [
      [2, 0.5, true],
      [4, 0.3, true],
      [6, 0.4, false],
      [7, 0.35, false],
    ]);
    assert.deepEqual(result.best, { loss: 0.3, step: 4 });
    assert.equal((await loadBestCheckpoint(single))?.step, 4);

    // Two phases: step 4 is in the second one, so its worse loss still becomes the best.
    const again = await toyRun(phased, { validationLosses: { 2: 0.1, 4: 0.5, 6: 0.6 }, switchAfter: 3 }).run;
    assert.deepEqual(again.losses.map((l) => l.phase), [
      "plain",
      "plain",
      "plain",
      "late",
      "late",
      "late",
      "late",
    ]);
    assert.deepEqual(again.validations.map((v) => v.best), [true, true, false, false]);
    assert.deepEqual(again.best, { loss: 0.5, step: 4 });
    assert.equal((await loadBestCheckpoint(phased))?.step, 4);
  });
});

Deno.test("training loop: a failed step names the step, and after a resume the checkpoint", async () => {
  await withTempDirs(1, async (directory) => {
    await assert.rejects(
      () => toyRun(directory, { failAt: 3 }).run,
      (error: Error) => {
        assert.ok(error instanceof RangeError);
        assert.equal(error.message, "Step 3 failed: The loss is NaN; no parameter was updated");
        return true;
      },
    );
    await assert.rejects(
      () => toyRun(directory, { failAt: 4 }).run,
      /^RangeError: Step 4 failed: The loss is NaN.*\(resumed from .*checkpoint-2\.safetensors at step 2;/,
    );
  });
});

Deno.test("training loop: checkpoint and validation intervals are honoured", async () => {
  await withTempDirs(3, async (plain, everyValidation, bestOnly) => {
    // No validation: checkpoints every 3 steps and at the last step.
    const a = toyRun(plain, { checkpointEvery: 3 });
    await a.run;
    assert.deepEqual(a.saves, [3, 6, 7]);

    // Validation every 2 (and at the last step), each one checkpointed.
    const validationLosses: Record<number, number> = { 2: 0.5, 4: 0.6, 6: 0.4, 7: 0.45 };
    const b = toyRun(everyValidation, {
      checkpointEvery: 3,
      validationLosses,
      validation: {
        every: 2,
        run: (step) => Promise.resolve({ loss: validationLosses[step] }),
        checkpoint: "every",
      },
    });
    const bResult = await b.run;
    assert.deepEqual(bResult.validations.map((v) => v.step), [2, 4, 6, 7]);
    assert.deepEqual(b.saves, [2, 3, 4, 6, 7]);

    // Only a best validation is checkpointed (step 4 is worse than step 2).
    const c = toyRun(bestOnly, { checkpointEvery: 3, validationLosses });
    await c.run;
    assert.deepEqual(c.saves, [2, 3, 6, 7]);
    const log = await readRunLog(`${bestOnly}/log.jsonl`);
    assert.deepEqual(log.records.filter((r) => r.losses?.validation !== undefined).map((r) => r.step), [
      2,
      4,
      6,
      7,
    ]);

    await assert.rejects(() => toyRun(plain, { checkpointEvery: 0 }).run, RangeError);
    await assert.rejects(() => toyRun(plain, { phases: [] }).run, /at least one phase/);
  });
});
