import assert from "node:assert/strict";
import { batchScript, raw } from "./batch_script.ts";
import { isJobActive, parseQueue } from "./queue.ts";

Deno.test("a batch script carries the directives, runs in its folder and execs the quoted command", () => {
  const text = batchScript({
    jobName: "ablate-s",
    output: "/runs/s/slurm/%A_%a.out",
    workdir: "/my repo",
    array: "0-2",
    dependency: "afterany:41",
    resources: { partition: "gpu", gres: "gpu:1", time: "1-00:00:00", extra: ["--mem=32G"] },
    setup: ["VARIANTS=(a b c)"],
    command: [
      "deno",
      "run",
      "-A",
      "cli/ablate.ts",
      "it's",
      "--variants",
      raw('"${VARIANTS[$SLURM_ARRAY_TASK_ID]}"'),
    ],
  });
  assert.deepEqual(text.split("\n"), [
    "#!/bin/bash",
    "#SBATCH --job-name=ablate-s",
    "#SBATCH --output=/runs/s/slurm/%A_%a.out",
    "#SBATCH --open-mode=append",
    "#SBATCH --requeue",
    "#SBATCH --array=0-2",
    "#SBATCH --dependency=afterany:41",
    "#SBATCH --partition=gpu",
    "#SBATCH --gres=gpu:1",
    "#SBATCH --time=1-00:00:00",
    "#SBATCH --mem=32G",
    "set -euo pipefail",
    "cd '/my repo'",
    "VARIANTS=(a b c)",
    `exec deno run -A cli/ablate.ts 'it'\\''s' --variants "\${VARIANTS[$SLURM_ARRAY_TASK_ID]}"`,
    "",
  ]);
  assert.throws(
    () => batchScript({ jobName: "x\ny", output: "o", workdir: "/", command: [] }),
    RangeError,
  );
});

Deno.test("squeue's lines are read per task; a pending array range covers its tasks", async () => {
  const queue = parseQueue("41_0|RUNNING|None|n1\n41_[1-3,5%2]|PENDING|Resources|\n42|PENDING|Dependency|\n");
  assert.equal(queue.get("42")!.reason, "Dependency");
  assert.equal(await isJobActive("41_0", queue), true);
  assert.equal(await isJobActive("41_2", queue), true);
  assert.equal(await isJobActive("41_5", queue), true);
  assert.equal(await isJobActive("41_4", queue), false);
  assert.equal(await isJobActive("43", queue), false);
  assert.equal(await isJobActive("43", null), null);
});
