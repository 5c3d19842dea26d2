/**
 * A fixture suite for the ablation views and exports: `grid`, two factors (fusion ∈ {concatConv, sum} ×
 * D ∈ {4, 16}) with seed repeats (seed ∈ {1, 2}), plus a phase-I baseline off the grid. Every number is made
 * up and deterministic (test input only), so its exported tables are compared with committed files
 * (`tests/fixtures/ablation_export/`). `sum_d16_s2` has no results yet (a test writes its progress);
 * `sum_d16_s1` logs fewer steps than the others (the curves share one step axis).
 *
 * @module
 */

import { readImage } from "../io/image.ts";
import { prngFill } from "../io/prng.ts";
import { encodePng } from "./images.ts";

const REPOSITORY_ROOT = new URL("../", import.meta.url).pathname.replace(/\/$/, "");
const SAMPLES = ["test-0000-boot.png", "test-0002-trouser.png", "test-0009-sneaker.png"];
const LAYERS = [
  "b4.conv1",
  "b4.torgb",
  "b8.conv0",
  "b8.conv1",
  "b8.torgb",
  "b16.conv0",
  "b16.conv1",
  "b16.torgb",
];

/** The grid's variants: name, fusion, D, seed. */
export const GRID_VARIANTS: readonly { name: string; fusion: string; D: number; seed: number }[] = [
  { name: "cat_d4_s1", fusion: "concatConv", D: 4, seed: 1 },
  { name: "cat_d4_s2", fusion: "concatConv", D: 4, seed: 2 },
  { name: "cat_d16_s1", fusion: "concatConv", D: 16, seed: 1 },
  { name: "cat_d16_s2", fusion: "concatConv", D: 16, seed: 2 },
  { name: "sum_d4_s1", fusion: "sum", D: 4, seed: 1 },
  { name: "sum_d4_s2", fusion: "sum", D: 4, seed: 2 },
  { name: "sum_d16_s1", fusion: "sum", D: 16, seed: 1 },
  { name: "sum_d16_s2", fusion: "sum", D: 16, seed: 2 },
];

/** The variant without results (its progress is the tests' to write). */
export const PENDING_VARIANT = "sum_d16_s2";

/** A made-up PSNR: concatConv +1 dB, D=16 +0.8 dB, seed 2 −0.3 dB (so repeats have a spread). */
function fixturePsnr(v: { fusion: string; D: number; seed: number }): number {
  return 18 + (v.fusion === "concatConv" ? 1 : 0) + (v.D === 16 ? 0.8 : 0) - (v.seed === 2 ? 0.3 : 0);
}

/**
 * Writes suite `grid` and its results into an experiments folder.
 *
 * @param root the experiments folder (created)
 * @returns the suite's name and variant names
 */
export async function writeAblationFixture(root: string): Promise<{ suite: string; variants: string[] }> {
  await Deno.mkdir(`${root}/suites`, { recursive: true });
  const suite = {
    name: "grid",
    description: "Fixture: fusion × D with two seeds each",
    base: "models/default",
    factors: ["fusion", "D", "seed"],
    training: { steps: 20, batch: 2, weights: { lpips: 0 }, validateEvery: 5, validationImages: 4 },
    evaluation: { images: 3, batch: 3, samples: 3 },
    variants: [
      ...GRID_VARIANTS.map((v) => ({
        name: v.name,
        label: `${v.fusion}, D=${v.D}, seed ${v.seed}`,
        changes: { hypernet: { fusion: v.fusion, hiddenDim: v.D }, training: { seed: v.seed } },
        factors: { fusion: v.fusion, D: v.D, seed: v.seed },
      })),
      { name: "phase_one", label: "Phase I only", mode: "phaseOne" },
    ],
  };
  await Deno.writeTextFile(`${root}/suites/grid.json`, JSON.stringify(suite, null, 2));
  const size = 32, perImage = 3 * size * size, shape = [1, 3, size, size];
  const inputs = await Promise.all(
    SAMPLES.map(async (f) =>
      (await readImage(`${REPOSITORY_ROOT}/data/models/default/samples/${f}`, size)).data.slice(0, perImage)
    ),
  );
  const variants = [...GRID_VARIANTS.map((v) => ({ ...v, psnr: fixturePsnr(v) })), {
    name: "phase_one",
    fusion: "",
    D: 0,
    seed: 0,
    psnr: 16.5,
  }];
  for (const [k, v] of variants.entries()) {
    if (v.name === PENDING_VARIANT) continue;
    const directory = `${root}/results/grid/${v.name}`;
    await Deno.mkdir(`${directory}/samples`, { recursive: true });
    const l2 = 10 ** (-v.psnr / 10);
    await Deno.writeTextFile(
      `${directory}/metrics.json`,
      JSON.stringify({
        l2,
        psnr: v.psnr,
        msSsim: 0.5 + v.psnr / 100,
        featureIdentity: null,
        lpips: null,
        msPerImage: 2 + v.D / 8,
        parameters: v.name === "phase_one" ? 0 : v.D * 1000 + (v.fusion === "sum" ? 0 : 512),
        steps: v.name === "phase_one" ? 0 : 20,
        trainSeconds: 0,
        provider: "cpu",
        images: 3,
        evaluatedAt: "2026-01-01T00:00:00.000Z",
      }),
    );
    for (const [i, input] of inputs.entries()) {
      const nn = String(i).padStart(2, "0");
      // Reconstructions: the input plus seeded noise whose size follows the made-up PSNR.
      // (uniform noise of half-width a has standard deviation a / √3; ×2 because images span [−1, 1])
      const a = 2 * Math.sqrt(3 * l2), b = 2 * Math.sqrt(3 * 10 ** (-1.65));
      const noise = prngFill(0x51 + 7 * k + i, 0, perImage, -a, 2 * a);
      const phaseOne = prngFill(0x33 + i, 0, perImage, -b, 2 * b);
      const clamp = (x: number) => Math.max(-1, Math.min(1, x));
      await Deno.writeFile(`${directory}/samples/${nn}_input.png`, await encodePng(input, shape));
      await Deno.writeFile(
        `${directory}/samples/${nn}_phase1.png`,
        await encodePng(input.map((x, j) => clamp(x + phaseOne[j])), shape),
      );
      await Deno.writeFile(
        `${directory}/samples/${nn}_final.png`,
        await encodePng(
          v.name === "phase_one"
            ? input.map((x, j) => clamp(x + phaseOne[j]))
            : input.map((x, j) => clamp(x + noise[j])),
          shape,
        ),
      );
    }
    if (v.name === "phase_one") continue;
    await Deno.writeTextFile(
      `${directory}/delta_w.json`,
      JSON.stringify(LAYERS.map((layer, j) => ({
        layer: `${layer}.weight`,
        meanAbs: (layer.includes("torgb") ? 0.2 : 1) * (1 + j / 4) * (v.D === 16 ? 1.5 : 1) *
          (v.fusion === "sum" ? 0.7 : 1) * (v.seed === 2 ? 1.05 : 1) / 1000,
      }))),
    );
    const last = v.name === "sum_d16_s1" ? 10 : 20;
    const log = [];
    for (let step = 1; step <= last; step++) {
      const val = step % 5 === 0
        ? {
          val_l2PhaseTwo_01: l2 * (1 + 4 / step),
          val_psnrPhaseTwo_dB: v.psnr - 10 * Math.log10(1 + 4 / step),
        }
        : {};
      log.push(JSON.stringify({ step, losses: { loss: (0.2 + 0.1 * v.seed) / step + l2, ...val } }));
    }
    await Deno.writeTextFile(`${directory}/log.jsonl`, log.join("\n") + "\n");
  }
  return { suite: "grid", variants: variants.map((v) => v.name) };
}
