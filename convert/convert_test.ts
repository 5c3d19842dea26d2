import assert from "node:assert/strict";
import { importGenerator } from "./import_generator.ts";
import { referenceFixturesRoot } from "../io/reference_fixture.ts";
import { loadReferenceFixture } from "../io/reference_fixture.ts";
import { mappingGraph, synthesisGraph } from "../generator/generator_graphs.ts";
import { GraphSession } from "../runtime/session.ts";
import { parameterFeeds } from "../runtime/weights.ts";
import { assertClose } from "../tests/_assert_close.ts";
import { convertHyperInverterCheckpoint } from "./hyperinverter.ts";
import { resolveArchitecture } from "../model/architecture.ts";
import { hyperInverterGraph } from "../model/pipeline_graph.ts";
import { HyperInverter } from "../model/hyperinverter.ts";
import { rgbBytesToTensor } from "../io/image.ts";
import type { StateDict } from "./state_dict.ts";

const generator64 = `${referenceFixturesRoot()}/generator-64`;

for (const file of ["G_ema.pkl", "rosinality_g_ema.pt"]) {
  Deno.test(`the official-format ${file} imports and reproduces the generator-64 goldens`, async () => {
    const { config, weights } = await importGenerator(`${generator64}/${file}`);
    assert.equal(config.resolution, 64);
    assert.equal(config.mappingLayers, 2);
    const fixture = await loadReferenceFixture("generator-64");
    const synthesis = synthesisGraph(config, { batch: 2 });
    const image = await (await GraphSession.create(synthesis)).run({
      ws: (await fixture.readFloat32("inputs", "ws")).data,
      ...parameterFeeds(synthesis, weights),
    });
    assertClose(
      image.outputs.img.data as Float32Array,
      (await fixture.readFloat32("outputs", "img")).data,
      1e-4,
      "img",
    );
    const mapping = mappingGraph(config, { batch: 2, truncationPsi: 0.7 });
    const ws = await (await GraphSession.create(mapping)).run({
      z: (await fixture.readFloat32("inputs", "z")).data,
      ...parameterFeeds(mapping, weights),
    });
    assertClose(
      ws.outputs.ws.data as Float32Array,
      (await fixture.readFloat32("outputs", "mapping_psi0.7")).data,
      1e-4,
      "ws",
    );
  });
}

function shapesOnly(prefix: string, hiddenDim: number): StateDict {
  const architecture = resolveArchitecture({
    generator: { resolution: 1024 },
    wEncoder: { preset: "ffhq1024" },
    layerWiseEncoder: { preset: "ffhq1024" },
    hypernet: { hiddenDim },
  });
  const out: StateDict = new Map();
  for (const p of hyperInverterGraph(architecture).parameters) {
    if (p.name.startsWith(prefix)) out.set(p.name, { data: new Float32Array(0), shape: [...p.shape] });
  }
  return out;
}

Deno.test("a D=128 checkpoint for a D=256 config fails with a list of mismatched names and shapes", () => {
  const stateDict: StateDict = new Map([
    ...shapesOnly("w_encoder.", 128),
    ...shapesOnly("w_bar_encoder.", 128),
    ...shapesOnly("hypernet.", 128),
  ]);
  stateDict.set("discriminator.b4.out.weight", { data: new Float32Array(0), shape: [1, 512] });
  const opts = {
    dataset_type: "ffhq_encode",
    encoder_type: "LayerWiseEncoder",
    output_size: 1024,
    hidden_dim: 256,
    target_shape_name: "conv_without_bias",
  };
  assert.throws(
    () => convertHyperInverterCheckpoint(stateDict, opts, "hi_d128.pt"),
    (e: Error) =>
      /hypernet of "hi_d128\.pt" does not fit the architecture \(\d+ difference\(s\)\)/.test(e.message) &&
      /weight_regressors\.b4_conv1_weight\.w1: shape \[128, 65536\], expected \[256, 131072\]/.test(
        e.message,
      ) &&
      !/w_encoder of/.test(e.message),
  );
  // The same file with the matching config converts, and reports what it left out.
  const converted = convertHyperInverterCheckpoint(stateDict, { ...opts, hidden_dim: 128 }, "hi_d128.pt");
  assert.deepEqual(converted.ignored, ["discriminator."]);
  assert.equal(converted.architecture.hypernet.hiddenDim, 128);
});

Deno.test("a HyperInverter state dict + opts convert to modules that reproduce the church256 golden", async () => {
  const fixture = await loadReferenceFixture("hyperinverter-church256");
  const stateDict: StateDict = new Map();
  for (const [module, prefix] of [["E1", "w_encoder."], ["E2", "w_bar_encoder."], ["H", "hypernet."]]) {
    for (const [name, weight] of fixture.moduleWeights(module)) stateDict.set(prefix + name, weight);
  }
  const opts = fixture.manifest.config as { opts: Record<string, unknown> };
  const converted = convertHyperInverterCheckpoint(stateDict, opts.opts, "church.pt");
  const weights = new Map<string, { data: Float32Array; shape: readonly number[] }>([
    ...fixture.moduleWeights("G"),
  ]);
  for (
    const [module, prefix] of [["wEncoder", "w_encoder."], ["layerWiseEncoder", "w_bar_encoder."], [
      "hypernet",
      "hypernet.",
    ]] as const
  ) {
    for (const [name, weight] of converted[module]) weights.set(prefix + name, weight);
  }
  const model = new HyperInverter(resolveArchitecture(converted.architecture), weights);
  const u8 = (await fixture.readTensor("inputs", "input_u8")).data as Uint8Array;
  const result = await model.invert(rgbBytesToTensor(u8, 256, 256), 1);
  assertClose(
    result.finalImages.data,
    (await fixture.readFloat32("outputs", "final_images")).data,
    1e-4,
    "final_images",
  );
});
