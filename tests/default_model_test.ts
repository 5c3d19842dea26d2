/**
 * The embedded default model (data/models/default: our own small Fashion-MNIST HyperInverter) on its bundled held-out
 * samples: phase II must beat phase I clearly on L2 and PSNR, by margins a little below those its model card
 * reports (the card's numbers were measured on the same samples by `deno task demo`).
 */
import assert from "node:assert/strict";
import { readImage } from "../io/image.ts";
import { loadHyperInverter } from "../model/load.ts";
import { imageMetrics } from "../losses/image_metrics.ts";

Deno.test("default model: phase II beats phase I on the bundled held-out samples", async () => {
  const root = new URL("../data/models/default/", import.meta.url).pathname;
  const model = await loadHyperInverter(`${root}model.json`, { device: "cpu" });
  const files = [...Deno.readDirSync(`${root}samples`)].map((e) => `${root}samples/${e.name}`).sort();
  assert.equal(files.length, 10);
  const size = model.resolution;
  const inputs = new Float32Array(files.length * 3 * size * size);
  for (const [i, file] of files.entries()) {
    inputs.set((await readImage(file, size)).data, i * 3 * size * size);
  }
  const result = await model.invert(inputs, files.length);
  const shape = [files.length, 3, size, size];
  const one = await imageMetrics(result.phaseOneImages.data, inputs, shape);
  const two = await imageMetrics(result.finalImages.data, inputs, shape);
  assert.ok(two.l2 < one.l2 * 0.85, `L2 phase I ${one.l2} → phase II ${two.l2}`);
  assert.ok(two.psnr > one.psnr + 0.5, `PSNR phase I ${one.psnr} → phase II ${two.psnr}`);
});
