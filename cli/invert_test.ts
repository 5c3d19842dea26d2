import assert from "node:assert/strict";
import { writePng } from "../io/image.ts";
import { readWeights } from "../io/weights_file.ts";
import { writeTinyModel } from "../tests/_tiny_model.ts";
import { runCli } from "./_run_cli.ts";
import { invertFiles } from "./invert.ts";
import type { HyperInverter } from "../model/hyperinverter.ts";
import { NonFiniteOutputError } from "../model/output_checks.ts";
import { loadSharp } from "../deps.ts";
import { providerUnavailableReason } from "../runtime/provider_probe.ts";

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
    // Compact by default: w and one code v [passes, D] per regressor, the model's identity, no ΔW.
    const { weights, metadata } = await readWeights(`${dir}/out/a.safetensors`);
    assert.deepEqual(weights.get("w")!.shape, [10, 512]);
    assert.deepEqual(weights.get("v.b64_conv0_weight")!.shape, [1, 8]);
    assert.equal([...weights.keys()].filter((k) => k.startsWith("v.")).length, 14);
    assert.equal([...weights.keys()].filter((k) => k.startsWith("dW.")).length, 0);
    assert.equal(metadata.format, "hyperinverter-deno/inversion");
    assert.match(metadata.model, /^[0-9a-f]{64}$/);
    assert.ok((await Deno.stat(`${dir}/out/a.safetensors`)).size < 30_000);
    // --save-delta-weights adds every ΔW.
    const full = await run([
      `${dir}/in/a.png`,
      "--model",
      model,
      "--out",
      `${dir}/full`,
      "--save-delta-weights",
      "--device",
      "cpu",
    ]);
    assert.equal(full.code, 0, full.stdout + full.stderr);
    const withDelta = (await readWeights(`${dir}/full/a.safetensors`)).weights;
    assert.deepEqual(withDelta.get("dW.b64.conv0.weight")!.shape, [16, 32, 3, 3]);
    assert.equal([...withDelta.keys()].filter((k) => k.startsWith("dW.")).length, 14);
    assert.deepEqual(withDelta.get("v.b64_conv0_weight")!.data, weights.get("v.b64_conv0_weight")!.data);

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

Deno.test("invert gives two inputs that share a stem two result sets, and counts only what it wrote", async () => {
  const dir = await Deno.makeTempDir({ prefix: "invert-stems-" });
  try {
    const model = await writeTinyModel(`${dir}/model`);
    await Deno.mkdir(`${dir}/in`);
    const sharp = await loadSharp();
    const pattern = (phase: number) =>
      Float32Array.from({ length: 3 * 64 * 64 }, (_, i) => Math.sin(i * 0.02 + phase) * 0.8);
    await writePng(`${dir}/in/x.png`, pattern(0), [1, 3, 64, 64]);
    await writePng(`${dir}/jpg-source.png`, pattern(2), [1, 3, 64, 64]);
    await sharp(`${dir}/jpg-source.png`).jpeg().toFile(`${dir}/in/x.jpg`);
    const result = await run([`${dir}/in`, "--model", model, "--out", `${dir}/out`, "--device", "cpu"]);
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.match(result.stdout, /inverted 2\/2 image\(s\)/);
    const names = [...Deno.readDirSync(`${dir}/out`)].map((e) => e.name).sort();
    assert.deepEqual(names, [
      "x.jpg.final.png",
      "x.jpg.phase1.png",
      "x.jpg.safetensors",
      "x.png.final.png",
      "x.png.phase1.png",
      "x.png.safetensors",
    ]);
    assert.notDeepEqual(
      await Deno.readFile(`${dir}/out/x.jpg.final.png`),
      await Deno.readFile(`${dir}/out/x.png.final.png`),
    );
    const { metadata } = await readWeights(`${dir}/out/x.jpg.safetensors`);
    assert.match(String(metadata?.source), /x\.jpg$/);
    // --out equal to the input folder: the outputs sit beside the inputs and replace none of them.
    const before = await Deno.readFile(`${dir}/in/x.png`);
    const beside = await run([`${dir}/in/x.png`, "--model", model, "--out", `${dir}/in`, "--device", "cpu"]);
    assert.equal(beside.code, 0, beside.stdout + beside.stderr);
    assert.deepEqual(await Deno.readFile(`${dir}/in/x.png`), before);
    assert.ok((await Deno.stat(`${dir}/in/x.final.png`)).isFile);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("invert checks its command line, device and outputs before loading the model: exit 2, no stack trace", async () => {
  const dir = await Deno.makeTempDir({ prefix: "invert-args-" });
  try {
    await writePng(`${dir}/x.png`, new Float32Array(3 * 64 * 64), [1, 3, 64, 64]);
    await Deno.writeTextFile(`${dir}/file`, "");
    const help = await run(["--help", "--out", `${dir}/help-out`]);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /usage: deno task invert/);
    assert.equal(await Deno.stat(`${dir}/help-out`).catch(() => null), null, "--help does nothing else");
    // The model path does not exist: had the model been loaded first, the message would be about it.
    const missing = `${dir}/no-model.json`;
    const cases: [string[], RegExp][] = [
      [[dir, "--out", `${dir}/out`], /--model is required/],
      [[dir, "--model", missing, "--out", `${dir}/out`, "--batch", "0"], /--batch must be at least 1, got 0/],
      [[dir, "--model", missing, "--out", `${dir}/out`, "--batch", "2.5"], /--batch must be an integer/],
      [[dir, "--model", missing, "--out", `${dir}/out`, "--batchh", "2"], /Unknown option --batchh/],
      [[dir, "--model", missing, "--out", `${dir}/out`, "--device", "foo"], /--device must be one of/],
      [[dir, "--model", missing, "--out", `${dir}/file/out`], /output folder .*file\/out/],
      [[`${dir}/nothing-here`, "--model", missing, "--out", `${dir}/out`], /does not exist/],
    ];
    if (providerUnavailableReason("cuda")) {
      cases.push([[dir, "--model", missing, "--out", `${dir}/out`, "--device", "cuda"], /--device cuda/]);
    }
    for (const [args, message] of cases) {
      const result = await run(args);
      assert.equal(result.code, 2, `${args.join(" ")}: ${result.stderr}`);
      assert.match(result.stderr, message);
      assert.doesNotMatch(result.stderr, /no-model|^\s+at /m, `${args.join(" ")}: checked before the model`);
    }
    await Deno.writeTextFile(
      `${dir}/model.json`,
      JSON.stringify({ format: "hyperinverter-deno/model", version: 1 }),
    );
    const broken = await run([`${dir}/x.png`, "--model", `${dir}/model.json`, "--out", `${dir}/out`]);
    assert.equal(broken.code, 2);
    assert.match(broken.stderr, /Cannot load model .*"name" must be a non-empty string/s);
    assert.doesNotMatch(broken.stderr, /^\s+at /m);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a batch with a non-finite output is inverted again one by one: only the input at fault fails", async () => {
  const dir = await Deno.makeTempDir({ prefix: "invert-nan-" });
  try {
    const size = 8;
    const files: string[] = [];
    for (const [name, value] of [["dark", -0.5], ["bright", 1], ["grey", 0]] as const) {
      await writePng(`${dir}/${name}.png`, new Float32Array(3 * size * size).fill(value), [1, 3, size, size]);
      files.push(`${dir}/${name}.png`);
    }
    const calls: number[] = [];
    // A stand-in model whose outputs are NaN for the white image: the batch fails, the retry isolates it.
    const model = {
      resolution: size,
      invert(images: Float32Array, count: number) {
        calls.push(count);
        const perImage = 3 * size * size;
        for (let i = 0; i < count; i++) {
          if (images[i * perImage] > 0.99) {
            return Promise.reject(new NonFiniteOutputError("final images", i, NaN, ""));
          }
        }
        const image = { data: images.slice(), shape: [count, 3, size, size] };
        return Promise.resolve({
          finalImages: image,
          phaseOneImages: image,
          wCodes: { data: new Float32Array(count * 2 * 4), shape: [count, 2, 4] },
          residuals: new Map(),
          provider: "cpu",
          milliseconds: 1,
        });
      },
    } as unknown as HyperInverter;
    const out = `${dir}/out`;
    await Deno.mkdir(out);
    const jobs = files.map((file) => ({ file, base: file.split("/").pop()!.replace(".png", "") }));
    const report = await invertFiles(model, jobs, {
      out,
      batch: 3,
      quiet: true,
      identity: "0".repeat(64),
      inverter: async (m, images, count) => ({
        ...await m.invert(images, count),
        codes: new Map([["b4_conv1_weight", new Float32Array(count * 2)]]),
        whyNotAffine: null,
      }),
    });
    assert.deepEqual(calls, [3, 1, 1, 1]);
    assert.deepEqual(report.inverted, [files[0], files[2]]);
    assert.equal(report.failed.length, 1);
    assert.equal(report.failed[0].file, files[1]);
    assert.match(report.failed[0].reason, /final images of input 0 of the batch hold a non-finite value/);
    const written = [...Deno.readDirSync(out)].map((e) => e.name).sort();
    assert.deepEqual(written, [
      "dark.final.png",
      "dark.phase1.png",
      "dark.safetensors",
      "grey.final.png",
      "grey.phase1.png",
      "grey.safetensors",
    ]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
