import assert from "node:assert/strict";
import { loadSharp } from "../deps.ts";
import { readImage } from "../io/image.ts";
import { loadHyperInverter } from "../model/load.ts";
import { interpolateInversions } from "../editing/interpolate.ts";
import { main } from "./interpolate.ts";

const a = "data/models/default/samples/test-0000-boot.png";
const b = "data/models/default/samples/test-0002-trouser.png";

Deno.test("interpolation endpoints (t = 0, t = 1) reproduce the two reconstructions exactly", async () => {
  const model = await loadHyperInverter("data/models/default/model.json", { device: "cpu" });
  const inversions = [];
  for (const path of [a, b]) inversions.push(await model.invert((await readImage(path, 32)).data, 1));
  const codes = inversions.map((inversion) => ({
    ws: inversion.wCodes.data,
    residuals: new Map([...inversion.residuals].map(([name, array]) => [name, array.data])),
  }));
  const frames = interpolateInversions(codes[0], codes[1], 5);
  const render = async (k: number) =>
    (await model.synthesize(
      frames[k].ws,
      new Map([...frames[k].residuals].map(([name, data]) => [name, { data }])),
      1,
    )).data;
  assert.deepEqual(await render(0), inversions[0].finalImages.data);
  assert.deepEqual(await render(4), inversions[1].finalImages.data);
  const middle = await render(2);
  assert.notDeepEqual(middle, inversions[0].finalImages.data);
  // The latent-only baseline's endpoints are the phase-I reconstructions.
  const baseline = interpolateInversions(codes[0], codes[1], 5, { latentOnly: true });
  assert.deepEqual((await model.synthesize(baseline[4].ws, null, 1)).data, inversions[1].phaseOneImages.data);
});

Deno.test("interpolate writes a strip (inputs at both ends, ours over the baseline) and an animated GIF", async () => {
  const dir = await Deno.makeTempDir();
  const { log } = console;
  console.log = () => {};
  try {
    const status = await main([a, b, "--steps", "4", "--out", `${dir}/s.png`, "--animation", `${dir}/s.gif`]);
    assert.equal(status, 0);
  } finally {
    console.log = log;
  }
  const sharp = await loadSharp();
  const strip = await sharp(await Deno.readFile(`${dir}/s.png`)).metadata();
  assert.deepEqual([strip.width, strip.height], [6 * 32, 2 * 32]);
  const gif = await sharp(await Deno.readFile(`${dir}/s.gif`), { animated: true }).metadata();
  assert.equal(gif.format, "gif");
  assert.equal(gif.pages, 4 + 2, "forth and back");
});

Deno.test("interpolate refuses bad flags, a missing image, a wrong animation extension and overwriting, before loading the model", async () => {
  const dir = await Deno.makeTempDir();
  await Deno.writeTextFile(`${dir}/taken.png`, "mine");
  const noModel = ["--model", `${dir}/no-model/model.json`];
  const cases: [string[], RegExp][] = [
    [[a], /Expected 2 positional argument\(s\) \(imageA, imageB\), got 1/],
    [[a, b, "--steps", "1", "--out", `${dir}/x.png`], /--steps must be at least 2, got 1/],
    [[a, b, "--steps", "2.5", "--out", `${dir}/x.png`], /--steps must be an integer, got "2\.5"/],
    [[a, b, "--step", "4", "--out", `${dir}/x.png`], /Unknown option --step \(did you mean --steps\?\)/],
    [[a, b, "--device", "foo", "--out", `${dir}/x.png`], /--device must be one of cpu, cuda, webgpu, auto/],
    [
      [a, b, "--animation", `${dir}/x.mp4`, "--out", `${dir}/x.png`],
      /--animation must end in \.gif or \.webp/,
    ],
    [[a, `${dir}/missing.png`, "--out", `${dir}/x.png`], /The image ".*missing\.png" does not exist/],
    [[a, b, "--out", `${dir}/taken.png`], /The output ".*taken\.png" exists; pass --force/],
    [
      [a, b, "--out", `${dir}/x.png`, "--animation", `${dir}/none/x.gif`],
      /The folder of the output ".*none" does not exist/,
    ],
  ];
  const errors: string[] = [];
  const { error } = console;
  console.error = (message: string) => errors.push(message);
  try {
    for (const [args, message] of cases) {
      errors.length = 0;
      assert.equal(await main([...args, ...noModel]), 2, args.join(" "));
      assert.match(errors.join("\n"), message, args.join(" "));
    }
  } finally {
    console.error = error;
  }
  assert.equal(await Deno.readTextFile(`${dir}/taken.png`), "mine");
});

Deno.test("interpolate and edit read compact inversion files (same strip as from the images) and refuse another model's", async () => {
  const dir = await Deno.makeTempDir({ prefix: "interpolate-files-" });
  const { log } = console;
  console.log = () => {};
  try {
    const { main: invert } = await import("./invert.ts");
    assert.equal(
      await invert([a, "--model", "data/models/default/model.json", "--out", dir, "--device", "cpu"]),
      0,
    );
    assert.equal(
      await invert([b, "--model", "data/models/default/model.json", "--out", dir, "--device", "cpu"]),
      0,
    );
    const fileA = `${dir}/test-0000-boot.safetensors`, fileB = `${dir}/test-0002-trouser.safetensors`;
    assert.equal(await main([a, b, "--steps", "3", "--out", `${dir}/images.png`]), 0);
    assert.equal(await main([fileA, fileB, "--steps", "3", "--out", `${dir}/files.png`]), 0);
    const sharp = await loadSharp();
    const pixels = async (path: string) => new Uint8Array(await sharp(path).raw().toBuffer());
    // The frames (columns 1..3) are the same whether the inversions come from the images or their files.
    const [fromImages, fromFiles] = [await pixels(`${dir}/images.png`), await pixels(`${dir}/files.png`)];
    const width = 5 * 32;
    for (let row = 0; row < 2 * 32; row++) {
      for (let x = 32; x < 4 * 32; x++) {
        for (let c = 0; c < 3; c++) {
          const i = (row * width + x) * 3 + c;
          assert.ok(Math.abs(fromImages[i] - fromFiles[i]) <= 1, `pixel ${row},${x}`);
        }
      }
    }
    const { main: edit } = await import("./edit.ts");
    assert.equal(
      await edit([fileA, "--direction", "footwear", "--gammas", "0,1", "--out", `${dir}/e.png`]),
      0,
    );
    // Another model: refused, naming both.
    const { writeTinyModel } = await import("../tests/_tiny_model.ts");
    const other = await writeTinyModel(`${dir}/tiny`);
    const errors: string[] = [];
    const { error } = console;
    console.error = (...parts: unknown[]) => errors.push(parts.join(" "));
    try {
      assert.notEqual(await main([fileA, fileB, "--model", other, "--out", `${dir}/bad.png`]), 0);
    } finally {
      console.error = error;
    }
    assert.match(
      errors.join("\n"),
      /inverted with model "data\/models\/default\/model\.json" \(identity [0-9a-f]{64}\)/,
    );
    assert.match(errors.join("\n"), new RegExp(`not with ".*tiny/model\\.json" \\(identity [0-9a-f]{64}\\)`));
  } finally {
    console.log = log;
    await Deno.remove(dir, { recursive: true });
  }
});
