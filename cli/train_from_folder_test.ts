/**
 * The three trainers on a folder of one's own images: 64² RGB PNG files made here, named by a relative `data`
 * field in each config; the generator run is killed after its first checkpoint and resumes from it.
 */
import assert from "node:assert/strict";
import { trainGeneratorCommand } from "../tests/_train_generator_command.ts";
import { loadSharp } from "../deps.ts";
import { readRunLog } from "../train/run_log.ts";
import { main as trainPhaseOne } from "./train_phase_one.ts";
import { main as trainPhaseTwo } from "./train_phase_two.ts";
import { pathExists } from "../io/atomic_write.ts";

const GENERATOR = { resolution: 64, channelBase: 256, channelMax: 8, mappingLayers: 2, zDim: 16, wDim: 16 };
const ENCODER = {
  backbone: "ir_se",
  stemChannels: 8,
  stages: [
    { channels: 8, units: 1, stride: 1 },
    { channels: 8, units: 1, stride: 2 },
    { channels: 8, units: 1, stride: 2 },
    { channels: 16, units: 1, stride: 2 },
  ],
  seReduction: 4,
  nStyles: 10,
  featureSize: 2,
};

/** Smooth colour gradients of several sizes, in nested folders. */
async function writeImages(folder: string, count: number) {
  const sharp = await loadSharp();
  for (let i = 0; i < count; i++) {
    const width = 64 + 8 * (i % 3), height = 64 + 16 * (i % 2);
    const rgb = new Uint8Array(width * height * 3);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const p = (y * width + x) * 3;
        rgb[p] = (x * 4 + i * 10) & 255;
        rgb[p + 1] = (y * 4 + i * 20) & 255;
        rgb[p + 2] = ((x + y) * 2 + i * 30) & 255;
      }
    }
    const path = `${folder}/images/${i % 2 ? "a" : "b/c"}/${i}.png`;
    await Deno.mkdir(path.slice(0, path.lastIndexOf("/")), { recursive: true });
    const png = await sharp(rgb, { raw: { width, height, channels: 3 } }).png().toBuffer();
    await Deno.writeFile(path, new Uint8Array(png.buffer, png.byteOffset, png.byteLength));
  }
}

function trainGeneratorProcess(folder: string, steps: number) {
  return trainGeneratorCommand(`${folder}/generator.json`, `${folder}/runs/generator`, steps);
}

Deno.test("64² RGB from a folder of PNG files: generator (killed, resumed), phase I and phase II", async () => {
  const folder = await Deno.makeTempDir();
  try {
    await writeImages(folder, 40);
    await Deno.writeTextFile(
      `${folder}/generator.json`,
      JSON.stringify({ generator: GENERATOR, batch: 2, steps: 200, checkpointEvery: 2, data: "./images" }),
    );
    // First run: killed once its first checkpoint is on disk.
    const child = trainGeneratorProcess(folder, 200).spawn();
    const output = Promise.all([
      new Response(child.stdout).text(),
      new Response(child.stderr).text(),
    ]);
    const run = `${folder}/runs/generator`;
    const deadline = Date.now() + 120_000;
    while (!(await pathExists(`${run}/checkpoint-2.json`))) {
      assert.ok(Date.now() < deadline, "no checkpoint within 120 s");
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    child.kill("SIGKILL");
    const status = await child.status;
    const [stdout, stderr] = await output;
    assert.ok(!status.success, "the first run should have been killed");
    assert.match(stdout, /data: .*\/images \(\d+ training images\)/, stdout + stderr);
    const killedAt = (await readRunLog(`${run}/log.jsonl`)).records.at(-1)!.step as number;
    assert.ok(killedAt >= 2 && killedAt < 200, `killed at step ${killedAt}`);
    // Second run: resumes from the last checkpoint on disk and reaches step 6.
    const resumed = await trainGeneratorProcess(folder, 6).output();
    const resumedOut = new TextDecoder().decode(resumed.stdout);
    assert.ok(resumed.success, resumedOut + new TextDecoder().decode(resumed.stderr));
    const from = Number(/resuming from step (\d+)/.exec(resumedOut)?.[1]);
    assert.ok(from >= 2 && from % 2 === 0 && from <= killedAt, resumedOut);
    const steps = (await readRunLog(`${run}/log.jsonl`)).records.map((entry) => entry.step);
    assert.deepEqual(steps, [1, 2, 3, 4, 5, 6]);
    assert.ok(await pathExists(`${folder}/images/.hyperinverter-cache`));

    await Deno.writeTextFile(
      `${folder}/phase_one.json`,
      JSON.stringify({
        generator: GENERATOR,
        encoder: ENCODER,
        batch: 2,
        steps: 2,
        checkpointEvery: 2,
        validateEvery: 2,
        validationImages: 2,
        data: "./images",
      }),
    );
    assert.equal(
      await trainPhaseOne([
        "--config",
        `${folder}/phase_one.json`,
        "--generator",
        run,
        "--run",
        `${folder}/runs/phase-one`,
      ]),
      0,
    );
    assert.ok(await pathExists(`${folder}/runs/phase-one/best.safetensors`));

    const encoder = { ...ENCODER, inputSize: 64, wDim: 16 };
    await Deno.writeTextFile(
      `${folder}/phase_two.json`,
      JSON.stringify({
        architecture: {
          generator: GENERATOR,
          wEncoder: encoder,
          layerWiseEncoder: encoder,
          hypernet: { hiddenDim: 4, featureChannels: 16, featureSize: 2 },
          refinementPasses: 1,
        },
        batch: 2,
        adversarialBatch: 2,
        adversarialFromStep: 1,
        steps: 2,
        checkpointEvery: 2,
        validateEvery: 2,
        validationImages: 2,
      }),
    );
    // The data given on the command line this time (relative to the current directory).
    assert.equal(
      await trainPhaseTwo([
        "--config",
        `${folder}/phase_two.json`,
        "--generator",
        run,
        "--phase-one",
        `${folder}/runs/phase-one`,
        "--run",
        `${folder}/runs/phase-two`,
        "--data",
        `${folder}/images`,
      ]),
      0,
    );
    assert.ok(await pathExists(`${folder}/runs/phase-two/best.safetensors`));
  } finally {
    await Deno.remove(folder, { recursive: true });
  }
});
