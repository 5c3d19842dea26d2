import assert from "node:assert/strict";
import { main } from "./ablate.ts";
import { writeTinyModel } from "../tests/_tiny_model.ts";
import { WAVES_DATA_PLUGIN } from "../tests/_waves_data_plugin.ts";
import { TINY_EVALUATION, tinyTraining, writeSuiteFile } from "../tests/_tiny_suite.ts";

Deno.test("ablate without a suite, with an unknown or bad suite, a bad flag or an unknown variant exits 2", async () => {
  const errors: string[] = [];
  const { error } = console;
  console.error = (message: string) => errors.push(message);
  try {
    assert.equal(await main([]), 2);
    assert.match(errors.at(-1)!, /Expected 1 positional argument\(s\) \(suite\), got 0/);
    assert.equal(await main(["no_such_suite"]), 2);
    assert.equal(await main(["../etc"]), 2);
    assert.equal(await main(["table3", "--reevalute"]), 2);
    assert.match(errors.at(-1)!, /Unknown option --reevalute \(did you mean --reevaluate\?\)/);
    assert.equal(await main(["table3", "--samples", "0"]), 2);
    assert.match(errors.at(-1)!, /--samples must be at least 1/);
    // Checked before the data set loads (a misspelt variant used to surface only after it).
    assert.equal(await main(["table3", "--variants", "nope"]), 2);
    assert.match(errors.at(-1)!, /Suite "table3" has no variant "nope"; it has /);
  } finally {
    console.error = error;
  }
});

/** A fusion-operator plug-in: the mean of the two feature maps. */
const FUSION_PLUGIN =
  `export const mean = { name: "mean", description: "(Fw + Fx) / 2", build: (g, fw, fx) => g.scale(g.add(fw, fx), 0.5) };\n`;

/** An experiments folder outside the repository: a tiny base model, a data plug-in and a suite naming both. */
async function experimentsFolder(training: Record<string, unknown> = {}): Promise<string> {
  const folder = await Deno.makeTempDir({ prefix: "ablate_anywhere_" });
  await writeTinyModel(`${folder}/models/tiny`);
  await Deno.mkdir(`${folder}/code`);
  await Deno.writeTextFile(`${folder}/code/waves.js`, WAVES_DATA_PLUGIN);
  await Deno.writeTextFile(`${folder}/code/mean.js`, FUSION_PLUGIN);
  await writeSuiteFile(folder, {
    name: "anywhere",
    description: "ablate --experiments test",
    base: "../models/tiny",
    data: "../code/waves.js#waves",
    training: tinyTraining(training),
    evaluation: TINY_EVALUATION,
    variants: [
      { name: "d4", label: "D=4", changes: { hypernet: { hiddenDim: 4 } } },
      { name: "phase_one", label: "phase I", mode: "phaseOne" },
      { name: "mean", label: "mean fusion", changes: { hypernet: { fusion: "../code/mean.js#mean" } } },
    ],
  });
  return folder;
}

async function quietly<T>(run: () => Promise<T>): Promise<{ result: T; errors: string[] }> {
  const errors: string[] = [];
  const { log, error, warn } = console;
  console.log = () => {};
  console.warn = () => {};
  console.error = (message: string) => errors.push(message);
  try {
    return { result: await run(), errors };
  } finally {
    Object.assign(console, { log, error, warn });
  }
}

async function sha256Hex(text: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}

const REPOSITORY = new URL("..", import.meta.url).pathname.replace(/\/$/, "");

Deno.test("ablate --experiments DIR trains and evaluates a suite of DIR, writing everything under DIR", async () => {
  const folder = await experimentsFolder();
  try {
    const { result, errors } = await quietly(() => main(["anywhere", "--experiments", folder]));
    assert.equal(result, 0, errors.join("\n"));
    const results = `${folder}/results/anywhere`;
    for (const file of ["d4/variant.json", "d4/metrics.json", "d4/model/model.json", "d4/log.jsonl"]) {
      assert.ok((await Deno.stat(`${results}/${file}`)).isFile, file);
    }
    assert.ok((await Deno.stat(`${results}/phase_one/metrics.json`)).isFile);
    assert.ok(
      (await Deno.stat(`${folder}/runs/anywhere/d4/latest.json`)).isFile,
      "checkpoints under DIR/runs",
    );
    for (const path of ["runs/anywhere", "data/results/anywhere"]) {
      await assert.rejects(() => Deno.stat(`${REPOSITORY}/${path}`), Deno.errors.NotFound, path);
    }

    const variant = JSON.parse(await Deno.readTextFile(`${results}/d4/variant.json`));
    assert.equal(variant.base, "../models/tiny");
    assert.equal(variant.data, "../code/waves.js#waves");
    const specifier = `${new URL(`file://${folder}/code/waves.js`).href}#waves`;
    assert.equal(variant.dataSource, specifier);
    const sha256 = await sha256Hex(WAVES_DATA_PLUGIN);
    assert.deepEqual(variant.plugins, [{ field: "data", specifier, sha256 }]);
    assert.match(variant.git.commit, /^[0-9a-f]{40}$/); // this test runs in the project's git checkout
    assert.equal(typeof variant.git.dirty, "boolean");
    assert.equal(variant.training.steps, 2);
    assert.ok(JSON.parse(await Deno.readTextFile(`${results}/phase_one/variant.json`)).plugins.length === 1);
    // A fusion operator of the user's, named relative to the suite: recorded absolute, with its source's hash.
    const mean = JSON.parse(await Deno.readTextFile(`${results}/mean/variant.json`));
    const fusion = `${new URL(`file://${folder}/code/mean.js`).href}#mean`;
    assert.equal(mean.architecture.hypernet.fusion, fusion);
    assert.deepEqual(mean.plugins[1], {
      field: "hypernet.fusion",
      specifier: fusion,
      sha256: await sha256Hex(FUSION_PLUGIN),
    });
    const manifest = JSON.parse(await Deno.readTextFile(`${results}/mean/model/model.json`));
    assert.equal(manifest.plugins[fusion], await sha256Hex(FUSION_PLUGIN));
    assert.ok((await Deno.stat(`${results}/mean/metrics.json`)).isFile);

    // A second run finds everything done; a suite given by its path writes to the same results.
    const again = await quietly(() => main([`${folder}/suites/anywhere.json`, "--experiments", folder]));
    assert.equal(again.result, 0, again.errors.join("\n"));
  } finally {
    await Deno.remove(folder, { recursive: true });
  }
});

Deno.test("ablate refuses a suite with an unknown training key, naming it and the valid keys", async () => {
  const folder = await experimentsFolder({ r1Gama: 10 });
  try {
    const { result, errors } = await quietly(() => main(["anywhere", "--experiments", folder]));
    assert.equal(result, 2);
    assert.match(
      errors.join("\n"),
      /"training" has unknown key "r1Gama" \(did you mean "r1Gamma"\?\); valid keys: /,
    );
    assert.match(errors.join("\n"), /valid keys: .*r1Gamma.*validateEvery/);
    await assert.rejects(
      () => Deno.stat(`${folder}/results`),
      Deno.errors.NotFound,
      "refused before any work",
    );
  } finally {
    await Deno.remove(folder, { recursive: true });
  }
});

/** A fake Slurm client on PATH: sbatch saves each script and answers ids 100, 101…; squeue prints `queue.txt`. */
async function fakeSlurm(folder: string): Promise<{ scripts: () => Promise<string[]>; restore: () => void }> {
  const bin = `${folder}/bin`;
  await Deno.mkdir(bin);
  await Deno.writeTextFile(`${folder}/queue.txt`, "");
  await Deno.writeTextFile(
    `${bin}/sbatch`,
    `#!/bin/bash\nn=$(ls ${folder}/submitted 2>/dev/null | wc -l)\nmkdir -p ${folder}/submitted\n` +
      `cat > ${folder}/submitted/$((100 + n)).sh\necho $((100 + n))\n`,
  );
  await Deno.writeTextFile(`${bin}/squeue`, `#!/bin/bash\ncat ${folder}/queue.txt\n`);
  await Deno.chmod(`${bin}/sbatch`, 0o755);
  await Deno.chmod(`${bin}/squeue`, 0o755);
  const path = Deno.env.get("PATH")!;
  Deno.env.set("PATH", `${bin}:${path}`);
  return {
    scripts: async () => {
      const names = [...Deno.readDirSync(`${folder}/submitted`)].map((e) => e.name).sort();
      return await Promise.all(names.map((name) => Deno.readTextFile(`${folder}/submitted/${name}`)));
    },
    restore: () => Deno.env.set("PATH", path),
  };
}

async function capture(run: () => Promise<number>): Promise<{ code: number; out: string }> {
  const lines: string[] = [];
  const { log, error, warn } = console;
  console.log = console.error = console.warn = (message: string) => lines.push(String(message));
  try {
    return { code: await run(), out: lines.join("\n") };
  } finally {
    Object.assign(console, { log, error, warn });
  }
}

Deno.test("ablate --slurm submits one array task per untrained variant and an evaluation after them; --status reads progress and squeue; resubmitting skips what is queued", async () => {
  const folder = await experimentsFolder();
  const slurm = await fakeSlurm(folder);
  try {
    const first = await capture(() =>
      main([
        "anywhere",
        "--experiments",
        folder,
        "--slurm",
        "--gres",
        "gpu:1",
        "--sbatch-arg=--mem=8G  --qos=x",
      ])
    );
    assert.equal(first.code, 0, first.out);
    assert.match(first.out, /submitted training: job 100, tasks 0=d4 1=mean/);
    assert.match(first.out, /submitted evaluation and tables: job 101/);
    const [training, evaluation] = await slurm.scripts();
    for (
      const line of [
        "#SBATCH --array=0-1",
        "#SBATCH --gres=gpu:1",
        "#SBATCH --mem=8G",
        "#SBATCH --qos=x",
        "VARIANTS=(d4 mean)",
        `#SBATCH --output=${folder}/runs/anywhere/slurm/%A_%a.out`,
      ]
    ) assert.ok(training.split("\n").includes(line), line);
    assert.match(
      training,
      new RegExp(
        `exec \\S+ run -A \\S+/cli/ablate.ts anywhere --experiments ${folder} --device auto --train-only ` +
          `--variants "\\$\\{VARIANTS\\[\\$SLURM_ARRAY_TASK_ID\\]\\}"\n`,
      ),
    );
    assert.ok(evaluation.includes("#SBATCH --dependency=afterany:100\n"));
    assert.ok(evaluation.includes(`--evaluate-only --tables ${folder}/results/anywhere/tables.md\n`));

    await Deno.writeTextFile(
      `${folder}/queue.txt`,
      "100_0|RUNNING|None|node3\n100_1|PENDING|Resources|\n101|PENDING|Dependency|\n",
    );
    const progress = JSON.parse(await Deno.readTextFile(`${folder}/results/anywhere/d4/progress.json`));
    assert.deepEqual([progress.state, progress.jobId, progress.steps], ["queued", "100_0", 2]);
    await Deno.writeTextFile(
      `${folder}/results/anywhere/d4/progress.json`,
      JSON.stringify({ ...progress, state: "running", step: 1 }),
    );
    const status = await capture(() => main(["anywhere", "--experiments", folder, "--status"]));
    assert.equal(status.code, 0, status.out);
    assert.match(status.out, /^d4 +running +step 1\/2 \(node3, job 100_0, /m);
    assert.match(status.out, /^phase_one +queued +PENDING \(Dependency\), job 101, /m);
    assert.match(status.out, /^mean +queued +PENDING \(Resources\), job 100_1, /m);

    // Resubmitted while the tasks are in the queue: nothing trains twice; the evaluation waits for them.
    const again = await capture(() => main(["anywhere", "--experiments", folder, "--slurm"]));
    assert.match(again.out, /d4: not submitted \(running as Slurm job 100_0\)/);
    assert.equal((await slurm.scripts()).length, 3);
    assert.ok((await slurm.scripts())[2].includes("#SBATCH --dependency=afterany:100\n"));

    // The queue empties: a variant still "running" was interrupted; a failure shows its reason.
    await Deno.writeTextFile(`${folder}/queue.txt`, "");
    await Deno.writeTextFile(
      `${folder}/results/anywhere/mean/progress.json`,
      JSON.stringify({ ...progress, state: "failed", error: "Step 1 failed: The loss is NaN" }),
    );
    const after = await capture(() => main(["anywhere", "--experiments", folder, "--status"]));
    assert.match(after.out, /^d4 +interrupted +step 1\/2; job 100_0 left the queue/m);
    assert.match(after.out, /^mean +failed +Step 1 failed: The loss is NaN \(job 100_0, /m);
  } finally {
    slurm.restore();
    await Deno.remove(folder, { recursive: true });
  }
});
