/**
 * Hypernet parity with the official `Hypernetwork` (reference fixture hypernet-64, README §4–§5): D = 16, the 14
 * `conv_without_bias` targets of the generator-64 shapes, PRNG features and weights. Tolerance: max-abs 1e-4
 * (the official code's own 1-vs-2-thread difference on ΔW is 6e-7).
 */
import assert from "node:assert/strict";
import { resolveGeneratorConfig } from "../generator/config.ts";
import { layerRegistry, targetLayers } from "../generator/registry.ts";
import { hypernetGraph } from "../hypernet/hypernet_graph.ts";
import { hypernetParameters } from "../hypernet/hypernet.ts";
import { loadReferenceFixture } from "../io/reference_fixture.ts";
import { GraphSession } from "../runtime/session.ts";
import { parameterFeeds } from "../runtime/weights.ts";
import { assertClose } from "./_assert_close.ts";

const TOLERANCE = 1e-4;
const fixture = await loadReferenceFixture("hypernet-64");
const fixtureConfig = fixture.manifest.config as {
  hidden_dim: number;
  input_dim: number;
  target_shape: { name: string; shape: number[]; w_idx: number; regressor: string }[];
};
// generator-64 (README §4): 64 px, channel_base 1024, channel_max 64 → channels 4:64 … 32:32, 64:16.
const registry = layerRegistry(resolveGeneratorConfig({ resolution: 64, channelBase: 1024, channelMax: 64 }));
const config = { hiddenDim: fixtureConfig.hidden_dim, featureChannels: fixtureConfig.input_dim };

Deno.test("hypernet-64: the targets (names, regressor keys, shapes, feature slots) are the fixture's", () => {
  const targets = targetLayers(registry, "conv_without_bias");
  assert.deepEqual(
    targets.map((t) => ({
      name: t.name,
      shape: [...t.shape],
      w_idx: t.featureSlot,
      regressor: t.regressorKey,
    })),
    fixtureConfig.target_shape,
  );
});

Deno.test("hypernet-64: perLayer parameter names, shapes and order equal the official state dict", () => {
  const expected = fixture.moduleEntry("H").tensors.map((t) => ({ name: t.name, shape: t.shape }));
  assert.equal(expected.length, 14 * 14);
  assert.deepEqual(hypernetParameters(config, registry), expected);
});

for (const stackRegressors of [false, true]) {
  const mode = stackRegressors ? " (regressors stacked)" : "";
  Deno.test(`hypernet-64: every dW, every v and the b4.conv1 fusion output within 1e-4${mode}`, async () => {
    const graph = hypernetGraph(config, registry, { batch: 2, exposeIntermediates: true, stackRegressors });
    const session = await GraphSession.create(graph);
    const { outputs } = await session.run({
      Fw: (await fixture.readFloat32("inputs", "Fw")).data,
      Fx: (await fixture.readFloat32("inputs", "Fx")).data,
      ...parameterFeeds(graph, fixture.moduleWeights("H")),
    });
    const report: string[] = [];
    let worst = 0;
    const compare = async (section: "outputs" | "intermediates", name: string) => {
      const expected = await fixture.readFloat32(section, name);
      assert.deepEqual(outputs[name].shape, expected.shape, `${name} shape`);
      const maxAbs = assertClose(outputs[name].data as Float32Array, expected.data, TOLERANCE, name);
      worst = Math.max(worst, maxAbs);
      report.push(`${name} ${maxAbs.toExponential(2)}`);
    };
    const dW = fixture.tensorNames("outputs").filter((n) => n.startsWith("dW."));
    assert.equal(dW.length, 14);
    for (const name of dW) await compare("outputs", name);
    const intermediates = fixture.tensorNames("intermediates");
    assert.equal(intermediates.length, 15);
    for (const name of intermediates) await compare("intermediates", name);
    console.log(`max |Δ| per tensor: ${report.join(", ")}; worst ${worst.toExponential(2)}`);
    await session.release();
  });
}
