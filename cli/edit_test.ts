import assert from "node:assert/strict";
import { loadSharp } from "../deps.ts";
import { main } from "./edit.ts";
import { alignPhoto } from "./align.ts";
import { FaceDetector } from "../faces/detect.ts";
import { pasteBack } from "../faces/paste_back.ts";
import { openPhoto, readRgbImage } from "../faces/rgb_image.ts";

const sample = "data/models/default/samples/test-0000-boot.png";

async function quietly<T>(run: () => Promise<T>): Promise<T> {
  const { log, error } = console;
  console.log = () => {};
  console.error = () => {};
  try {
    return await run();
  } finally {
    console.log = log;
    console.error = error;
  }
}

Deno.test("edit writes a 2-row strip (phase I, full) with the input and one column per γ", async () => {
  const out = `${await Deno.makeTempDir()}/edit.png`;
  const status = await quietly(() =>
    main([sample, "--direction", "footwear", "--gammas", "-3,0,3", "--out", out, "--device", "cpu"])
  );
  assert.equal(status, 0);
  const sharp = await loadSharp();
  const { width, height } = await sharp(await Deno.readFile(out)).metadata();
  assert.deepEqual([width, height], [4 * 32, 2 * 32]);
  // The γ = −3 and γ = 3 columns differ (the edit moved the image), in both rows.
  const { data } = await sharp(await Deno.readFile(out)).raw().toBuffer({ resolveWithObject: true });
  const column = (c: number, row: number) => {
    const out: number[] = [];
    for (let y = row * 32; y < (row + 1) * 32; y++) {
      for (let x = c * 32; x < (c + 1) * 32; x++) out.push(data[(y * width! + x) * 3]);
    }
    return out;
  };
  for (const row of [0, 1]) assert.notDeepEqual(column(1, row), column(3, row), `row ${row}`);
  assert.equal(
    await quietly(() => main([sample, "--direction", "footwear", "--out", out])),
    2,
    "no overwrite",
  );
});

Deno.test("edit with GANSpace on a PCA of sampled w, and its argument errors", async () => {
  const out = `${await Deno.makeTempDir()}/g.png`;
  const status = await quietly(() =>
    main([
      sample,
      "--ganspace",
      "sampled",
      "--component",
      "0",
      "--layers",
      "0-3",
      "--gammas",
      "-2,2",
      "--out",
      out,
    ])
  );
  assert.equal(status, 0);
  assert.equal(await quietly(() => main([sample])), 2, "a direction is required");
  assert.equal(
    await quietly(() => main([sample, "--direction", "x", "--ganspace", "sampled"])),
    2,
    "not both",
  );
  const errors: string[] = [];
  const { error } = console;
  console.error = (message: string) => errors.push(message);
  try {
    assert.equal(await main([sample, "--direction", "smile", "--out", `${out}.2.png`]), 2);
    assert.equal(
      await main([sample, "--direction", "footwear", "--gammas", "1,x", "--out", `${out}.3.png`]),
      2,
    );
    const official = "../shared/fixtures/official-editings/interfacegan_directions/age.pt";
    assert.equal(await main([sample, "--direction", official, "--out", `${out}.4.png`]), 2);
  } finally {
    console.error = error;
  }
  assert.match(errors[0], /No direction "smile" .* \(it has: .*footwear/);
  assert.match(errors[1], /--gammas must be a comma-separated list of numbers/);
  assert.match(errors[2], /512 values; the model's wDim is 128/);
});

Deno.test("edit refuses bad flags, values, inputs and outputs before loading the model (exit 2, named)", async () => {
  const dir = await Deno.makeTempDir({ prefix: "edit-" });
  await Deno.writeTextFile(`${dir}/taken.png`, "mine");
  // A model that does not exist: every case must fail on its own value, before the model is read.
  const base = ["--model", `${dir}/no-model/model.json`, "--out", `${dir}/e.png`];
  const cases: [string[], RegExp][] = [
    [
      [sample, "--direction", "footwear", "--gamma", "1", ...base],
      /Unknown option --gamma \(did you mean --gammas\?\)/,
    ],
    [
      [sample, "--direction", "footwear", "--gammas", "abc", ...base],
      /--gammas must be a comma-separated list/,
    ],
    [
      [sample, "--direction", "footwear", "--gammas", "1,,2", ...base],
      /--gammas must be a comma-separated list/,
    ],
    [[sample, "--direction", "footwear", "--gammas", "1e9", ...base], /--gammas: 1000000000 is beyond ±100/],
    [
      [sample, "--direction", "footwear", "--device", "foo", ...base],
      /--device must be one of cpu, cuda, webgpu, auto/,
    ],
    [[sample, "--ganspace", "sampled", "--component", "-1", ...base], /--component must be at least 0/],
    [[sample, "--ganspace", "sampled", "--component", "1.5", ...base], /--component must be an integer/],
    [[sample, "--ganspace", "sampled", "--layers", "8-7", ...base], /the last row is before the first/],
    [[sample, "--direction", "footwear", "--layers", "1-2", ...base], /apply only to --ganspace/],
    [[`${dir}/missing.png`, "--direction", "footwear", ...base], /The image ".*missing\.png" does not exist/],
    [
      [
        sample,
        "--direction",
        "footwear",
        "--model",
        `${dir}/no-model/model.json`,
        "--out",
        `${dir}/taken.png`,
      ],
      /The output ".*taken\.png" exists; pass --force/,
    ],
    [
      [
        sample,
        "--direction",
        "footwear",
        "--model",
        `${dir}/no-model/model.json`,
        "--out",
        `${dir}/no/e.png`,
      ],
      /The folder of the output ".*\/no" does not exist/,
    ],
    [
      [sample, sample, "--direction", "footwear", ...base],
      /Expected 1 positional argument\(s\) \(image\), got 2/,
    ],
  ];
  const errors: string[] = [];
  const { error } = console;
  console.error = (message: string) => errors.push(message);
  try {
    for (const [args, message] of cases) {
      errors.length = 0;
      assert.equal(await main(args), 2, args.join(" "));
      assert.match(errors.join("\n"), message, args.join(" "));
    }
  } finally {
    console.error = error;
  }
  assert.equal(await Deno.readTextFile(`${dir}/taken.png`), "mine");
  await Deno.remove(dir, { recursive: true });
});

Deno.test("edit --align pastes each full-model edit back into the photo; outside the face's quad the photo is unchanged", async () => {
  const dir = await Deno.makeTempDir({ prefix: "edit-align-" });
  try {
    const photoPath = new URL("../../shared/fixtures/images/faces-raw/04.jpg", import.meta.url).pathname;
    const out = `${dir}/edit.png`;
    const status = await quietly(() =>
      main([
        photoPath,
        "--direction",
        "footwear",
        "--gammas",
        "-3,3",
        "--out",
        out,
        "--device",
        "cpu",
        "--align",
      ])
    );
    assert.equal(status, 0);
    const names = [...Deno.readDirSync(dir)].map((e) => e.name).sort();
    assert.deepEqual(names, ["edit.aligned.png", "edit.pasted.0.png", "edit.pasted.1.png", "edit.png"]);
    const photo = await (await openPhoto(photoPath)).read();
    const [face] = await alignPhoto(photoPath, await FaceDetector.load(), { size: 32 });
    assert.deepEqual((await readRgbImage(`${dir}/edit.aligned.png`)).data, face.image.data);
    const strip = await readRgbImage(out);
    for (const k of [0, 1]) {
      // The strip's bottom row, column k + 1: the full-model edit at γ number k.
      const cell = { data: new Uint8Array(32 * 32 * 3), width: 32, height: 32 };
      for (let y = 0; y < 32; y++) {
        const from = ((32 + y) * strip.width + (k + 1) * 32) * 3;
        cell.data.set(strip.data.subarray(from, from + 32 * 3), y * 32 * 3);
      }
      const pasted = await readRgbImage(`${dir}/edit.pasted.${k}.png`);
      assert.deepEqual([pasted.width, pasted.height], [photo.width, photo.height]);
      assert.deepEqual(pasted.data, (await pasteBack(photo, face.quad, cell)).data, `γ number ${k}`);
      const corner = (image: { data: Uint8Array }) => image.data.subarray(0, 30);
      assert.deepEqual(corner(pasted), corner(photo), "the photo's corner is outside the quad");
    }
    const [left, right] = [0, 1].map((k) => Deno.readFileSync(`${dir}/edit.pasted.${k}.png`));
    assert.notDeepEqual(left, right, "the two edits differ");

    // One γ writes <out>.pasted.png; existing outputs and an inversion file are refused before the model loads.
    const errors: string[] = [];
    const { error } = console;
    console.error = (message: string) => errors.push(message);
    try {
      const again = [
        photoPath,
        "--direction",
        "footwear",
        "--gammas",
        "1",
        "--model",
        `${dir}/no/model.json`,
      ];
      await Deno.writeTextFile(`${dir}/one.pasted.png`, "mine");
      assert.equal(await main([...again, "--out", `${dir}/one.png`, "--align"]), 2);
      assert.match(errors.join("\n"), /The output ".*one\.pasted\.png" exists; pass --force/);
      assert.equal(await Deno.readTextFile(`${dir}/one.pasted.png`), "mine");
      errors.length = 0;
      await Deno.writeTextFile(`${dir}/x.safetensors`, "");
      assert.equal(
        await main([`${dir}/x.safetensors`, "--direction", "footwear", "--out", `${dir}/x.png`, "--align"]),
        2,
      );
      assert.match(errors.join("\n"), /--align needs a photo; ".*x\.safetensors" is an inversion file/);
    } finally {
      console.error = error;
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
