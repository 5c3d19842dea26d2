/**
 * `train-phase-two --base M`: phase II on top of a model folder's E1 and G (D seeded), on a folder of one's own
 * images; `--base` with `--generator` or `--phase-one` is a usage error.
 */
import assert from "node:assert/strict";
import { loadSharp } from "../deps.ts";
import { pathExists } from "../io/atomic_write.ts";
import { readRunLog } from "../train/run_log.ts";
import { TINY_ARCHITECTURE, writeTinyModel } from "../tests/_tiny_model.ts";
import { main as trainPhaseTwo } from "./train_phase_two.ts";
import { TINY_ENCODER } from "../encoders/config.ts";

/** tests/_tiny_model.ts's encoders (the `tiny64` preset) in the keys a training config takes. */
const { backbone, stemChannels, stages, seReduction, nStyles, featureSize, inputSize, wDim } = TINY_ENCODER;
const TINY = { backbone, stemChannels, stages, seReduction, nStyles, featureSize, inputSize, wDim };

/** 64² RGB gradients. */
async function writeImages(folder: string, count: number) {
  const sharp = await loadSharp();
  await Deno.mkdir(folder, { recursive: true });
  for (let i = 0; i < count; i++) {
    const rgb = new Uint8Array(64 * 64 * 3).map((_, p) => ((p % 192) * 3 + i * 25) & 255);
    const png = await sharp(rgb, { raw: { width: 64, height: 64, channels: 3 } }).png().toBuffer();
    await Deno.writeFile(`${folder}/${i}.png`, new Uint8Array(png.buffer, png.byteOffset, png.byteLength));
  }
}

Deno.test("train-phase-two --base: E1 and G from a model folder, D seeded, through the adversarial switch", async () => {
  const folder = await Deno.makeTempDir();
  try {
    const manifest = await writeTinyModel(`${folder}/model`);
    await writeImages(`${folder}/images`, 12);
    await Deno.writeTextFile(
      `${folder}/phase_two.json`,
      JSON.stringify({
        architecture: { ...TINY_ARCHITECTURE, wEncoder: TINY, layerWiseEncoder: TINY },
        batch: 2,
        adversarialBatch: 2,
        adversarialFromStep: 1,
        weights: { lpips: 0 },
        steps: 2,
        checkpointEvery: 2,
        validateEvery: 2,
        validationImages: 2,
        data: "./images",
      }),
    );
    const withBase = (run: string, ...more: string[]) =>
      trainPhaseTwo(["--config", `${folder}/phase_two.json`, "--base", manifest, "--run", run, ...more]);
    const run = `${folder}/runs/phase-two`;
    assert.equal(await withBase(run), 0);
    assert.ok(await pathExists(`${run}/best.safetensors`));
    const log = await readRunLog(`${run}/log.jsonl`);
    assert.deepEqual(log.records.map((r) => r.step), [1, 2]);
    assert.ok(Number.isFinite(log.records[1].losses!.d), "step 2 trains the seeded D");

    const both = await withBase(`${folder}/runs/other`, "--generator", `${folder}/runs/generator`);
    assert.equal(both, 2, "--base with --generator is bad usage");
    assert.ok(!(await pathExists(`${folder}/runs/other`)), "nothing is made on bad usage");
  } finally {
    await Deno.remove(folder, { recursive: true });
  }
});
