import assert from "node:assert/strict";
import { loadSharp } from "../deps.ts";
import { writeTinyModel } from "../tests/_tiny_model.ts";
import { runCli } from "./_run_cli.ts";
import { alignPhoto } from "./align.ts";
import { FaceDetector } from "../faces/detect.ts";
import { pasteBack } from "../faces/paste_back.ts";
import { openPhoto, readRgbImage } from "../faces/rgb_image.ts";

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
    assert.doesNotMatch(first.stdout + first.stderr, /^\s+at /m, "no stack trace");
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

Deno.test("align command line: strict flags, --help does nothing, exit 2 with a message and no stack trace", async () => {
  const dir = await Deno.makeTempDir({ prefix: "align-args-" });
  try {
    const help = await run(["--help"]);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /usage: deno task align/);
    assert.match(help.stdout, /--all-faces/);
    for (
      const [args, message] of [
        [["x.jpg"], /--out is required/],
        [["x.jpg", "--out", "o", "--size", "3"], /--size must be at least 8, got 3/],
        [["x.jpg", "--out", "o", "--size", "abc"], /--size must be an integer, got "abc"/],
        [["x.jpg", "--out", "o", "--detector", "yolo"], /--detector must be one of ssd, tiny; got "yolo"/],
        [["x.jpg", "--out", "o", "--forse"], /Unknown option --forse \(did you mean --force\?\)/],
        [["x.jpg", "y.jpg", "--out", "o"], /Expected 1 positional argument/],
        [["/nonexistent/photo.jpg", "--out", `${dir}/never`], /does not exist/],
        [[dir, "--out", `${dir}/out`], /No image files to align/],
      ] as const
    ) {
      const result = await run([...args]);
      assert.equal(result.code, 2, `${args.join(" ")}: ${result.stderr}`);
      assert.match(result.stderr, message);
      assert.doesNotMatch(result.stderr, /^\s+at /m, "no stack trace");
    }
    assert.equal([...Deno.readDirSync(dir)].length, 1, "nothing written but the empty out folder");
    await Deno.writeTextFile(`${dir}/file`, "");
    const badOut = await run([`${FIXTURES}faces-raw/04.jpg`, "--out", `${dir}/file/out`]);
    assert.equal(badOut.code, 2);
    assert.match(badOut.stderr, /output folder .*file\/out/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("align never overwrites or loses a user's file: --out equal to the input folder, shared stems, stray outputs", async () => {
  const dir = await Deno.makeTempDir({ prefix: "align-safe-" });
  try {
    const args = ["--size", "64", "--detector", "tiny"];
    await Deno.mkdir(`${dir}/in`);
    await Deno.copyFile(`${FIXTURES}faces-raw/04.jpg`, `${dir}/in/Y.jpg`);
    const sharp = await loadSharp();
    await sharp(`${FIXTURES}faces-raw/05.jpg`).png().toFile(`${dir}/in/Y.png`); // another photo, same stem
    await sharp(`${FIXTURES}faces-raw/01.jpg`).png().toFile(`${dir}/in/X.png`);
    const inputs = new Map<string, Uint8Array>();
    for (const name of ["X.png", "Y.jpg", "Y.png"]) {
      inputs.set(name, await Deno.readFile(`${dir}/in/${name}`));
    }

    const first = await run([`${dir}/in`, "--out", `${dir}/in`, ...args]);
    assert.equal(first.code, 0, first.stdout + first.stderr);
    assert.match(first.stdout, /aligned 3 face\(s\) from 3\/3 photo\(s\)/);
    for (const [name, bytes] of inputs) {
      assert.deepEqual(await Deno.readFile(`${dir}/in/${name}`), bytes, name);
    }
    const names = [...Deno.readDirSync(`${dir}/in`)].map((e) => e.name).sort();
    assert.deepEqual(names, [
      "X.png",
      "X.png.json",
      "X.png.png",
      "Y.jpg",
      "Y.jpg.json",
      "Y.jpg.png",
      "Y.png",
      "Y.png.json",
      "Y.png.png",
    ]);
    const fromJpg = JSON.parse(await Deno.readTextFile(`${dir}/in/Y.jpg.json`));
    const fromPng = JSON.parse(await Deno.readTextFile(`${dir}/in/Y.png.json`));
    assert.deepEqual([fromJpg.sourceName, fromPng.sourceName], ["Y.jpg", "Y.png"]);
    assert.notEqual(fromJpg.sourceSha256, fromPng.sourceSha256);
    assert.notDeepEqual(
      await Deno.readFile(`${dir}/in/Y.jpg.png`),
      await Deno.readFile(`${dir}/in/Y.png.png`),
      "both photos aligned, not one skipped as done before",
    );

    // Again: its own outputs are not inputs, and every photo is done before, keyed on the exact source.
    const again = await run([`${dir}/in`, "--out", `${dir}/in`, ...args]);
    assert.equal(again.code, 0, again.stdout + again.stderr);
    assert.match(again.stdout, /from 0\/3 photo\(s\).*3 done before/);
    assert.equal([...Deno.readDirSync(`${dir}/in`)].length, 9);
    // --force redoes them and still never touches an input.
    const forced = await run([`${dir}/in/X.png`, "--out", `${dir}/in`, "--force", ...args]);
    assert.equal(forced.code, 0, forced.stdout + forced.stderr);
    assert.deepEqual(await Deno.readFile(`${dir}/in/X.png`), inputs.get("X.png"));

    // A user's X.png in --out without its JSON is refused (exit 2, nothing written), replaced only with --force.
    await Deno.mkdir(`${dir}/out`);
    await Deno.writeTextFile(`${dir}/out/X.png`, "the user's own file");
    const refused = await run([`${dir}/in/X.png`, "--out", `${dir}/out`, ...args]);
    assert.equal(refused.code, 2, refused.stdout + refused.stderr);
    assert.match(refused.stderr, /out\/X\.png/);
    assert.match(refused.stderr, /pass --force/);
    assert.equal(await Deno.readTextFile(`${dir}/out/X.png`), "the user's own file");
    assert.deepEqual([...Deno.readDirSync(`${dir}/out`)].map((e) => e.name), ["X.png"]);
    // A JSON written for another photo of the same name is not "done before": refused as well.
    await Deno.remove(`${dir}/out/X.png`);
    await Deno.copyFile(`${dir}/in/Y.jpg.json`, `${dir}/out/X.json`);
    const other = await run([`${dir}/in/X.png`, "--out", `${dir}/out`, ...args]);
    assert.equal(other.code, 2, other.stdout + other.stderr);
    assert.match(other.stderr, /X\.json \(written for another photo, Y\.jpg\)/);
    const replaced = await run([`${dir}/in/X.png`, "--out", `${dir}/out`, "--force", ...args]);
    assert.equal(replaced.code, 0, replaced.stdout + replaced.stderr);
    assert.equal(JSON.parse(await Deno.readTextFile(`${dir}/out/X.json`)).sourceName, "X.png");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("align of a 16000² PNG fails for that photo only, in bounded memory, and the folder run goes on", async () => {
  const sharp = await loadSharp();
  const dir = await Deno.makeTempDir({ prefix: "align-large-" });
  try {
    await Deno.mkdir(`${dir}/in`);
    // ≈ 0.8 MB on disk, 768 MB of pixels: it used to take 9.9 GB and end the run with a WASM out-of-bounds crash.
    await sharp({ create: { width: 16000, height: 16000, channels: 3, background: "#808080" } })
      .png({ compressionLevel: 1 }).toFile(`${dir}/in/a-large.png`);
    await Deno.copyFile(`${FIXTURES}faces-raw/04.jpg`, `${dir}/in/b-face.jpg`);
    const result = await run([`${dir}/in`, "--out", `${dir}/out`, "--size", "64"]);
    assert.equal(result.code, 1, result.stdout + result.stderr);
    assert.match(result.stdout, /aligned 1 face\(s\) from 1\/2 photo\(s\)/);
    assert.match(result.stdout, /failed: .*a-large\.png: No face found .*16000×16000/);
    assert.ok((await Deno.stat(`${dir}/out/b-face.png`)).isFile);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("invert --align aligns each photo to the model's resolution first, pastes the result back, skips a photo without a face", async () => {
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
    assert.deepEqual(names, [
      "face.aligned.png",
      "face.final.png",
      "face.pasted.png",
      "face.phase1.png",
      "face.safetensors",
    ]);
    // The pasted photo is the photo with the final image warped back into the face's quad, nothing else.
    const photo = await (await openPhoto(`${dir}/in/face.jpg`)).read();
    const pasted = await readRgbImage(`${dir}/out/face.pasted.png`);
    const final = await readRgbImage(`${dir}/out/face.final.png`);
    const [face] = await alignPhoto(`${dir}/in/face.jpg`, await FaceDetector.load(), { size: 64 });
    assert.deepEqual(pasted.data, (await pasteBack(photo, face.quad, final)).data);
    const [q0, q1, , q3] = face.quad;
    const det = (q3[0] - q0[0]) * (q1[1] - q0[1]) - (q3[1] - q0[1]) * (q1[0] - q0[0]);
    let outside = 0, changed = 0;
    for (let y = 0; y < photo.height; y++) {
      for (let x = 0; x < photo.width; x++) {
        const dx = x - q0[0], dy = y - q0[1];
        const u = (dx * (q1[1] - q0[1]) - dy * (q1[0] - q0[0])) / det;
        const v = ((q3[0] - q0[0]) * dy - (q3[1] - q0[1]) * dx) / det;
        const p = (y * photo.width + x) * 3;
        const same = [0, 1, 2].every((c) => pasted.data[p + c] === photo.data[p + c]);
        if (Math.min(u, 1 - u, v, 1 - v) <= 0) {
          outside++;
          assert.ok(same, `pixel ${x},${y} outside the quad is unchanged`);
        } else if (!same) changed++;
      }
    }
    assert.ok(outside > 0 && changed > 1000, `${outside} pixels outside the quad, ${changed} changed inside`);

    // A pasted photo that exists is an output conflict (exit 2 before the model loads), replaced with --force.
    await Deno.remove(`${dir}/out`, { recursive: true });
    await Deno.mkdir(`${dir}/out`);
    await Deno.writeTextFile(`${dir}/out/face.pasted.png`, "mine");
    const conflict = await runCli(new URL("./invert.ts", import.meta.url), [
      `${dir}/in/face.jpg`,
      "--model",
      model,
      "--out",
      `${dir}/out`,
      "--align",
    ]);
    assert.equal(conflict.code, 2, conflict.stdout + conflict.stderr);
    assert.match(conflict.stderr, /face\.pasted\.png/);
    assert.equal(await Deno.readTextFile(`${dir}/out/face.pasted.png`), "mine");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
