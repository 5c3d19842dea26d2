/**
 * A temporary experiments folder for the site's tests: suite `demo` with a trained-style variant `full` (its
 * `model/` holds the embedded default model's files and a learned direction `fixture_axis`), a phase-I-only variant `phase_one` (rendered by the suite's base
 * model) and a `pending` variant with no results. Samples, metrics and ΔW statistics come from real inversions
 * of three of the default model's held-out samples; the log is a short made-up loss curve (test input only).
 *
 * @module
 */

import { imageMetrics } from "../losses/image_metrics.ts";
import { readImage } from "../io/image.ts";
import { prngFill } from "../io/prng.ts";
import { writeWeights } from "../io/weights_file.ts";
import { InferenceRunner, type InvertAnswer } from "./inference_tasks.ts";
import { encodePng } from "./images.ts";
import { loadSharp } from "../deps.ts";

/** The repository root (suite `base` paths resolve here). */
export const REPOSITORY_ROOT: string = new URL("../", import.meta.url).pathname.replace(/\/$/, "");
const DEFAULT_MODEL = `${REPOSITORY_ROOT}/data/models/default`;
const SAMPLES = ["test-0000-boot.png", "test-0002-trouser.png", "test-0009-sneaker.png"];

/**
 * Writes the fixture.
 *
 * @param root the experiments folder to fill (created)
 * @returns the sample input tensors' count and the root
 */
export async function writeFixtureExperiments(root: string): Promise<{ root: string; samples: number }> {
  await Deno.mkdir(`${root}/suites`, { recursive: true });
  await Deno.writeTextFile(
    `${root}/suites/demo.json`,
    JSON.stringify({
      name: "demo",
      description: "Fixture suite for the site's tests",
      base: "models/default",
      training: {
        steps: 4,
        batch: 2,
        weights: { lpips: 0 },
        checkpointEvery: 2,
        validateEvery: 4,
        validationImages: 4,
        seed: 5,
      },
      evaluation: { images: 8, batch: 4, samples: 2 },
      variants: [
        { name: "full", label: "Full", changes: {}, paper: { row: "(1) Ours", l2: 0.0243, psnr: 21.4417 } },
        { name: "phase_one", label: "Phase I only", mode: "phaseOne", paper: { l2: 0.0539, psnr: 18.6522 } },
        { name: "pending", label: "Not trained yet", changes: { hypernet: { hiddenDim: 2 } } },
      ],
    }),
  );
  const size = 32;
  const perImage = 3 * size * size;
  const inputs = new Float32Array(SAMPLES.length * perImage);
  for (const [i, file] of SAMPLES.entries()) {
    inputs.set((await readImage(`${DEFAULT_MODEL}/samples/${file}`, size)).data, i * perImage);
  }
  const answer = await new InferenceRunner().run({
    kind: "invert",
    modelPath: `${DEFAULT_MODEL}/model.json`,
    images: inputs,
    batch: SAMPLES.length,
  }) as InvertAnswer;
  const shape = [SAMPLES.length, 3, size, size];
  for (const variant of ["full", "phase_one"]) {
    const directory = `${root}/results/demo/${variant}`;
    await Deno.mkdir(`${directory}/samples`, { recursive: true });
    const final = variant === "full" ? answer.final : answer.phaseOne;
    for (let i = 0; i < SAMPLES.length; i++) {
      const nn = String(i).padStart(2, "0");
      await Deno.writeFile(`${directory}/samples/${nn}_input.png`, await encodePng(inputs, shape, i));
      await Deno.writeFile(
        `${directory}/samples/${nn}_phase1.png`,
        await encodePng(answer.phaseOne, shape, i),
      );
      await Deno.writeFile(`${directory}/samples/${nn}_final.png`, await encodePng(final, shape, i));
    }
    const metrics = await imageMetrics(final, inputs, shape);
    await Deno.writeTextFile(
      `${directory}/metrics.json`,
      JSON.stringify({
        l2: metrics.l2,
        psnr: metrics.psnr,
        msSsim: metrics.msSsim,
        featureIdentity: null,
        lpips: null,
        msPerImage: answer.milliseconds / SAMPLES.length,
        parameters: variant === "full" ? 1000 : 0,
        steps: variant === "full" ? 10 : 0,
        trainSeconds: 0,
        provider: answer.provider,
        images: SAMPLES.length,
        evaluatedAt: new Date().toISOString(),
      }),
    );
    if (variant === "full") {
      // The default model's files, plus a learned direction of our own (a seeded unit vector, test input only).
      await Deno.mkdir(`${directory}/model/directions`, { recursive: true });
      for (const entry of Deno.readDirSync(DEFAULT_MODEL)) {
        if (/\.(json|safetensors)$/.test(entry.name)) {
          await Deno.symlink(`${DEFAULT_MODEL}/${entry.name}`, `${directory}/model/${entry.name}`);
        }
      }
      const axis = prngFill(0xa1, 0, 128, 0, 1);
      const norm = Math.hypot(...axis);
      await writeWeights(
        `${directory}/model/directions/interfacegan.safetensors`,
        new Map([["fixture_axis", { data: axis.map((v) => v / norm), shape: [128] }]]),
        { metadata: { format: "interfacegan-directions", about: "{}" } },
      );
      await Deno.writeTextFile(`${directory}/delta_w.json`, JSON.stringify(answer.deltaW));
      const log = Array.from(
        { length: 10 },
        (_, k) =>
          JSON.stringify({
            step: k + 1,
            losses: { loss: 0.1 / (k + 1), ...(k % 5 === 4 ? { val_l2PhaseTwo_01: 0.05 / (k + 1) } : {}) },
          }),
      );
      await Deno.writeTextFile(`${directory}/log.jsonl`, log.join("\n") + "\n");
    }
  }
  return { root, samples: SAMPLES.length };
}

/**
 * The RGB bytes of a PNG (alpha dropped), to compare images served by the site.
 *
 * @param png the file's bytes
 * @returns [H·W·3] bytes
 */
export async function pngPixels(png: Uint8Array): Promise<Uint8Array> {
  const sharp = await loadSharp();
  return new Uint8Array(await sharp(png).removeAlpha().raw().toBuffer());
}

/**
 * The largest absolute difference of two equally long byte arrays.
 *
 * @param a first
 * @param b second
 * @returns max |a[i] − b[i]|
 * @example
 * ```ts
 * import { maxDifference } from "./_fixture.ts";
 * console.log(maxDifference(new Uint8Array([1, 9]), new Uint8Array([3, 4]))); // 5
 * ```
 */
export function maxDifference(a: Uint8Array, b: Uint8Array): number {
  if (a.length !== b.length) throw new TypeError(`Lengths differ: ${a.length} and ${b.length}`);
  let most = 0;
  for (let i = 0; i < a.length; i++) most = Math.max(most, Math.abs(a[i] - b[i]));
  return most;
}

/** A site test: the server's workers and sockets outlive single tests, so Deno's sanitizers are off. */
export const siteTest = (name: string, fn: () => Promise<void>): void =>
  Deno.test({ name, fn, sanitizeOps: false, sanitizeResources: false });
