import assert from "node:assert/strict";
import { loadHyperInverter } from "../model/load.ts";
import { loadFashionMnist, toTensorBatch } from "../train/data/fashion_mnist.ts";
import { AttributeModel } from "./attribute_model.ts";
import { readDirections } from "./direction_file.ts";
import { type EditabilityResult, measureEditability } from "./editability.ts";
import { fashionAttribute } from "./fashion_attributes.ts";
import { LEARNED_DIRECTIONS_FILE } from "./load_direction.ts";

function assertMonotonic(results: readonly EditabilityResult[], where: string) {
  for (const { attribute, rows } of results) {
    const gammas = rows.map((r) => r.gamma);
    assert.deepEqual(gammas, [-3, -2, -1, 1, 2, 3], `${where} ${attribute}`);
    for (const column of ["phaseOne", "full"] as const) {
      // With the γ = 0 change (0) in its place, the mean change strictly grows with γ.
      const values = [...rows.slice(0, 3).map((r) => r[column]), 0, ...rows.slice(3).map((r) => r[column])];
      for (let k = 1; k < values.length; k++) {
        assert.ok(
          values[k] > values[k - 1],
          `${where}: ${attribute} ${column} is not increasing in γ: ${
            values.map((v) => v.toFixed(3)).join(", ")
          }`,
        );
      }
    }
  }
}

Deno.test("editability: on held-out images, every learned direction changes the held-out attribute monotonically in γ, for phase I and the full model", async () => {
  const model = await loadHyperInverter("data/models/default/model.json", { device: "cpu" });
  const measure = await AttributeModel.load("data/models/default/attributes/mlp.safetensors");
  const directions = [...await readDirections(`data/models/default/${LEARNED_DIRECTIONS_FILE}`)]
    .map(([name, { direction }]) => ({ attribute: fashionAttribute(name), direction }));
  assert.equal(directions.length, 3);
  const data = await loadFashionMnist();
  // The last 100 test images: held out from every trainer, and not the images of the shipped table.
  const images = toTensorBatch(data.test, Array.from({ length: 100 }, (_, i) => 9900 + i), { channels: 3 });
  const results = await measureEditability(model, images, { measure, directions, batch: 50 });
  assertMonotonic(results, "recomputed on 100 images");
  // ΔW reused keeps editing possible: at γ = 3 the full model still moves every attribute by a clear amount.
  for (const { attribute, rows } of results) {
    assert.ok(rows[5].full > 0.1, `${attribute}: full-model change at γ = 3 is only ${rows[5].full}`);
  }
});

Deno.test("editability: the shipped table (data/models/default/editability.json) is monotonic for both columns", async () => {
  const report = JSON.parse(await Deno.readTextFile("data/models/default/editability.json"));
  assert.match(report.measuredWith, /^mlp classifier/);
  assert.match(report.directionsLearnedWith, /^conv classifier/);
  assert.equal(report.results.length, 3);
  assertMonotonic(report.results, "editability.json");
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
