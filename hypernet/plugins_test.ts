import * as assert from "node:assert/strict";
import { GraphBuilder } from "../graph/builder.ts";
import { resolveGeneratorConfig } from "../generator/config.ts";
import { layerRegistry } from "../generator/registry.ts";
import { PluginError } from "../io/plugin_loader.ts";
import { resolveHypernetConfig } from "./config.ts";
import {
  FUSION_NAMES,
  fusionOperator,
  fusionOperatorProblem,
  resolveFusionOperator,
} from "./fusion/registry.ts";
import { buildHypernet } from "./hypernet.ts";
import { hypernetGraph } from "./hypernet_graph.ts";
import { REGRESSOR_INIT, ZERO_INIT } from "./init.ts";
import { resolveHypernetPlugins } from "./plugins.ts";
import {
  resolveSharingStrategy,
  SHARING_NAMES,
  sharingStrategy,
  sharingStrategyProblem,
} from "./sharing/registry.ts";

const EXAMPLES = new URL("../examples/plugins/", import.meta.url);
const MY_FUSION = new URL("my_fusion.ts#residualConcat", EXAMPLES).href;
const MY_SHARING = new URL("my_sharing.ts#perSlot", EXAMPLES).href;
const REGISTRY = layerRegistry(resolveGeneratorConfig({ resolution: 64, channelBase: 1024, channelMax: 64 }));
const TINY = { hiddenDim: 4, featureChannels: 64, featureSize: 4, extractorWidth: 8 };

async function withFolder(body: (dir: string) => Promise<void>) {
  const dir = await Deno.makeTempDir({ prefix: "hypernet-plugins-" });
  try {
    await body(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("contract: every built-in and the example plug-ins load through one loader and build a hypernet", async () => {
  const fusions = [...FUSION_NAMES, MY_FUSION];
  const sharings = [...SHARING_NAMES, MY_SHARING];
  for (const name of fusions) {
    const loaded = await resolveFusionOperator(name);
    assert.equal(fusionOperatorProblem(loaded.value), undefined, name);
    assert.equal(loaded.value, fusionOperator(loaded.builtin ? name : loaded.specifier), name);
    assert.equal(loaded.builtin, !name.includes("#"));
  }
  for (const name of sharings) {
    const loaded = await resolveSharingStrategy(name);
    assert.equal(sharingStrategyProblem(loaded.value), undefined, name);
    assert.equal(loaded.value, sharingStrategy(loaded.builtin ? name : loaded.specifier), name);
  }
  for (
    const [fusion, sharing] of [...fusions.map((f) => [f, "perLayer"]), ...sharings.map((s) => ["gated", s])]
  ) {
    const g = hypernetGraph({ ...TINY, fusion, sharing }, REGISTRY, { batch: 2 });
    assert.equal(g.outputs.length, 14, `${fusion}/${sharing}`);
    assert.deepEqual(g.outputs[0].shape, [2, 64, 64, 3, 3], `${fusion}/${sharing}`);
    // Initialisation is declared, not keyed on names: every hypernet parameter has one.
    for (const p of g.parameters) {
      assert.ok(g.parameterInit(p) ?? sharing !== "perLayer", `${p.name} has no init`);
    }
  }
});

Deno.test("init: built-in regressors declare a small init and zero biases; a plug-in's own init wins", async () => {
  await resolveFusionOperator(MY_FUSION);
  const g = hypernetGraph({ ...TINY, fusion: MY_FUSION }, REGISTRY);
  const init = (name: string) => g.parameterInit(name);
  assert.deepEqual(init("weight_regressors.b8_conv0_weight.w1"), REGRESSOR_INIT);
  assert.deepEqual(init("weight_regressors.b8_conv0_weight.b1"), ZERO_INIT);
  assert.deepEqual(init("weight_regressors.b8_conv0_weight.fusion.0.weight"), REGRESSOR_INIT); // inherited
  assert.deepEqual(init("weight_regressors.b8_conv0_weight.fusion.0.bias"), { kind: "constant", value: 0 });
  const shared = hypernetGraph({ ...TINY, sharing: "sharedWeights" }, REGISTRY);
  assert.equal(shared.parameterInit("shared_weights.64x64x3x3.w1"), undefined); // the documented default
});

Deno.test("config: a specifier is accepted by its form; an unknown name lists names and the plug-in form", () => {
  assert.equal(resolveHypernetConfig({ fusion: "./x.ts#y" }).fusion, "./x.ts#y");
  assert.throws(
    () => resolveHypernetConfig({ fusion: "concat" }),
    /Unknown HypernetConfig\.fusion "concat"; valid names are concatConv, .*or a plug-in "<module specifier>#<export>"/,
  );
  assert.throws(() => resolveHypernetConfig({ sharing: "x.ts#" }), RangeError);
});

Deno.test("a specifier nothing has loaded is refused at graph build, naming it", () => {
  const g = new GraphBuilder("h");
  const fw = g.input("Fw", [1, 10, 64, 4, 4]);
  assert.throws(
    () => buildHypernet(g, { ...TINY, fusion: "file:///nowhere/never.ts#never" }, REGISTRY, fw, fw),
    (e) =>
      e instanceof PluginError && e.message.includes("file:///nowhere/never.ts#never") &&
      /not been loaded/.test(e.message),
  );
});

Deno.test("a shape error in a plug-in at graph build time names the specifier", async () => {
  await withFolder(async (dir) => {
    await Deno.writeTextFile(
      `${dir}/bad.ts`,
      `export const wrongConcat = { name: "wrongConcat", description: "concat along the wrong axis",
  build: (g, fw, fx) => g.add(g.concat([fw, fx], 2), fw) };
export const dropsOne = { name: "dropsOne", description: "forgets a target",
  build: () => new Map() };
`,
    );
    const { config } = await resolveHypernetPlugins({ ...TINY, fusion: "./bad.ts#wrongConcat" }, {
      base: `${dir}/suite.json`,
    });
    assert.throws(
      () => hypernetGraph(config, REGISTRY),
      (e) =>
        e instanceof TypeError &&
        e.message.startsWith(
          `Fusion operator "file://${dir}/bad.ts#wrongConcat" failed while building the graph:`,
        ),
    );
    const sharing = await resolveHypernetPlugins({ ...TINY, sharing: `${dir}/bad.ts#dropsOne` });
    assert.throws(
      () => hypernetGraph(sharing.config, REGISTRY),
      new RegExp(
        `Sharing strategy "file://${dir}/bad.ts#dropsOne" returned no residual for target "b4.conv1.weight"`,
      ),
    );
  });
});

Deno.test("resolveHypernetPlugins makes specifiers absolute, records hashes and refuses a changed source", async () => {
  await withFolder(async (dir) => {
    await Deno.copyFile(new URL("my_fusion.ts", EXAMPLES), `${dir}/my_fusion.ts`);
    await Deno.writeTextFile(
      `${dir}/my_fusion.ts`,
      (await Deno.readTextFile(`${dir}/my_fusion.ts`)).replaceAll(
        "../../",
        `${new URL("../", import.meta.url).href}`,
      ),
    );
    const told: string[] = [];
    const first = await resolveHypernetPlugins({ fusion: "./my_fusion.ts#residualConcat" }, {
      base: `${dir}/suite.json`,
      onPluginLoad: (m) => told.push(m),
    });
    const specifier = `file://${dir}/my_fusion.ts#residualConcat`;
    assert.equal(first.config.fusion, specifier);
    assert.match(first.plugins[specifier], /^[0-9a-f]{64}$/);
    assert.deepEqual(told, [`Importing fusion operator ${specifier}`]);
    await Deno.writeTextFile(`${dir}/my_fusion.ts`, "// changed\n", { append: true });
    await assert.rejects(
      resolveHypernetPlugins({ fusion: specifier }, { expectedSha256: first.plugins }),
      (e) =>
        e instanceof PluginError && e.kind === "hash-mismatch" &&
        e.message.includes(first.plugins[specifier]),
    );
  });
});
