/**
 * `ablate --slurm` on a real single-node Slurm cluster (tests/_slurm_cluster.ts): a 3-variant suite submitted as
 * an array job, one task cancelled mid-training with scancel and resubmitted, and every result compared with a
 * local run of the same suite with the same seeds: the trained weights byte for byte, each logged loss, and the
 * metrics that do not measure time. Skipped, with the reason, where Slurm cannot be started (missing packages,
 * not root) unless `HYPERINVERTER_REQUIRE_SLURM=1` (CI), which turns that into a failure.
 *
 * @module
 */

import assert from "node:assert/strict";
import { slurmUnavailableReason, startSlurmCluster } from "./_slurm_cluster.ts";
import { writeTinyModel } from "./_tiny_model.ts";
import { WAVES_DATA_PLUGIN } from "./_waves_data_plugin.ts";
import { TINY_EVALUATION, tinyTraining, writeSuiteFile } from "./_tiny_suite.ts";

const ABLATE = new URL("../cli/ablate.ts", import.meta.url).pathname;
const VARIANTS = ["d4", "d8", "d2"];
const STEPS = 6;

const unavailable = slurmUnavailableReason();
const required = Deno.env.get("HYPERINVERTER_REQUIRE_SLURM") === "1";
if (unavailable && !required) {
  console.warn(
    `tests/slurm_test.ts skipped: ${unavailable} (HYPERINVERTER_REQUIRE_SLURM=1 makes this a failure)`,
  );
}

/** An experiments folder: a tiny base model, the waves data plug-in, a suite of three variants. */
async function experimentsFolder(folder: string): Promise<void> {
  await writeTinyModel(`${folder}/models/tiny`);
  await Deno.writeTextFile(`${folder}/waves.js`, WAVES_DATA_PLUGIN);
  await writeSuiteFile(folder, {
    name: "trio",
    description: "ablate --slurm test",
    base: "../models/tiny",
    data: "../waves.js#waves",
    training: tinyTraining({ steps: STEPS, checkpointEvery: 2, validateEvery: 3, seed: 11 }),
    evaluation: TINY_EVALUATION,
    variants: VARIANTS.map((name) => ({
      name,
      label: name,
      changes: { hypernet: { hiddenDim: Number(name.slice(1)) } },
    })),
  });
}

async function ablate(args: string[], env: Record<string, string> = {}): Promise<string> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", ABLATE, "trio", ...args],
    env: { NO_COLOR: "1", ...env },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(output.stdout) + new TextDecoder().decode(output.stderr);
  if (!output.success) throw new Error(`ablate ${args.join(" ")} exited ${output.code}:\n${text}`);
  return text;
}

const readJson = async (path: string) => JSON.parse(await Deno.readTextFile(path));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** What a variant's result must share with the local run's: weights, losses, time-free metrics. */
async function result(root: string, variant: string) {
  const directory = `${root}/results/trio/${variant}`;
  const model = await readJson(`${directory}/model/model.json`);
  const weights: Record<string, Uint8Array> = {};
  for (const file of Object.values(model.weights as Record<string, string>)) {
    if (!file.startsWith("/")) weights[file] = await Deno.readFile(`${directory}/model/${file}`);
  }
  const log = (await Deno.readTextFile(`${directory}/log.jsonl`)).trim().split("\n")
    .map((line) => {
      const { time: _, ...record } = JSON.parse(line);
      return record;
    });
  const { l2, psnr, msSsim, featureIdentity, parameters, steps, images } = await readJson(
    `${directory}/metrics.json`,
  );
  return { weights, log, metrics: { l2, psnr, msSsim, featureIdentity, parameters, steps, images } };
}

Deno.test({
  name:
    "ablate --slurm on a single-node cluster: a cancelled task resubmitted, every result equal to a local run",
  ignore: unavailable !== null && !required,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    if (unavailable) throw new Error(`HYPERINVERTER_REQUIRE_SLURM=1 but ${unavailable}`);
    const local = await Deno.makeTempDir({ prefix: "slurm_local_" });
    const shared = await Deno.makeTempDir({ prefix: "slurm_shared_" });
    const cluster = await startSlurmCluster();
    try {
      await experimentsFolder(local);
      await experimentsFolder(shared);
      const env = cluster.env;
      const localRun = ablate(["--experiments", local, "--device", "cpu"]);

      const submitted = await ablate(["--experiments", shared, "--device", "cpu", "--slurm"], env);
      const arrayJob = submitted.match(/submitted training: job (\d+), tasks 0=d4 1=d8 2=d2/)?.[1];
      assert.ok(arrayJob, submitted);

      // Cancel task 0 (d4) once it has started training.
      const progressOf = (variant: string) =>
        readJson(`${shared}/results/trio/${variant}/progress.json`).catch(() => null);
      for (let waited = 0;; waited += 200) {
        const progress = await progressOf("d4");
        if (progress?.state === "running" && progress.step >= 1) break;
        assert.ok(waited < 120_000, `d4 never started: ${JSON.stringify(progress)}\n${await cluster.logs()}`);
        await sleep(200);
      }
      await cluster.run("scancel", [`${arrayJob}_0`]);
      const waitForEmptyQueue = async () => {
        for (let waited = 0;; waited += 500) {
          if (!(await cluster.run("squeue", ["-h", "-r", "-o", "%i"])).trim()) return;
          assert.ok(waited < 240_000, `the queue does not empty\n${await cluster.logs()}`);
          await sleep(500);
        }
      };
      await waitForEmptyQueue();
      const cancelled = await progressOf("d4");
      assert.equal(cancelled.state, "failed", JSON.stringify(cancelled));
      assert.match(cancelled.error, new RegExp(`^Interrupted by SIGTERM at step \\d/${STEPS}; resumes`));
      const status = await ablate(["--experiments", shared, "--status"], env);
      assert.match(status, /^d4 +failed +Interrupted by SIGTERM at step \d\/6; /m);
      assert.match(status, /^d8 +done +L2 /m);
      assert.match(status, /^d2 +done +L2 /m);

      // Resubmitted: only d4 is trained again, resuming from its checkpoint; then it is evaluated.
      const again = await ablate(["--experiments", shared, "--device", "cpu", "--slurm"], env);
      assert.match(again, /submitted training: job \d+, tasks 0=d4\n/);
      assert.match(again, /d8: not submitted \(trained\)/);
      await waitForEmptyQueue();
      const log = await Deno.readTextFile(`${shared}/results/trio/d4/log.jsonl`);
      assert.deepEqual(log.trim().split("\n").map((line) => JSON.parse(line).step), [1, 2, 3, 4, 5, 6]);
      assert.match(await Deno.readTextFile(`${shared}/results/trio/tables.md`), /\| d4 \|/);
      assert.match(await ablate(["--experiments", shared, "--status"], env), /^d4 +done +L2 /m);

      await localRun;
      for (const variant of VARIANTS) {
        assert.deepEqual(await result(shared, variant), await result(local, variant), variant);
      }
    } finally {
      await cluster.stop();
      await Deno.remove(local, { recursive: true });
      await Deno.remove(shared, { recursive: true });
    }
  },
});
