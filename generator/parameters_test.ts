import assert from "node:assert/strict";
import { CHURCH_256, FFHQ_1024, generatorConfigFromInitKwargs, resolveGeneratorConfig } from "./config.ts";
import { countElements, generatorParameters, type ParameterSpec } from "./parameters.ts";
import { readManifestJson } from "../tests/_fixtures.ts";

// ---- fixtures (the official code's manifests; see shared/fixtures/reference/README.md §4) ----

/** Buffers in the manifests: filters are kept as built ("keep"); noise_const and w_avg are PRNG-filled. */
function manifestKind(tensor: { name: string; rule: string }): ParameterSpec["kind"] {
  return tensor.rule === "keep" || tensor.rule === "G.noise_const" || tensor.rule === "G.w_avg"
    ? "buffer"
    : "parameter";
}

function firstDifference(actual: readonly ParameterSpec[], expected: readonly ParameterSpec[]): string {
  const length = Math.max(actual.length, expected.length);
  for (let i = 0; i < length; i++) {
    if (JSON.stringify(actual[i]) !== JSON.stringify(expected[i])) {
      return `first difference at ${i}: got ${JSON.stringify(actual[i])}, expected ${
        JSON.stringify(expected[i])
      }`;
    }
  }
  return "no difference";
}

const MANIFEST_CASES = [
  { fixture: "generator-64", kwargs: "init_kwargs", count: 94 },
  { fixture: "hyperinverter-ffhq1024", kwargs: "G_init_kwargs", count: 182 },
  { fixture: "hyperinverter-church256", kwargs: "G_init_kwargs", count: 144 },
] as const;

for (const { fixture, kwargs, count } of MANIFEST_CASES) {
  Deno.test(
    `generatorParameters equals the ${fixture} G state_dict (names, shapes, kinds, order)`,
    {},
    () => {
      const manifest = readManifestJson(fixture);
      const config = generatorConfigFromInitKwargs(manifest.config[kwargs]);
      const expected: ParameterSpec[] = manifest.modules.G.tensors.map(
        (tensor: { name: string; shape: number[]; rule: string }) => ({
          name: tensor.name,
          shape: tensor.shape,
          kind: manifestKind(tensor),
        }),
      );
      const actual = generatorParameters(config).map((spec) => ({ ...spec, shape: [...spec.shape] }));
      assert.equal(actual.length, count);
      assert.deepEqual(actual, expected, `${fixture}: ${firstDifference(actual, expected)}`);
    },
  );
}

Deno.test("generatorParameters totals match spec §1.2: 30.37 M trainable at 1024, 30.03 M at 256", () => {
  assert.equal(countElements(generatorParameters(FFHQ_1024), "parameter"), 30_370_060);
  assert.equal(countElements(generatorParameters(CHURCH_256), "parameter"), 30_034_338);
  const ffhq = generatorParameters(FFHQ_1024);
  assert.equal(countElements(ffhq), countElements(ffhq, "parameter") + countElements(ffhq, "buffer"));
});

Deno.test("generatorParameters orders the state dict as PyTorch does (synthesis, w_avg, fc layers)", () => {
  const names = generatorParameters(resolveGeneratorConfig({ resolution: 8, mappingLayers: 2 }))
    .map((spec) => `${spec.name}${spec.kind === "buffer" ? " (buffer)" : ""}`);
  assert.deepEqual(names, [
    "synthesis.b4.const",
    "synthesis.b4.resample_filter (buffer)",
    "synthesis.b4.conv1.weight",
    "synthesis.b4.conv1.noise_strength",
    "synthesis.b4.conv1.bias",
    "synthesis.b4.conv1.resample_filter (buffer)",
    "synthesis.b4.conv1.noise_const (buffer)",
    "synthesis.b4.conv1.affine.weight",
    "synthesis.b4.conv1.affine.bias",
    "synthesis.b4.torgb.weight",
    "synthesis.b4.torgb.bias",
    "synthesis.b4.torgb.affine.weight",
    "synthesis.b4.torgb.affine.bias",
    "synthesis.b8.resample_filter (buffer)",
    "synthesis.b8.conv0.weight",
    "synthesis.b8.conv0.noise_strength",
    "synthesis.b8.conv0.bias",
    "synthesis.b8.conv0.resample_filter (buffer)",
    "synthesis.b8.conv0.noise_const (buffer)",
    "synthesis.b8.conv0.affine.weight",
    "synthesis.b8.conv0.affine.bias",
    "synthesis.b8.conv1.weight",
    "synthesis.b8.conv1.noise_strength",
    "synthesis.b8.conv1.bias",
    "synthesis.b8.conv1.resample_filter (buffer)",
    "synthesis.b8.conv1.noise_const (buffer)",
    "synthesis.b8.conv1.affine.weight",
    "synthesis.b8.conv1.affine.bias",
    "synthesis.b8.torgb.weight",
    "synthesis.b8.torgb.bias",
    "synthesis.b8.torgb.affine.weight",
    "synthesis.b8.torgb.affine.bias",
    "mapping.w_avg (buffer)",
    "mapping.fc0.weight",
    "mapping.fc0.bias",
    "mapping.fc1.weight",
    "mapping.fc1.bias",
  ]);
});

Deno.test("generatorParameters follows zDim, wDim, imgChannels and mappingLayers", () => {
  const config = resolveGeneratorConfig({
    resolution: 16,
    zDim: 100,
    wDim: 64,
    imgChannels: 1,
    mappingLayers: 3,
  });
  const shapes = new Map(generatorParameters(config).map((spec) => [spec.name, [...spec.shape]]));
  assert.deepEqual(shapes.get("mapping.fc0.weight"), [64, 100]);
  assert.deepEqual(shapes.get("mapping.fc2.weight"), [64, 64]);
  assert.equal(shapes.has("mapping.fc3.weight"), false);
  assert.deepEqual(shapes.get("mapping.w_avg"), [64]);
  assert.deepEqual(shapes.get("synthesis.b16.torgb.weight"), [1, 512, 1, 1]);
  assert.deepEqual(shapes.get("synthesis.b16.torgb.bias"), [1]);
  assert.deepEqual(shapes.get("synthesis.b16.conv0.affine.weight"), [512, 64]);
  assert.deepEqual(shapes.get("synthesis.b16.conv1.noise_const"), [16, 16]);
  assert.deepEqual(shapes.get("synthesis.b16.conv1.noise_strength"), []);
});
