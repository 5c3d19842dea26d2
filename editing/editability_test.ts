import assert from "node:assert/strict";
import { loadHyperInverter } from "../model/load.ts";
import { loadFashionMnist, toTensorBatch } from "../train/data/fashion_mnist.ts";
import { AttributeModel } from "./attribute_model.ts";
import { readDirections } from "./direction_file.ts";
import { type EditabilityResult, measureEditability } from "./editability.ts";
import { fashionAttribute } from "./fashion_attributes.ts";
import { LEARNED_DIRECTIONS_FILE } from "./load_direction.ts";

/**
 * The editability claims the shipped model must keep, per attribute and column (phase I, full):
 * - adding the attribute (γ = 0, 1, 2, 3) raises its held-out log-odds strictly monotonically;
 * - removing it a little (γ = −1) lowers them.
 * Not claimed (a written reason, measured 2026-12-04 on the step-12500 generator): monotonicity for γ < −1.
 * About 90 % of the images lack each attribute, so their log-odds already sit far below 0; pushing them
 * further away (γ = −3 ≈ 1.7 σ of ⟨w, n⟩) turns a dress or pullover into off-manifold shapes that the `mlp`
 * scores arbitrarily (shipped table: trousers −0.84 at γ = −1, −0.58 at −2, −0.37 at −3, phase I; bag −0.058 /
 * −0.056 / −0.069), the same confound that made us drop `long_sleeves`. The table reports those cells as measured.
 */
function assertEditable(results: readonly EditabilityResult[], where: string) {
  for (const { attribute, rows } of results) {
    const gammas = rows.map((r) => r.gamma);
    assert.deepEqual(gammas, [-3, -2, -1, 1, 2, 3], `${where} ${attribute}`);
    for (const column of ["phaseOne", "full"] as const) {
      // With the γ = 0 change (0) in its place, the mean change strictly grows with γ ≥ 0.
      const values = [0, ...rows.slice(3).map((r) => r[column])];
      for (let k = 1; k < values.length; k++) {
        assert.ok(
          values[k] > values[k - 1],
          `${where}: ${attribute} ${column} is not increasing in γ ≥ 0: ${
            values.map((v) => v.toFixed(3)).join(", ")
          }`,
        );
      }
      assert.ok(
        rows[2][column] < 0,
        `${where}: ${attribute} ${column} at γ = −1 is ${rows[2][column]}, not < 0`,
      );
    }
  }
}

Deno.test("editability: on held-out images, every learned direction adds its attribute monotonically in γ ≥ 0 and γ = −1 lowers it, for phase I and the full model", async () => {
  const model = await loadHyperInverter("data/models/default/model.json", { device: "cpu" });
  const measure = await AttributeModel.load("data/models/default/attributes/mlp.safetensors");
  const directions = [...await readDirections(`data/models/default/${LEARNED_DIRECTIONS_FILE}`)]
    .map(([name, { direction }]) => ({ attribute: fashionAttribute(name), direction }));
  assert.equal(directions.length, 3);
  const data = await loadFashionMnist();
  // The last 100 test images: held out from every trainer, and not the images of the shipped table.
  const images = toTensorBatch(data.test, Array.from({ length: 100 }, (_, i) => 9900 + i), { channels: 3 });
  const results = await measureEditability(model, images, { measure, directions, batch: 50 });
  assertEditable(results, "recomputed on 100 images");
  // ΔW reused keeps editing possible: at γ = 3 the full model still moves every attribute by a clear amount.
  for (const { attribute, rows } of results) {
    assert.ok(rows[5].full > 0.1, `${attribute}: full-model change at γ = 3 is only ${rows[5].full}`);
  }
});

Deno.test("editability: the shipped table (data/models/default/editability.json) keeps the editability claims for both columns", async () => {
  const report = JSON.parse(await Deno.readTextFile("data/models/default/editability.json"));
  assert.match(report.measuredWith, /^mlp classifier/);
  assert.match(report.directionsLearnedWith, /^conv classifier/);
  assert.equal(report.results.length, 3);
  assertEditable(report.results, "editability.json");
  const markdown = await Deno.readTextFile("data/models/default/editability.md");
  for (const { attribute } of report.results) assert.ok(markdown.includes(`| ${attribute} | 3 |`));
});

Deno.test("measureEditability checks the image count, batch and direction length", async () => {
  const model = await loadHyperInverter("data/models/default/model.json", { device: "cpu" });
  const measure = await AttributeModel.load("data/models/default/attributes/mlp.safetensors");
  const direction = { attribute: fashionAttribute("bag"), direction: new Float32Array(64) };
  await assert.rejects(
    measureEditability(model, new Float32Array(3 * 3 * 32 * 32), { measure, directions: [], batch: 2 }),
    /multiple of batch 2/,
  );
  await assert.rejects(
    measureEditability(model, new Float32Array(2 * 3 * 32 * 32), {
      measure,
      directions: [direction],
      batch: 2,
    }),
    /Direction "bag" has 64 values, expected wDim 128/,
  );
});
