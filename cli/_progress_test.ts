import assert from "node:assert/strict";
import { ProgressBar, TrainingProgress } from "./_progress.ts";

Deno.test("off a terminal, the bar prints the first item, then one line per interval, and the last", () => {
  const lines: string[] = [];
  let clock = 0;
  const bar = new ProgressBar(100, "train", {
    interactive: false,
    intervalSeconds: 10,
    write: (text) => lines.push(text),
    now: () => clock,
  });
  for (let step = 1; step <= 100; step++) {
    clock += 1000; // one second per step
    bar.tick(`step ${step}`);
  }
  bar.finish();
  const steps = lines.map((line) => Number(/ (\d+)\/100 /.exec(line)![1]));
  assert.deepEqual(steps, [1, 11, 21, 31, 41, 51, 61, 71, 81, 91, 100]);
  assert.ok(lines.every((line) => line.endsWith("\n")));
});

Deno.test("a run stopped before the end prints its last item on finish, once", () => {
  const lines: string[] = [];
  let clock = 0;
  const bar = new ProgressBar(100, "x", {
    interactive: false,
    write: (t) => lines.push(t),
    now: () => clock,
  });
  for (let i = 0; i < 5; i++) clock += 100, bar.tick();
  bar.finish();
  bar.finish();
  assert.deepEqual(lines.map((line) => / (\d+)\/100 /.exec(line)![1]), ["1", "5"]);
});

Deno.test("a resumed run counts from its start: step 46 of 60 shows 46/60, and the eta uses this run's speed", () => {
  const lines: string[] = [];
  let clock = 0;
  const bar = new ProgressBar(60, "train G", {
    start: 45,
    interactive: false,
    write: (t) => lines.push(t),
    now: () => clock,
  });
  clock = 2000;
  bar.tick("step 46");
  assert.match(lines[0], / 46\/60 2\.0s eta 28\.0s step 46\n$/);
});

Deno.test("a bar made at the first item counts that item's time from startedAt", () => {
  const lines: string[] = [];
  const bar = new ProgressBar(4, "x", {
    start: 2,
    startedAt: 1000,
    interactive: false,
    write: (t) => lines.push(t),
    now: () => 3000,
  });
  bar.tick();
  assert.match(lines[0], / 3\/4 2\.0s eta 2\.0s /);
});

Deno.test("on a terminal, the bar is redrawn in place on every tick", () => {
  const written: string[] = [];
  const bar = new ProgressBar(3, "x", { interactive: true, write: (t) => written.push(t), now: () => 0 });
  bar.tick(), bar.tick(), bar.tick(), bar.finish();
  assert.equal(written.length, 4);
  assert.ok(written.slice(0, 3).every((t) => t.startsWith("\r\x1b[2K")));
  assert.equal(written[3], "\n");
});

Deno.test("a training run's progress: a resumed run counts from its step and says so; notes are lines of their own", () => {
  const bar: string[] = [];
  const log: string[] = [];
  const progress = new TrainingProgress(60, "train E1", {
    interactive: false,
    write: (text) => bar.push(text),
    log: (line) => log.push(line),
  });
  progress.onStart(45);
  progress.step((perStep) => `step 46 loss 0.5000 ${perStep}`);
  progress.note("step 46: validation loss 0.4000 (best)");
  progress.finish();
  assert.deepEqual(log, ["resuming from step 45", "\nstep 46: validation loss 0.4000 (best)"]);
  assert.equal(bar.length, 1);
  assert.match(bar[0], /^train E1 \S+ 46\/60 .*step 46 loss 0\.5000 \d+ ms\/step\n$/);

  const fresh: string[] = [];
  const quiet = new TrainingProgress(2, "train G", {
    interactive: false,
    write: (t) => fresh.push(t),
    log: () => {},
  });
  quiet.onStart(0);
  quiet.step(() => "one");
  quiet.step(() => "two");
  assert.deepEqual(fresh.map((line) => line.match(/\d+\/2 /)![0]), ["1/2 ", "2/2 "]);
});
