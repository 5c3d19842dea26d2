import assert from "node:assert/strict";
import { writePng } from "../io/image.ts";
import { readWeights } from "../io/weights_file.ts";
import { writeTinyModel } from "../tests/_tiny_model.ts";
import { runCli } from "./_run_cli.ts";

const run = (args: string[]) => runCli(new URL("./invert.ts", import.meta.url), args);

Deno.test("invert on a folder with one corrupt file writes the others, names the corrupt one, exits 1", async () => {
  const dir = await Deno.makeTempDir({ prefix: "invert-" });
  try {
    const model = await writeTinyModel(`${dir}/model`);
    await Deno.mkdir(`${dir}/in`);
    for (const [name, phase] of [["a.png", 0.3], ["c.png", 1.7]] as const) {
      const data = Float32Array.from({ length: 3 * 48 * 48 }, (_, i) => Math.sin(i * 0.01 + phase) * 0.8);
      await writePng(`${dir}/in/${name}`, data, [1, 3, 48, 48]); // 48² is resized to the model's 64²
    }
    await Deno.writeTextFile(`${dir}/in/b.jpg`, "not a jpeg at all");
    await Deno.writeTextFile(`${dir}/in/notes.txt`, "ignored: not an image extension");

    const first = await run([
      `${dir}/in`,
      "--model",
      model,
      "--out",
      `${dir}/out`,
      "--batch",
      "2",
      "--device",
      "cpu",
    ]);
    assert.equal(first.code, 1, first.stdout + first.stderr);
    assert.match(first.stdout, /inverted 2\/3 image\(s\)/);
    assert.match(first.stdout, /on cpu, \d+ ms\/image/);
    assert.match(first.stdout, /failed: .*b\.jpg: .*not a readable image/);
    const outputs = [...Deno.readDirSync(`${dir}/out`)].map((e) => e.name).sort();
    assert.deepEqual(outputs, [
      "a.final.png",
      "a.phase1.png",
      "a.safetensors",
      "c.final.png",
      "c.phase1.png",
      "c.safetensors",
    ]);
    const { weights } = await readWeights(`${dir}/out/a.safetensors`);
    assert.deepEqual(weights.get("w")!.shape, [10, 512]);
    assert.deepEqual(weights.get("dW.b64.conv0.weight")!.shape, [16, 32, 3, 3]);
    assert.equal([...weights.keys()].filter((k) => k.startsWith("dW.")).length, 14);

    const before = await Deno.readFile(`${dir}/out/a.final.png`);
    const again = await run([`${dir}/in`, "--model", model, "--out", `${dir}/out`]);
    assert.equal(again.code, 2);
    assert.match(again.stderr, /6 output file\(s\) exist; pass --force/);
    assert.deepEqual(await Deno.readFile(`${dir}/out/a.final.png`), before);

    const forced = await run([
      `${dir}/in/a.png`,
      "--model",
      model,
      "--out",
      `${dir}/out`,
      "--force",
      "--device",
      "cpu",
    ]);
    assert.equal(forced.code, 0, forced.stderr);
    assert.deepEqual(await Deno.readFile(`${dir}/out/a.final.png`), before, "same input, same output");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("invert rejects bad arguments and a broken model with exit status 2 and a message", async () => {
  const dir = await Deno.makeTempDir({ prefix: "invert-args-" });
  try {
    const noModel = await run([dir, "--out", `${dir}/out`]);
    assert.equal(noModel.code, 2);
    assert.match(noModel.stderr, /--model <model\.json> is required/);
    const badBatch = await run([dir, "--model", "m.json", "--out", `${dir}/out`, "--batch", "0"]);
    assert.match(badBatch.stderr, /--batch must be an integer in 1\.\.64, got 0/);
    await writePng(`${dir}/x.png`, new Float32Array(3 * 64 * 64), [1, 3, 64, 64]);
    await Deno.writeTextFile(
      `${dir}/model.json`,
      JSON.stringify({ format: "hyperinverter-deno/model", version: 1 }),
    );
    const broken = await run([`${dir}/x.png`, "--model", `${dir}/model.json`, "--out", `${dir}/out`]);
    assert.equal(broken.code, 2);
    assert.match(broken.stderr, /cannot load model .*"name" must be a non-empty string/s);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
