/**
 * Generator parity with the official StyleGAN2-ADA code (reference fixtures, README §4–§5). Tolerance: max-abs
 * 1e-4 on images and w codes, as the fixture README gives (its own fp32 nondeterminism is ≈ 1e-5).
 */
import assert from "node:assert/strict";
import { mappingGraph, synthesisGraph } from "../generator/generator_graphs.ts";
import { prngFill } from "../io/prng.ts";
import { GraphSession } from "../runtime/session.ts";
import { parameterFeeds } from "../runtime/weights.ts";
import { assertClose } from "./_assert_close.ts";
import { averagePool, crop, loadGeneratorFixture, readFloat32 } from "./_fixtures.ts";

const TOLERANCE = 1e-4;

Deno.test("generator-64: synthesis of a batch of 2 with differing ws rows, and every layer, within 1e-4", async () => {
  const { fixture, config, weights } = await loadGeneratorFixture("generator-64");
  const graph = synthesisGraph(config, { batch: 2, exposeLayers: true });
  const session = await GraphSession.create(graph);
  const { outputs, provider } = await session.run({
    ws: await readFloat32(fixture, "inputs", "ws"),
    ...parameterFeeds(graph, weights),
  });
  assert.equal(provider, "cpu");
  assertClose(
    outputs.img.data as Float32Array,
    await readFloat32(fixture, "outputs", "img"),
    TOLERANCE,
    "img",
  );
  const layers = fixture.tensorNames("intermediates").filter((n) => n.startsWith("layer."));
  assert.equal(layers.length, 19);
  for (const name of layers) {
    const expected = await readFloat32(fixture, "intermediates", name); // sample 0
    const actual = (outputs[name].data as Float32Array).subarray(0, expected.length);
    assertClose(actual, expected, TOLERANCE, name);
  }
});

Deno.test("generator-64: per-sample residuals on every conv and toRGB, batched in one run, within 1e-4", async () => {
  const { fixture, config, weights } = await loadGeneratorFixture("generator-64");
  const graph = synthesisGraph(config, { batch: 2, residuals: "conv_without_bias" });
  const recipe = fixture.manifest.added_weights_prng as {
    seed: number;
    layers: { k: number; name: string; shape: number[]; offset: number; scale: number }[];
  };
  const residuals: Record<string, Float32Array> = {};
  for (const layer of recipe.layers) {
    const size = layer.shape.reduce((a, b) => a * b, 1);
    residuals[`residual.${layer.name}`] = prngFill(
      recipe.seed,
      layer.k,
      size,
      layer.offset,
      layer.scale,
    );
  }
  assert.equal(Object.keys(residuals).length, graph.inputs.length - 1, "every layer gets its residual");
  const session = await GraphSession.create(graph);
  const { outputs } = await session.run({
    ws: await readFloat32(fixture, "inputs", "ws"),
    ...residuals,
    ...parameterFeeds(graph, weights),
  });
  const img = outputs.img.data as Float32Array;
  assertClose(img, await readFloat32(fixture, "outputs", "img_added"), TOLERANCE, "img_added");
  // The residuals matter: the plain image differs from this one by ≈ 1.17 (fixture output_stats).
  const plain = await readFloat32(fixture, "outputs", "img");
  assert.ok(img.some((v, i) => Math.abs(v - plain[i]) > 0.5));
});

for (
  const [name, truncationPsi, truncationCutoff] of [
    ["mapping_psi1", 1, undefined],
    ["mapping_psi0.7", 0.7, undefined],
    ["mapping_psi0.7_cutoff4", 0.7, 4],
  ] as const
) {
  Deno.test(`generator-64: ${name} (mapping with truncation) within 1e-4`, async () => {
    const { fixture, config, weights } = await loadGeneratorFixture("generator-64");
    const graph = mappingGraph(config, { batch: 2, truncationPsi, truncationCutoff });
    const session = await GraphSession.create(graph);
    const { outputs } = await session.run({
      z: await readFloat32(fixture, "inputs", "z"),
      ...parameterFeeds(graph, weights),
    });
    assertClose(
      outputs.ws.data as Float32Array,
      await readFloat32(fixture, "outputs", name),
      TOLERANCE,
      name,
    );
  });
}

Deno.test("church256: the full-size generator renders the phase-I image w_images from w_codes within 1e-4", async () => {
  const { fixture, config, weights } = await loadGeneratorFixture("hyperinverter-church256");
  assert.equal(config.resolution, 256);
  const graph = synthesisGraph(config);
  const { outputs } = await (await GraphSession.create(graph)).run({
    ws: await readFloat32(fixture, "outputs", "w_codes"),
    ...parameterFeeds(graph, weights),
  });
  assertClose(
    outputs.img.data as Float32Array,
    await readFloat32(fixture, "outputs", "w_images"),
    TOLERANCE,
    "w_images",
  );
});

Deno.test("ffhq1024: the full-size generator renders w_images (corner, centre, 4×4 average pool) within 1e-4", async () => {
  const { fixture, config, weights } = await loadGeneratorFixture("hyperinverter-ffhq1024");
  assert.equal(config.resolution, 1024);
  const graph = synthesisGraph(config);
  const { outputs } = await (await GraphSession.create(graph)).run({
    ws: await readFloat32(fixture, "outputs", "w_codes"),
    ...parameterFeeds(graph, weights),
  });
  const img = outputs.img.data as Float32Array;
  const shape = outputs.img.shape;
  assert.deepEqual(shape, [1, 3, 1024, 1024]);
  assertClose(
    crop(img, shape, 0, 0, 32),
    await readFloat32(fixture, "outputs", "w_images.corner32"),
    TOLERANCE,
    "corner32",
  );
  assertClose(
    crop(img, shape, 480, 480, 64),
    await readFloat32(fixture, "outputs", "w_images.center64"),
    TOLERANCE,
    "center64",
  );
  assertClose(
    averagePool(img, shape, 256),
    await readFloat32(fixture, "outputs", "w_images.avgpool256"),
    TOLERANCE,
    "avgpool256",
  );
  // The full-resolution statistics of the official image (sum over 3.1 M pixels), relative 1e-5.
  const stats = (fixture.manifest.output_stats as Record<string, { sum: number; l2: number }>).w_images;
  let sum = 0, squares = 0;
  for (const v of img) (sum += v, squares += v * v);
  assert.ok(Math.abs(sum - stats.sum) / Math.abs(stats.sum) < 1e-5, `sum ${sum} vs ${stats.sum}`);
  assert.ok(
    Math.abs(Math.sqrt(squares) - stats.l2) / stats.l2 < 1e-5,
    `l2 ${Math.sqrt(squares)} vs ${stats.l2}`,
  );
});

for (const name of ["hyperinverter-church256", "hyperinverter-ffhq1024"]) {
  Deno.test(`${name}: the real 8-layer mapping with ψ = 0.7 within 1e-4`, async () => {
    const { fixture, config, weights } = await loadGeneratorFixture(name);
    const z = fixture.manifest.mapping_input_z as {
      shape: number[];
      prng: { seed: number; k: number; offset: number; scale: number };
    };
    const graph = mappingGraph(config, { batch: 2, truncationPsi: 0.7 });
    const { outputs } = await (await GraphSession.create(graph)).run({
      z: prngFill(z.prng.seed, z.prng.k, 2 * 512, z.prng.offset, z.prng.scale),
      ...parameterFeeds(graph, weights),
    });
    assertClose(
      outputs.ws.data as Float32Array,
      await readFloat32(fixture, "outputs", "mapping_psi0.7"),
      TOLERANCE,
      "ws",
    );
  });
}
