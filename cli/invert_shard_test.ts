import assert from "node:assert/strict";
import { writePng } from "../io/image.ts";
import { writeTinyModel } from "../tests/_tiny_model.ts";
import { parseShard, shardOf } from "./invert.ts";
import { UsageError } from "../io/command_line.ts";

/** `deno run -A cli/invert.ts …args` with extra environment variables. */
async function run(args: string[], env: Record<string, string> = {}) {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", new URL("./invert.ts", import.meta.url).pathname, ...args],
    env: { NO_COLOR: "1", ...env },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
  return { code: output.code, stdout: decode(output.stdout), stderr: decode(output.stderr) };
}

Deno.test("--shard i/n splits sorted names into contiguous parts covering each name once", () => {
  const names = ["a", "b", "c", "d", "e", "f", "g"];
  for (const count of [1, 2, 3, 7, 9]) {
    const parts = Array.from({ length: count }, (_, i) => shardOf(names, i + 1, count));
    assert.deepEqual(parts.flat(), names, `${count} shards`);
    const sizes = parts.map((p) => p.length);
    assert.ok(Math.max(...sizes) - Math.min(...sizes) <= 1);
  }
  assert.deepEqual(parseShard("3/3"), { index: 3, count: 3 });
  for (const bad of ["0/3", "4/3", "1/0", "a/b", "1", "-1/2"]) {
    assert.throws(() => parseShard(bad), UsageError, bad);
  }
});

Deno.test("three shards run at once write into one folder without clobbering, equal to one unsharded run; --skip-done resumes", async () => {
  const dir = await Deno.makeTempDir({ prefix: "invert-shard-" });
  try {
    const model = await writeTinyModel(`${dir}/model`);
    await Deno.mkdir(`${dir}/in`);
    const names = ["e", "a", "d", "b", "c"];
    for (const [i, name] of names.entries()) {
      const data = Float32Array.from({ length: 3 * 64 * 64 }, (_, k) => Math.sin(k * 0.01 + i) * 0.8);
      await writePng(`${dir}/in/${name}.png`, data, [1, 3, 64, 64]);
    }
    const common = ["--model", model, "--device", "cpu"];
    const shards = await Promise.all(
      [1, 2, 3].map((i) => run([`${dir}/in`, ...common, "--out", `${dir}/sharded`, "--shard", `${i}/3`])),
    );
    shards.forEach((r, i) => assert.equal(r.code, 0, `shard ${i + 1}: ${r.stdout}${r.stderr}`));
    assert.match(shards[0].stdout, /inverted 1\/1 image\(s\) of shard 1\/3/);
    assert.match(shards[2].stdout, /inverted 2\/2 image\(s\) of shard 3\/3/);
    const whole = await run([`${dir}/in`, ...common, "--out", `${dir}/whole`]);
    assert.equal(whole.code, 0, whole.stderr);
    const list = (folder: string) => [...Deno.readDirSync(folder)].map((e) => e.name).sort();
    assert.deepEqual(list(`${dir}/sharded`), list(`${dir}/whole`));
    assert.equal(list(`${dir}/sharded`).length, 15);
    for (const name of list(`${dir}/whole`).filter((n) => n.endsWith(".png"))) {
      assert.deepEqual(
        await Deno.readFile(`${dir}/sharded/${name}`),
        await Deno.readFile(`${dir}/whole/${name}`),
        name,
      );
    }

    // A rerun of shard 2 (b, c) refuses to overwrite; with --skip-done it inverts only the image left unfinished.
    assert.equal((await run([`${dir}/in`, ...common, "--out", `${dir}/sharded`, "--shard", "2/3"])).code, 2);
    await Deno.remove(`${dir}/sharded/c.safetensors`);
    const resumed = await run([
      `${dir}/in`,
      ...common,
      "--out",
      `${dir}/sharded`,
      "--shard",
      "2/3",
      "--skip-done",
    ]);
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.match(resumed.stdout, /inverted 1\/1 image\(s\) of shard 2\/3 \(1 already done\)/);
    const empty = await run([`${dir}/in`, ...common, "--out", `${dir}/sharded`, "--shard", "7/9"]);
    assert.equal(empty.code, 0);
    assert.match(empty.stdout, /shard 7\/9 of 5 image\(s\) is empty/);

    // --slurm submits the shards as one array job (a fake sbatch records the script).
    await Deno.mkdir(`${dir}/bin`);
    await Deno.writeTextFile(`${dir}/bin/sbatch`, `#!/bin/bash\ncat > ${dir}/submitted.sh\necho 77\n`);
    await Deno.chmod(`${dir}/bin/sbatch`, 0o755);
    const env = { PATH: `${dir}/bin:${Deno.env.get("PATH")}` };
    const submitted = await run(
      [`${dir}/in`, ...common, "--out", `${dir}/slurm_out`, "--slurm", "--shards", "3", "--gres", "gpu:1"],
      env,
    );
    assert.equal(submitted.code, 0, submitted.stderr);
    assert.match(submitted.stdout, /submitted 3 shard\(s\) as Slurm array job 77/);
    const script = await Deno.readTextFile(`${dir}/submitted.sh`);
    assert.ok(script.includes("#SBATCH --array=1-3\n") && script.includes("#SBATCH --gres=gpu:1\n"));
    assert.match(
      script,
      /--out \S+\/slurm_out --batch 1 --device cpu --precision float32 --skip-done --shard "\$SLURM_ARRAY_TASK_ID\/3"\n/,
    );
    assert.equal(
      (await run([`${dir}/in`, ...common, "--out", `${dir}/x`, "--slurm"], env)).code,
      2,
      "no --shards",
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
