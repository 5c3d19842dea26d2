import assert from "node:assert/strict";
import { loadSharp } from "../deps.ts";
import { writeTinyModel } from "../tests/_tiny_model.ts";
import { parseAlignArguments } from "./align.ts";
import { runCli } from "./_run_cli.ts";

const FIXTURES = new URL("../../shared/fixtures/images/", import.meta.url).pathname;

const run = (args: string[]) => runCli(new URL("./align.ts", import.meta.url), args);

Deno.test("align on a folder: faces aligned with landmarks JSON, no-face and broken files reported, resumable", async () => {
  const sharp = await loadSharp();
  const dir = await Deno.makeTempDir({ prefix: "align-" });
  try {
    await Deno.mkdir(`${dir}/in`);
    await Deno.copyFile(`${FIXTURES}faces-raw/04.jpg`, `${dir}/in/a.jpg`);
    await Deno.copyFile(`${FIXTURES}churches/e4e_church_img.jpg`, `${dir}/in/church.jpg`);
    await Deno.writeTextFile(`${dir}/in/broken.png`, "not a png");
    // Two faces side by side for --all-faces: 04 (320²) and 01 scaled to 320 high.
    const left = await sharp(`${FIXTURES}faces-raw/04.jpg`).resize(320, 320).toBuffer();
    const right = await sharp(`${FIXTURES}faces-raw/01.jpg`).resize(248, 320).toBuffer();
    await sharp({ create: { width: 568, height: 320, channels: 3, background: "#fff" } })
      .composite([{ input: left, left: 0, top: 0 }, { input: right, left: 320, top: 0 }]).jpeg().toFile(
        `${dir}/in/pair.jpg`,
      );

    const first = await run([`${dir}/in`, "--out", `${dir}/out`, "--size", "256"]);
    assert.equal(first.code, 1, first.stdout + first.stderr);
    assert.match(first.stdout, /aligned 2 face\(s\) from 2\/4 photo\(s\)/);
    assert.match(first.stdout, /ms\/photo \(tfjs wasm, ssd\)/);
    assert.match(first.stdout, /failed: .*church\.jpg: No face found/);
    assert.match(first.stdout, /failed: .*broken\.png: .*not a readable image/);
    const record = JSON.parse(await Deno.readTextFile(`${dir}/out/a.json`));
    assert.equal(record.faces.length, 1);
    assert.equal(record.faces[0].landmarks.length, 68);
    assert.equal(record.faces[0].quad.length, 4);
    assert.equal(typeof record.faces[0].pose.yaw, "number");
    const meta = await sharp(`${dir}/out/a.png`).metadata();
    assert.deepEqual([meta.width, meta.height, meta.channels], [256, 256, 3]);

    const again = await run([`${dir}/in`, "--out", `${dir}/out`, "--size", "256"]);
    assert.match(again.stdout, /2 done before/);

    const all = await run([`${dir}/in/pair.jpg`, "--out", `${dir}/all`, "--size", "64", "--all-faces"]);
    assert.equal(all.code, 0, all.stdout + all.stderr);
    const names = [...Deno.readDirSync(`${dir}/all`)].map((e) => e.name).sort();
    assert.deepEqual(names, ["pair.0.png", "pair.1.png", "pair.json"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("align arguments: defaults, and clear errors for bad values", async () => {
  const parsed = parseAlignArguments(["x.jpg", "--out", "o"]);
  assert.deepEqual([parsed.size, parsed.detector, parsed.backend, parsed.allFaces], [
    1024,
    "ssd",
    "wasm",
    false,
  ]);
  assert.throws(() => parseAlignArguments(["x.jpg"]), /--out/);
  assert.throws(() => parseAlignArguments(["x.jpg", "--out", "o", "--size", "3"]), /--size/);
  assert.throws(() => parseAlignArguments(["x.jpg", "--out", "o", "--detector", "yolo"]), /--detector/);
  assert.throws(() => parseAlignArguments(["x.jpg", "--out", "o", "--bogus"]), /Unknown option --bogus/);
  const missing = await run(["/nonexistent/photo.jpg", "--out", "/tmp/never"]);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /does not exist/);
});

Deno.test("invert --align aligns each photo to the model's resolution first and skips a photo without a face", async () => {
  const sharp = await loadSharp();
  const dir = await Deno.makeTempDir({ prefix: "invert-align-" });
  try {
    const model = await writeTinyModel(`${dir}/model`);
    await Deno.mkdir(`${dir}/in`);
    await Deno.copyFile(`${FIXTURES}faces-raw/04.jpg`, `${dir}/in/face.jpg`);
    await Deno.copyFile(`${FIXTURES}churches/e4e_church_img.jpg`, `${dir}/in/church.jpg`);
    const output = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        new URL("./invert.ts", import.meta.url).pathname,
        `${dir}/in`,
        "--model",
        model,
        "--out",
        `${dir}/out`,
        "--device",
        "cpu",
        "--align",
      ],
      env: { NO_COLOR: "1" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stdout = new TextDecoder().decode(output.stdout), stderr = new TextDecoder().decode(output.stderr);
    assert.equal(output.code, 1, stdout + stderr);
    assert.match(stdout, /inverted 1\/2 image\(s\)/);
    assert.match(stdout, /failed: .*church\.jpg: No face found/);
    const aligned = await sharp(`${dir}/out/face.aligned.png`).metadata();
    assert.deepEqual([aligned.width, aligned.height], [64, 64]); // the tiny model's resolution
    const names = [...Deno.readDirSync(`${dir}/out`)].map((e) => e.name).sort();
    assert.deepEqual(names, ["face.aligned.png", "face.final.png", "face.phase1.png", "face.safetensors"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
