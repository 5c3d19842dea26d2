import assert from "node:assert/strict";
import { loadSharp } from "../deps.ts";
import { readImage } from "../io/image.ts";
import { loadHyperInverter } from "../model/load.ts";
import { interpolateInversions } from "../editing/interpolate.ts";
import { main } from "./interpolate.ts";

const a = "models/default/samples/test-0000-boot.png";
const b = "models/default/samples/test-0002-trouser.png";

Deno.test("interpolation endpoints (t = 0, t = 1) reproduce the two reconstructions exactly", async () => {
  const model = await loadHyperInverter("models/default/model.json", { device: "cpu" });
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
