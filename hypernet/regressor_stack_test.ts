import assert from "node:assert/strict";
import { GraphBuilder } from "../graph/builder.ts";
import { gradients } from "../graph/autodiff.ts";
import { resolveGeneratorConfig } from "../generator/config.ts";
import { layerRegistry, targetLayers } from "../generator/registry.ts";
import { prngFill } from "../io/prng.ts";
import { GraphSession } from "../runtime/session.ts";
import { conv2d, slotSlicer } from "./_layers.ts";
import { FUSION_NAMES, FUSION_OPERATORS } from "./fusion/registry.ts";
import type { FusionOperator } from "./fusion/operator.ts";
import { hypernetGraph } from "./hypernet_graph.ts";
import { stackableFusion, stackedRegressors } from "./regressor_stack.ts";
import { perLayer } from "./sharing/per_layer.ts";

// A mini generator (16 px: 7 targets, b16.conv0 has I ≠ O) and a mini hypernet on 4×4 maps.
const MINI = layerRegistry(resolveGeneratorConfig({ resolution: 16, channelBase: 128, channelMax: 16 }));
const CONFIG = { hiddenDim: 8, featureChannels: 32, featureSize: 4, extractorWidth: 16 };

function feeds(graph: GraphBuilder): Record<string, Float32Array> {
  const values: Record<string, Float32Array> = {};
  [...graph.inputs, ...graph.parameters].forEach((t, k) =>
    values[t.name] = prngFill(0x57AC, k, t.size, 0, 0.5)
  );
  return values;
}

const maxAbs = (a: Float32Array, b: Float32Array) =>
  a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);

for (const fusion of FUSION_NAMES) {
  Deno.test(`${fusion}: stacked regressors have the one-by-one parameters (names, order, inits) and residuals`, async () => {
    const config = { ...CONFIG, fusion };
    const plain = hypernetGraph(config, MINI, { batch: 2, scope: "hypernet" });
    const stacked = hypernetGraph(config, MINI, { batch: 2, scope: "hypernet", stackRegressors: true });
    assert.deepEqual(stacked.parameters.map((p) => p.name), plain.parameters.map((p) => p.name));
    assert.deepEqual(stacked.parameters.map((p) => p.shape), plain.parameters.map((p) => p.shape));
    assert.deepEqual(
      stacked.parameters.map((p) => stacked.parameterInit(p)),
      plain.parameters.map((p) => plain.parameterInit(p)),
    );
    assert.ok(stacked.nodes.some((n) => n.name.includes("weight_regressors.stacked/")), "built as a stack");
    assert.ok(
      stacked.nodes.length < plain.nodes.length,
      `${stacked.nodes.length} < ${plain.nodes.length} nodes`,
    );
    const values = feeds(plain); // same names and order: the same values for both graphs
    const a = (await (await GraphSession.create(plain)).run(values)).outputs;
    const b = (await (await GraphSession.create(stacked)).run(values)).outputs;
    for (const name of Object.keys(a)) {
      const error = maxAbs(a[name].data as Float32Array, b[name].data as Float32Array);
      assert.ok(error <= 1e-5, `${fusion} ${name}: max |Δ| ${error}`);
    }
  });
}

Deno.test("stacked regressors: the gradients of every parameter and of Fw, Fx equal the one-by-one ones", async () => {
  const run = async (stackRegressors: boolean) => {
    const g = hypernetGraph({ ...CONFIG, fusion: "gated" }, MINI, { batch: 2, stackRegressors });
    const [fw, fx] = g.inputs;
    const loss = g.outputs.map((delta) => g.reduceSum(g.mul(delta, delta), [...delta.shape.keys()], false))
      .reduce((sum, t) => g.add(sum, t));
    const grads = gradients(g, loss, [fw, fx, ...g.parameters]);
    const names = ["Fw", "Fx", ...g.parameters.map((p) => p.name)];
    [fw, fx, ...g.parameters].forEach((t, k) => g.output(grads.get(t)!, `grad.${names[k]}`));
    const { outputs } = await (await GraphSession.create(g)).run(feeds(g));
    return outputs;
  };
  const [plain, stacked] = [await run(false), await run(true)];
  // fusion.0.bias feeds InstanceNorm, which removes it: its gradient is zero up to rounding in both.
  const names = Object.keys(plain).filter((n) => n.startsWith("grad.") && !n.endsWith("fusion.0.bias"));
  assert.ok(names.length > 7 * 8, `${names.length} gradients`);
  for (const name of names) {
    const expected = plain[name].data as Float32Array;
    const scale = Math.max(1e-3, ...expected.map(Math.abs));
    const error = maxAbs(expected, stacked[name].data as Float32Array);
    assert.ok(error <= 1e-5 * scale, `${name}: max |Δ| ${error} (scale ${scale})`);
  }
});

Deno.test("a plug-in fusion is not stacked (it may declare parameters its own way); stackedRegressors refuses it", () => {
  const plugin: FusionOperator = {
    name: "myFusion",
    description: "a researcher's fusion",
    build: (g, fw, fx) => conv2d(g, g.add(fw, fx), "mine", { outChannels: fw.shape[1], kernel: 1 }),
  };
  assert.equal(stackableFusion(plugin), false);
  assert.equal(stackableFusion(FUSION_OPERATORS.concatConv), true);
  const g = new GraphBuilder("plugin");
  const targets = targetLayers(MINI, "conv_without_bias");
  const maps = Math.max(...targets.map((t) => t.featureSlot)) + 1;
  const fwStack = g.input("Fw", [1, maps, 32, 4, 4]);
  const fxStack = g.input("Fx", [1, maps, 32, 4, 4]);
  const features = { fwStack, fxStack, fw: slotSlicer(g, fwStack), fx: slotSlicer(g, fxStack) };
  const settings = { fusion: plugin, hiddenDim: 8, extractorWidth: 16 };
  perLayer.build(g, targets, { settings, features, stackRegressors: true });
  assert.ok(!g.nodes.some((n) => n.name.includes("stacked")), "one by one");
  assert.ok(g.parameters.some((p) => p.name === "weight_regressors.b4_conv1_weight.fusion.mine.weight"));

  const regressors = targets.map((target) => ({
    scope: `r.${target.regressorKey}`,
    target,
    fw: features.fw(0),
    fx: features.fx(0),
  }));
  assert.throws(
    () => stackedRegressors(g, regressors, settings),
    /Fusion "myFusion" is not a built-in operator and cannot be stacked/,
  );
  const odd = [regressors[0], { ...regressors[1], fw: g.input("small", [1, 32, 2, 2]) }];
  assert.throws(
    () => stackedRegressors(g, odd, { ...settings, fusion: FUSION_OPERATORS.sum }),
    /Stacked regressors need features of one shape \[1,32,4,4\], "r\.b\w+" reads \[1,32,2,2\]/,
  );
});
