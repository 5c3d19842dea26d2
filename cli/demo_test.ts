import assert from "node:assert/strict";
import { writePng } from "../io/image.ts";
import { loadSharp } from "../deps.ts";
import { writeTinyModel } from "../tests/_tiny_model.ts";
import { firstFreeName, main } from "./demo.ts";

Deno.test("demo writes a contact sheet and prints both phases' metrics (tiny seeded model)", async () => {
  const dir = await Deno.makeTempDir({ prefix: "demo-" });
  const logs: string[] = [];
  const original = console.log;
  console.log = (message: string) => logs.push(message);
  try {
    const model = await writeTinyModel(`${dir}/model`);
    await Deno.mkdir(`${dir}/model/samples`);
    for (const k of [0, 1]) {
      const data = Float32Array.from({ length: 3 * 64 * 64 }, (_, i) => Math.cos(i * 0.01 + k) * 0.7);
      await writePng(`${dir}/model/samples/${k}.png`, data, [1, 3, 64, 64]);
    }
    assert.equal(await main(["--model", model, "--out", `${dir}/sheet.png`, "--device", "cpu"]), 0);
    const text = logs.join("\n");
    assert.match(text, /\| I \(w only\) \| [\d.]+ \| -?[\d.]+ \| [\d.]+ \|/);
    assert.match(text, /\| II \(w \+ ΔW\) \|/);
    assert.match(text, /2 image\(s\) of 64² in \d+ ms \(\d+ ms\/image\) on cpu/);
    const sharp = await loadSharp();
    const meta = await sharp(await Deno.readFile(`${dir}/sheet.png`)).metadata();
    // The tiny model has no mapping weights, so no edit column: input | phase I | phase II.
    assert.deepEqual([meta.width, meta.height], [3 * 64, 2 * 64]);

    // An existing --out is refused (exit 2, before the model loads, file untouched) unless --force.
    const sheet = await Deno.readFile(`${dir}/sheet.png`);
    await Deno.writeTextFile(`${dir}/mine.png`, "the user's own file");
    const args = ["--model", model, "--out", `${dir}/mine.png`, "--device", "cpu"];
    assert.equal(await main(args), 2);
    assert.equal(await Deno.readTextFile(`${dir}/mine.png`), "the user's own file");
    assert.equal(await main([...args, "--force"]), 0);
    assert.deepEqual(await Deno.readFile(`${dir}/mine.png`), sheet);
  } finally {
    console.log = original;
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("demo command line: --help does nothing, bad values and outputs are refused before the model loads", async () => {
  const dir = await Deno.makeTempDir({ prefix: "demo-args-" });
  const errors: string[] = [], logs: string[] = [];
  const [originalError, originalLog] = [console.error, console.log];
  console.error = (message: string) => errors.push(message);
  console.log = (message: string) => logs.push(message);
  try {
    await Deno.mkdir(`${dir}/samples`);
    await Deno.writeTextFile(`${dir}/taken.png`, "mine");
    assert.equal(await main(["--help", "--out", `${dir}/help.png`]), 0);
    assert.match(logs.join("\n"), /usage: deno task demo/);
    assert.equal(await Deno.stat(`${dir}/help.png`).catch(() => null), null, "--help does nothing else");
    // The model does not exist: each refusal below comes before it would be loaded.
    const base = ["--model", `${dir}/no-model.json`, "--samples", `${dir}/samples`];
    const cases: [string[], RegExp][] = [
      [["--edit", "abc"], /--edit must be a number, got "abc"/],
      [["--edit", "1e9"], /--edit must be at most 10/],
      [["--device", "foo"], /--device must be one of/],
      [["--ot", `${dir}/x.png`], /Unknown option --ot \(did you mean --out\?\)/],
      [["--out", `${dir}/taken.png`], /taken\.png" exists; pass --force/],
      [["--out", `${dir}/missing/x.png`], /missing/],
      [["--out", `${dir}/x.png`], /No sample images in/],
    ];
    for (const [args, message] of cases) {
      errors.length = 0;
      assert.equal(await main([...base, ...args]), 2, args.join(" "));
      assert.match(errors.join("\n"), message);
      assert.doesNotMatch(errors.join("\n"), /no-model|^\s+at /m, args.join(" "));
    }
    assert.equal(await Deno.readTextFile(`${dir}/taken.png`), "mine");
  } finally {
    [console.error, console.log] = [originalError, originalLog];
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("demo's default output never replaces a file: demo.png, then demo-2.png, demo-3.png", async () => {
  const dir = await Deno.makeTempDir({ prefix: "demo-name-" });
  try {
    assert.equal(await firstFreeName(`${dir}/demo`, ".png"), `${dir}/demo.png`);
    await Deno.writeTextFile(`${dir}/demo.png`, "first run");
    assert.equal(await firstFreeName(`${dir}/demo`, ".png"), `${dir}/demo-2.png`);
    await Deno.writeTextFile(`${dir}/demo-2.png`, "second run");
    assert.equal(await firstFreeName(`${dir}/demo`, ".png"), `${dir}/demo-3.png`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("demo on the default model picks the edit strength measured to move the attribute ≥ 1 logit and says so", async () => {
  const dir = await Deno.makeTempDir({ prefix: "demo-edit-" });
  const logs: string[] = [];
  const original = console.log;
  console.log = (message: string) => logs.push(message);
  try {
    const base = ["--out", `${dir}/sheet.png`, "--device", "cpu", "--force"];
    assert.equal(await main(base), 0);
    const chosen = logs.join("\n").match(
      /edit γ = (\d+) along the learned "footwear" direction \(unit normal\): ([+-][\d.]+) logit of "footwear" \(held-out mlp classifier\)/,
    );
    assert.ok(chosen, logs.join("\n"));
    assert.ok(Number(chosen[2]) >= 1, `measured change ${chosen[2]} logit`);
    logs.length = 0;
    // A fixed --edit below it is rendered as asked, with its (smaller) measured change.
    assert.equal(await main([...base, "--edit", "1"]), 0);
    const fixed = logs.join("\n").match(/edit γ = 1 along .*: ([+-][\d.]+) logit of "footwear"/);
    assert.ok(fixed, logs.join("\n"));
    assert.ok(Number(fixed[1]) < Number(chosen[2]));
  } finally {
    console.log = original;
    await Deno.remove(dir, { recursive: true });
  }
});
