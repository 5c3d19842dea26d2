import assert from "node:assert/strict";
import { readManifestJson } from "../tests/_fixtures.ts";
import {
  channelsAt,
  CHURCH_256,
  FFHQ_1024,
  type GeneratorConfig,
  generatorConfigFromInitKwargs,
  numWs,
  resolveGeneratorConfig,
} from "./config.ts";
import {
  formatRegistryTable,
  layerRegistry,
  type LayerSpec,
  TARGET_SET_NAMES,
  targetLayers,
} from "./registry.ts";

// ---- fixtures (the official code's manifests; see shared/fixtures/reference/README.md §4) ----

// ---- spec §1.2, transcribed row by row (the grouped rows 5-25 expanded) ----
// Columns: ADA name, O, I, k, gen ws (styleIndex), hyp idx (featureSlot), rosinality module name.
// The spec writes rows 0 and 1 as "conv1.conv" / "to_rgb1.conv" (the modulated conv inside the module);
// the registry names the module itself, as the spec does for every other row.
type SpecRow = [string, number, number, number, number, number, string];
const SPEC_TABLE_1024: readonly SpecRow[] = [
  ["b4.conv1", 512, 512, 3, 0, 0, "conv1"],
  ["b4.torgb", 3, 512, 1, 1, 1, "to_rgb1"],
  ["b8.conv0", 512, 512, 3, 1, 2, "convs.0"],
  ["b8.conv1", 512, 512, 3, 2, 3, "convs.1"],
  ["b8.torgb", 3, 512, 1, 3, 3, "to_rgbs.0"],
  ["b16.conv0", 512, 512, 3, 3, 4, "convs.2"],
  ["b16.conv1", 512, 512, 3, 4, 5, "convs.3"],
  ["b16.torgb", 3, 512, 1, 5, 5, "to_rgbs.1"],
  ["b32.conv0", 512, 512, 3, 5, 6, "convs.4"],
  ["b32.conv1", 512, 512, 3, 6, 7, "convs.5"],
  ["b32.torgb", 3, 512, 1, 7, 7, "to_rgbs.2"],
  ["b64.conv0", 512, 512, 3, 7, 8, "convs.6"],
  ["b64.conv1", 512, 512, 3, 8, 9, "convs.7"],
  ["b64.torgb", 3, 512, 1, 9, 9, "to_rgbs.3"],
  ["b128.conv0", 256, 512, 3, 9, 10, "convs.8"],
  ["b128.conv1", 256, 256, 3, 10, 11, "convs.9"],
  ["b128.torgb", 3, 256, 1, 11, 11, "to_rgbs.4"],
  ["b256.conv0", 128, 256, 3, 11, 12, "convs.10"],
  ["b256.conv1", 128, 128, 3, 12, 13, "convs.11"],
  ["b256.torgb", 3, 128, 1, 13, 13, "to_rgbs.5"],
  ["b512.conv0", 64, 128, 3, 13, 14, "convs.12"],
  ["b512.conv1", 64, 64, 3, 14, 15, "convs.13"],
  ["b512.torgb", 3, 64, 1, 15, 15, "to_rgbs.6"],
  ["b1024.conv0", 32, 64, 3, 15, 16, "convs.14"],
  ["b1024.conv1", 32, 32, 3, 16, 17, "convs.15"],
  ["b1024.torgb", 3, 32, 1, 17, 17, "to_rgbs.7"],
];

function asSpecRow(layer: LayerSpec): SpecRow {
  const [outChannels, inChannels, kernel] = layer.weightShape;
  return [
    layer.name,
    outChannels,
    inChannels,
    kernel,
    layer.styleIndex,
    layer.featureSlot,
    layer.rosinalityName,
  ];
}

function assertMatchesSpec(registry: readonly LayerSpec[], expected: readonly SpecRow[]): void {
  assert.equal(
    registry.length,
    expected.length,
    `Row count differs; the registry is\n${formatRegistryTable(registry)}`,
  );
  registry.forEach((layer, row) => {
    assert.deepEqual(
      asSpecRow(layer),
      expected[row],
      `Row ${row} differs from spec §1.2; the registry is\n${formatRegistryTable(registry)}`,
    );
  });
}

Deno.test("layerRegistry at 1024 / channelBase 32768 equals the spec §1.2 table row by row", () => {
  const registry = layerRegistry(FFHQ_1024);
  assertMatchesSpec(registry, SPEC_TABLE_1024);
  registry.forEach((layer, row) => {
    assert.equal(layer.index, row);
    assert.equal(layer.weightName, `synthesis.${layer.name}.weight`);
    assert.equal(layer.upsample, layer.kind === "conv0");
    assert.equal(layer.resolution, layer.block);
  });
});

Deno.test("layerRegistry at 256 equals rows 0-19 of the spec table (the church model)", () => {
  assertMatchesSpec(layerRegistry(CHURCH_256), SPEC_TABLE_1024.slice(0, 20));
});

Deno.test("layerRegistry gives rosinality noise j: 0 for b4.conv1, 2m+1 / 2m+2 for b{2^(m+3)}", () => {
  const noise = layerRegistry(FFHQ_1024).map((layer) => [layer.name, layer.rosinalityNoiseIndex]);
  assert.deepEqual(noise.slice(0, 8), [
    ["b4.conv1", 0],
    ["b4.torgb", null],
    ["b8.conv0", 1],
    ["b8.conv1", 2],
    ["b8.torgb", null],
    ["b16.conv0", 3],
    ["b16.conv1", 4],
    ["b16.torgb", null],
  ]);
  assert.deepEqual(noise.at(-3), ["b1024.conv0", 15]);
  assert.deepEqual(noise.at(-2), ["b1024.conv1", 16]);
});

Deno.test("formatRegistryTable prints the spec's column layout, one row per layer", () => {
  const lines = formatRegistryTable(layerRegistry(FFHQ_1024)).split("\n");
  assert.equal(lines.length, 2 + 26);
  assert.equal(
    lines[0],
    "| # | ADA name (`synthesis.`…) | rosinality name | weight shape (O,I,k,k) | gen ws | hyp idx |",
  );
  assert.equal(lines[2], "| 0 | b4.conv1 | conv1 | 512,512,3,3 | 0 | 0 |");
  assert.equal(lines[4], "| 2 | b8.conv0 (up) | convs.0 | 512,512,3,3 | 1 | 2 |");
  assert.equal(lines.at(-1), "| 25 | b1024.torgb | to_rgbs.7 | 3,32,1,1 | 17 | 17 |");
});

Deno.test(
  "targetLayers conv_without_bias equals the official target_shape of the ffhq1024 and church256 manifests",
  {},
  () => {
    for (const fixture of ["hyperinverter-ffhq1024", "hyperinverter-church256"]) {
      const manifest = readManifestJson(fixture);
      const config = generatorConfigFromInitKwargs(manifest.config.G_init_kwargs);
      assert.equal(config.resolution, manifest.config.output_size);
      assert.equal(numWs(config), manifest.config.num_ws);
      assert.equal(numWs(config), manifest.config.n_styles);
      const targets = targetLayers(
        layerRegistry(config),
        manifest.config.target_shape_name ?? "conv_without_bias",
      );
      const actual = targets.map((target) => ({
        name: target.name,
        shape: [...target.shape],
        w_idx: target.featureSlot,
      }));
      assert.deepEqual(actual, manifest.config.target_shape, `${fixture}: target_shape differs`);
    }
  },
);

Deno.test(
  "targetLayers conv_without_bias equals the generator-64 added_weights_prng layers (batch dim dropped)",
  {},
  () => {
    const manifest = readManifestJson("generator-64");
    const config = generatorConfigFromInitKwargs(manifest.config.init_kwargs);
    const expected = manifest.added_weights_prng.layers.map((layer: { name: string; shape: number[] }) => {
      assert.equal(layer.shape[0], 2);
      return { name: layer.name, shape: layer.shape.slice(1) };
    });
    const actual = targetLayers(layerRegistry(config), "conv_without_bias")
      .map((target) => ({ name: target.name, shape: [...target.shape] }));
    assert.deepEqual(actual, expected);
    assert.equal(numWs(config), manifest.config.num_ws);
    for (const [res, channels] of Object.entries(manifest.config.channels)) {
      assert.equal(channelsAt(config, Number(res)), channels, `channels at ${res}`);
    }
  },
);

Deno.test(
  "layerRegistry rosinality names, shapes and noise buffers match the generator-64 rosinality_g_ema.pt keys",
  {},
  () => {
    const manifest = readManifestJson("generator-64");
    const config = generatorConfigFromInitKwargs(manifest.config.init_kwargs);
    const keys = new Map<string, number[]>(manifest.real_format_files["rosinality_g_ema.pt"].keys);
    const registry = layerRegistry(config);
    for (const layer of registry) {
      assert.deepEqual(
        keys.get(layer.rosinalityWeightName),
        [1, ...layer.weightShape],
        layer.rosinalityWeightName,
      );
      assert.deepEqual(keys.get(`${layer.rosinalityName}.conv.modulation.weight`), [
        ...layer.affineWeightShape,
      ]);
      if (layer.rosinalityNoiseIndex !== null) {
        const noiseName = `noises.noise_${layer.rosinalityNoiseIndex}`;
        assert.deepEqual(keys.get(noiseName), [1, 1, layer.resolution, layer.resolution], noiseName);
      }
    }
    const noiseKeys = [...keys.keys()].filter((key) => key.startsWith("noises.")).sort();
    const registryNoise = registry.filter((layer) => layer.rosinalityNoiseIndex !== null)
      .map((layer) => `noises.noise_${layer.rosinalityNoiseIndex}`).sort();
    assert.deepEqual(registryNoise, noiseKeys);
    const modules = new Set(
      [...keys.keys()].filter((key) => key.endsWith(".conv.weight")).map((key) => key.slice(0, -12)),
    );
    assert.deepEqual(new Set(registry.map((layer) => layer.rosinalityName)), modules);
  },
);

Deno.test("targetLayers: the three official sets at 1024 (models/weight_shapes.py)", () => {
  const registry = layerRegistry(FFHQ_1024);
  const conv = targetLayers(registry, "conv_without_bias");
  assert.equal(conv.length, 26);
  assert.equal(conv[0].regressorKey, "b4_conv1_weight");
  assert.equal(conv.reduce((sum, target) => sum + target.shape.reduce((a, b) => a * b, 1), 0), 23_592_864);
  assert.equal(
    targetLayers(layerRegistry(CHURCH_256), "conv_without_bias")
      .reduce((sum, target) => sum + target.shape.reduce((a, b) => a * b, 1), 0),
    23_454_336,
  );

  const withoutToRgb = targetLayers(registry, "conv_without_bias_without_torgb");
  assert.equal(withoutToRgb.length, 17);
  assert.deepEqual(
    withoutToRgb.slice(0, 3).map((target) => [target.name, target.featureSlot]),
    [["b4.conv1.weight", 0], ["b8.conv0.weight", 2], ["b8.conv1.weight", 3]],
  );

  const all = targetLayers(registry, "all_without_bias");
  assert.equal(all.length, 52);
  assert.deepEqual(all.slice(0, 26), conv);
  const affine = all.slice(26).map((target) => [target.name, [...target.shape], target.featureSlot]);
  assert.deepEqual(affine.slice(0, 3), [
    ["b4.conv1.affine.weight", [512, 512], 0],
    ["b4.torgb.affine.weight", [512, 512], 1],
    ["b8.conv0.affine.weight", [512, 512], 2],
  ]);
  assert.deepEqual(affine.slice(14, 17), [
    ["b128.conv0.affine.weight", [512, 512], 10],
    ["b128.conv1.affine.weight", [256, 512], 11],
    ["b128.torgb.affine.weight", [256, 512], 11],
  ]);
  assert.deepEqual(affine.at(-1), ["b1024.torgb.affine.weight", [32, 512], 17]);
  assert.equal(all[26].regressorKey, "b4_conv1_affine_weight");
});

Deno.test("targetLayers rejects an unknown set name with a RangeError listing the valid ones", () => {
  const registry = layerRegistry(CHURCH_256);
  assert.throws(() => targetLayers(registry, ""), (error: unknown) => {
    assert.ok(error instanceof RangeError);
    assert.match(error.message, /^Unknown target set name ""/);
    for (const name of TARGET_SET_NAMES) assert.ok(error.message.includes(name), name);
    return true;
  });
  assert.throws(() => targetLayers(registry, "conv_with_bias"), RangeError);
});

function checkConsistent(config: GeneratorConfig): void {
  const label = JSON.stringify(config);
  const registry = layerRegistry(config);
  const log2R = Math.log2(config.resolution);
  const rows = numWs(config);
  assert.equal(registry.length, 3 * log2R - 4, label);
  assert.equal(rows, 2 * log2R - 2, label);
  assert.equal(new Set(registry.map((layer) => layer.name)).size, registry.length, label);

  // Every w row and every E2 feature map is read by some layer, and none beyond num_ws.
  const range = [...Array(rows).keys()];
  assert.deepEqual(
    [...new Set(registry.map((layer) => layer.styleIndex))].sort((a, b) => a - b),
    range,
    label,
  );
  assert.deepEqual(
    [...new Set(registry.map((layer) => layer.featureSlot))].sort((a, b) => a - b),
    range,
    label,
  );

  const byName = new Map(registry.map((layer) => [layer.name, layer]));
  const at = (name: string): LayerSpec => {
    const layer = byName.get(name);
    assert.ok(layer, `${label}: missing ${name}`);
    return layer;
  };
  assert.equal(at("b4.conv1").inChannels, channelsAt(config, 4));
  assert.equal(at("b4.torgb").inChannels, at("b4.conv1").outChannels);
  for (let block = 8; block <= config.resolution; block *= 2) {
    const conv0 = at(`b${block}.conv0`);
    const conv1 = at(`b${block}.conv1`);
    const torgb = at(`b${block}.torgb`);
    assert.equal(conv0.inChannels, at(`b${block / 2}.conv1`).outChannels, `${label}: b${block}.conv0 input`);
    assert.equal(conv1.inChannels, conv0.outChannels, `${label}: b${block}.conv1 input`);
    assert.equal(torgb.inChannels, conv1.outChannels, `${label}: b${block}.torgb input`);
    assert.equal(conv0.outChannels, channelsAt(config, block));
    // A block's torgb shares its w row with the next block's conv0 (ADA ws slicing).
    if (block < config.resolution) assert.equal(torgb.styleIndex, at(`b${block * 2}.conv0`).styleIndex);
    assert.equal(torgb.featureSlot, conv1.featureSlot);
  }
  for (const layer of registry) {
    assert.ok(layer.inChannels >= 1 && layer.outChannels >= 1, `${label}: ${layer.name} channels`);
    assert.deepEqual(
      [...layer.weightShape],
      [layer.outChannels, layer.inChannels, layer.kernel, layer.kernel],
      `${label}: ${layer.name} shape`,
    );
    assert.deepEqual([...layer.affineWeightShape], [layer.inChannels, config.wDim]);
    assert.equal(layer.kernel, layer.kind === "torgb" ? 1 : 3);
    if (layer.kind === "torgb") assert.equal(layer.outChannels, config.imgChannels);
  }
  const noise = registry.flatMap((layer) =>
    layer.rosinalityNoiseIndex === null ? [] : [layer.rosinalityNoiseIndex]
  );
  assert.deepEqual(noise, [...Array(2 * log2R - 3).keys()], `${label}: noise indices`);
}

Deno.test("layerRegistry is consistent at every resolution 8..1024 and odd channel settings", () => {
  const channelSettings = [
    { channelBase: 32768, channelMax: 512 },
    { channelBase: 1024, channelMax: 64 },
    { channelBase: 1000, channelMax: 37 },
    { channelBase: 3000, channelMax: 1000 },
    { channelBase: 1024, channelMax: 1 },
  ];
  let checked = 0;
  for (let resolution = 8; resolution <= 1024; resolution *= 2) {
    for (const channels of channelSettings) {
      if (channels.channelBase < resolution) continue;
      for (const imgChannels of [3, 1]) {
        checkConsistent(resolveGeneratorConfig({ resolution, ...channels, imgChannels, wDim: 64 }));
        checked++;
      }
    }
  }
  assert.equal(checked, 78); // 8 resolutions × 5 settings × 2, less channelBase 1000 at 1024
});

Deno.test("channelsAt uses integer division and the cap; numWs is 2·log2 R − 2", () => {
  const odd = resolveGeneratorConfig({ resolution: 64, channelBase: 1000, channelMax: 100 });
  assert.deepEqual([4, 8, 16, 32, 64].map((res) => channelsAt(odd, res)), [100, 100, 62, 31, 15]);
  assert.deepEqual([4, 64, 128, 256, 512, 1024].map((res) => channelsAt(FFHQ_1024, res)), [
    512,
    512,
    256,
    128,
    64,
    32,
  ]);
  assert.equal(numWs(FFHQ_1024), 18);
  assert.equal(numWs(CHURCH_256), 14);
  assert.equal(numWs(resolveGeneratorConfig({ resolution: 8 })), 4);
  for (const res of [2, 3, 6, 2048]) {
    assert.throws(() => channelsAt(FFHQ_1024, res), RangeError);
  }
  assert.throws(() => channelsAt(CHURCH_256, 512), /got 512/);
});

Deno.test("resolveGeneratorConfig fills the documented defaults; the presets are frozen", () => {
  assert.deepEqual(FFHQ_1024, {
    resolution: 1024,
    channelBase: 32768,
    channelMax: 512,
    zDim: 512,
    wDim: 512,
    mappingLayers: 8,
    mappingLrMultiplier: 0.01,
    imgChannels: 3,
    wAvgBeta: 0.995,
  });
  assert.deepEqual(CHURCH_256, { ...FFHQ_1024, resolution: 256 });
  assert.ok(Object.isFrozen(FFHQ_1024) && Object.isFrozen(CHURCH_256));
  assert.deepEqual(resolveGeneratorConfig({ resolution: 256, channelBase: undefined }), CHURCH_256);
  assert.ok(Object.isFrozen(layerRegistry(CHURCH_256)) && Object.isFrozen(layerRegistry(CHURCH_256)[0]));
});

Deno.test("resolveGeneratorConfig rejects bad values with a RangeError naming the field and value", () => {
  const cases: [Partial<GeneratorConfig> & { resolution: number }, RegExp][] = [
    [{ resolution: 96 }, /resolution .*got 96$/],
    [{ resolution: 4 }, /resolution .*got 4$/],
    [{ resolution: 2048 }, /resolution .*got 2048$/],
    [{ resolution: 0 }, /resolution .*got 0$/],
    [{ resolution: 16.5 }, /resolution .*got 16.5$/],
    [{ resolution: -64 }, /resolution .*got -64$/],
    [{ resolution: 64, channelBase: 0 }, /channelBase .*got 0$/],
    [{ resolution: 64, channelBase: 1024.5 }, /channelBase .*got 1024.5$/],
    [{ resolution: 1024, channelBase: 512 }, /channelBase .*got 512$/],
    [{ resolution: 64, channelMax: -1 }, /channelMax .*got -1$/],
    [{ resolution: 64, zDim: 0 }, /zDim .*got 0$/],
    [{ resolution: 64, wDim: 1.5 }, /wDim .*got 1.5$/],
    [{ resolution: 64, mappingLayers: 0 }, /mappingLayers .*got 0$/],
    [{ resolution: 64, imgChannels: 0 }, /imgChannels .*got 0$/],
    [{ resolution: 64, mappingLrMultiplier: 0 }, /mappingLrMultiplier .*got 0$/],
    [{ resolution: 64, mappingLrMultiplier: Infinity }, /mappingLrMultiplier .*got Infinity$/],
    [{ resolution: 64, wAvgBeta: 1.5 }, /wAvgBeta .*got 1.5$/],
    [{ resolution: 64, wAvgBeta: NaN }, /wAvgBeta .*got NaN$/],
  ];
  for (const [partial, message] of cases) {
    assert.throws(() => resolveGeneratorConfig(partial), (error: unknown) => {
      assert.ok(error instanceof RangeError, `${JSON.stringify(partial)}: ${error}`);
      assert.match(error.message, /^GeneratorConfig\./);
      assert.match(error.message, message);
      return true;
    });
  }
});

Deno.test("resolveGeneratorConfig rejects wrong types and unknown fields with a TypeError", () => {
  const untyped = resolveGeneratorConfig as (partial: Record<string, unknown>) => GeneratorConfig;
  assert.throws(() => untyped({ resolution: "1024" }), TypeError);
  assert.throws(
    () => untyped({ resolution: 1024, channelMax: null }),
    /channelMax must be a number, got null/,
  );
  assert.throws(
    () => untyped({ resolution: 1024, channel_base: 16384 }),
    /Unknown GeneratorConfig field "channel_base"/,
  );
});

Deno.test("generatorConfigFromInitKwargs reads ADA init_kwargs and rejects unsupported settings", () => {
  const base = {
    z_dim: 512,
    c_dim: 0,
    w_dim: 512,
    img_resolution: 256,
    img_channels: 3,
    mapping_kwargs: { num_layers: 8, lr_multiplier: 0.01, w_avg_beta: 0.995 },
    synthesis_kwargs: {
      channel_base: 32768,
      channel_max: 512,
      architecture: "skip",
      resample_filter: [1, 3, 3, 1],
    },
  };
  assert.deepEqual(generatorConfigFromInitKwargs(base), CHURCH_256);
  assert.throws(() => generatorConfigFromInitKwargs({ ...base, c_dim: 10 }), /c_dim must be 0, got 10/);
  assert.throws(
    () => generatorConfigFromInitKwargs({ ...base, synthesis_kwargs: { architecture: "resnet" } }),
    /"resnet"/,
  );
  assert.throws(() => generatorConfigFromInitKwargs({ ...base, img_resolution: undefined }), TypeError);
  assert.throws(() => generatorConfigFromInitKwargs({ ...base, img_resolution: 300 }), RangeError);
});
