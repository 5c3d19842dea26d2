import assert from "node:assert/strict";
import { GraphBuilder } from "../graph/builder.ts";
import { CHURCH_256, FFHQ_1024, resolveGeneratorConfig } from "../generator/config.ts";
import { layerRegistry, type LayerSpec, targetLayers } from "../generator/registry.ts";
import { prngFill } from "../io/prng.ts";
import { GraphSession } from "../runtime/session.ts";
import { buildHypernet, hypernetParameterCount, hypernetParameters } from "./hypernet.ts";
import { hypernetGraph } from "./hypernet_graph.ts";
import { FUSION_NAMES } from "./fusion/registry.ts";
import { SHARING_NAMES } from "./sharing/registry.ts";

// A mini generator (16 px, channels 4:16, 8:16, 16:8, so b16.conv0 has I ≠ O) and a mini hypernet.
const MINI = layerRegistry(resolveGeneratorConfig({ resolution: 16, channelBase: 128, channelMax: 16 }));
const MINI_HYPERNET = { hiddenDim: 8, featureChannels: 32, featureSize: 4, extractorWidth: 16 };
const BATCH = 2;

/** PRNG feeds for every input and parameter of a graph (scale 0.5: the values only need to be finite). */
function randomFeeds(graph: GraphBuilder, seed: number): Record<string, Float32Array> {
  const feeds: Record<string, Float32Array> = {};
  [...graph.inputs, ...graph.parameters].forEach((t, k) => feeds[t.name] = prngFill(seed, k, t.size, 0, 0.5));
  return feeds;
}

for (const sharing of SHARING_NAMES) {
  Deno.test(`${sharing} × every fusion operator: builds and runs a mini hypernet with the target shapes`, async () => {
    const targets = targetLayers(MINI, "conv_without_bias");
    for (const fusion of FUSION_NAMES) {
      const graph = hypernetGraph({ ...MINI_HYPERNET, fusion, sharing }, MINI, { batch: BATCH });
      const { outputs } = await (await GraphSession.create(graph)).run(randomFeeds(graph, 0x4D1));
      assert.deepEqual(Object.keys(outputs), targets.map((t) => `dW.${t.name}`));
      for (const target of targets) {
        const dW = outputs[`dW.${target.name}`];
        assert.deepEqual(dW.shape, [BATCH, ...target.shape], `${fusion} ${target.name}`);
        assert.ok((dW.data as Float32Array).every(Number.isFinite), `${fusion} ${target.name} is finite`);
      }
    }
  });
}

Deno.test("all_without_bias: affine residuals [B, I, wDim] next to the conv residuals, for every strategy", async () => {
  const targets = targetLayers(MINI, "all_without_bias");
  assert.equal(targets.length, 16);
  for (const sharing of SHARING_NAMES) {
    const graph = hypernetGraph({ ...MINI_HYPERNET, sharing, targetSet: "all_without_bias" }, MINI, {
      batch: 1,
    });
    const { outputs } = await (await GraphSession.create(graph)).run(randomFeeds(graph, 0x4D2));
    assert.deepEqual(outputs["dW.b16.conv0.affine.weight"].shape, [1, 16, 512], sharing);
    assert.deepEqual(outputs["dW.b16.torgb.weight"].shape, [1, 3, 8, 1, 1], sharing);
    assert.equal(Object.keys(outputs).length, targets.length);
  }
});

Deno.test("perLayer reads registry featureSlot (w_idx), not styleIndex: changing one slot moves only its layers", async () => {
  const graph = hypernetGraph(MINI_HYPERNET, MINI, { batch: 1 });
  const session = await GraphSession.create(graph);
  const feeds = randomFeeds(graph, 0x4D3);
  const before = (await session.run(feeds)).outputs;
  const fx = feeds.Fx.slice();
  const slot = 2, mapSize = 32 * 4 * 4; // b8.conv0 reads slot 2 (its style index is 1)
  fx.set(prngFill(0x4D4, 0, mapSize, 0, 0.5), slot * mapSize);
  const after = (await session.run({ ...feeds, Fx: fx })).outputs;
  const moved = targetLayers(MINI, "conv_without_bias").filter((t) => {
    const a = after[`dW.${t.name}`].data as Float32Array;
    const b = before[`dW.${t.name}`].data as Float32Array;
    return a.some((v, i) => v !== b[i]);
  });
  assert.deepEqual(moved.map((t) => t.name), ["b8.conv0.weight"]);
  assert.equal(moved[0].layer.styleIndex, 1);
});

Deno.test("intermediates: sharedCode gives every target the same v, perLayer a different one", async () => {
  for (const [sharing, same] of [["sharedCode", true], ["perLayer", false]] as const) {
    const graph = hypernetGraph({ ...MINI_HYPERNET, sharing }, MINI, { batch: 1, exposeIntermediates: true });
    const { outputs } = await (await GraphSession.create(graph)).run(randomFeeds(graph, 0x4D5));
    const codes = Object.keys(outputs).filter((n) => n.startsWith("v."));
    assert.equal(codes.length, 8);
    assert.ok(Object.keys(outputs).some((n) => n === "fusion.b8_conv0_weight"));
    const first = outputs[codes[0]].data as Float32Array;
    const equal = codes.every((n) => (outputs[n].data as Float32Array).every((v, i) => v === first[i]));
    assert.equal(equal, same, sharing);
  }
});

Deno.test("full size (graph only): every fusion × sharing at FFHQ-1024 and CHURCH-256 with D = 128", () => {
  for (const [generator, count, maps] of [[FFHQ_1024, 26, 18], [CHURCH_256, 20, 14]] as const) {
    const registry = layerRegistry(generator);
    const targets = targetLayers(registry, "conv_without_bias");
    assert.equal(targets.length, count);
    for (const sharing of SHARING_NAMES) {
      for (const fusion of FUSION_NAMES) {
        const graph = hypernetGraph({ hiddenDim: 128, fusion, sharing }, registry);
        assert.deepEqual(graph.inputs.map((t) => t.shape), [[1, maps, 512, 8, 8], [1, maps, 512, 8, 8]]);
        assert.deepEqual(
          graph.outputs.map((t) => [t.name, t.shape]),
          targets.map((t) => [`dW.${t.name}`, [1, ...t.shape]]),
          `${generator.resolution} ${sharing} ${fusion}`,
        );
      }
    }
  }
});

/** Spec §4: parameters per official regressor = 950,976 + 1025·D + I·D² + I·D + D·O·k² + O·k². */
function officialCount(registry: readonly LayerSpec[], d: number): number {
  return targetLayers(registry, "conv_without_bias")
    .map(({ shape: [o, i, k] }) => 950_976 + 1025 * d + i * d * d + i * d + d * o * k * k + o * k * k)
    .reduce((a, b) => a + b, 0);
}

Deno.test("perLayer + concatConv parameter counts equal the spec §4 formula and table", () => {
  const table = [
    [FFHQ_1024, 64, 67.5],
    [FFHQ_1024, 128, 184.7],
    [FFHQ_1024, 256, 642.4],
    [CHURCH_256, 64, 59.7],
    [CHURCH_256, 128, 171.6],
    [CHURCH_256, 256, 609.4],
  ] as const;
  for (const [generator, hiddenDim, millions] of table) {
    const registry = layerRegistry(generator);
    const count = hypernetParameterCount({ hiddenDim }, registry);
    assert.equal(count, officialCount(registry, hiddenDim), `${generator.resolution} D=${hiddenDim}`);
    assert.equal(Math.round(count / 1e5) / 10, millions, `${generator.resolution} D=${hiddenDim}: ${count}`);
  }
});

// sharedWeights: one trunk per distinct residual shape (14 at 1024: 512×512×3×3, 3×512×1×1, 256×512×3×3, …).
Deno.test("how many trunks each strategy builds at FFHQ-1024 (count of fusion convs)", () => {
  const registry = layerRegistry(FFHQ_1024);
  const expected = { perLayer: 26, sharedCode: 1, sharedWeights: 14, perResolution: 9 };
  for (const sharing of SHARING_NAMES) {
    const trunks = hypernetParameters({ sharing }, registry).filter((p) =>
      p.name.endsWith("fusion.0.weight")
    );
    assert.equal(trunks.length, expected[sharing], sharing);
  }
  const perLayer = hypernetParameterCount({}, registry);
  for (const sharing of ["sharedCode", "sharedWeights", "perResolution"] as const) {
    assert.ok(hypernetParameterCount({ sharing }, registry) < perLayer, `${sharing} shares parameters`);
  }
});

Deno.test("buildHypernet rejects features that do not match the configuration", () => {
  const g = new GraphBuilder("bad");
  const ok = g.input("ok", [1, 6, 32, 4, 4]);
  const cases = [
    g.input("channels", [1, 6, 16, 4, 4]),
    g.input("size", [1, 6, 32, 8, 8]),
    g.input("maps", [1, 5, 32, 4, 4]),
    g.input("rank", [1, 32, 4, 4]),
  ];
  for (const bad of cases) {
    assert.throws(() => buildHypernet(g, MINI_HYPERNET, MINI, bad, ok), TypeError, bad.name);
    assert.throws(() => buildHypernet(g, MINI_HYPERNET, MINI, ok, bad), TypeError, bad.name);
  }
  assert.throws(
    () => buildHypernet(g, MINI_HYPERNET, MINI, ok, g.input("batch", [2, 6, 32, 4, 4])),
    TypeError,
  );
  assert.throws(() => buildHypernet(g, { ...MINI_HYPERNET, hiddenDim: 0 }, MINI, ok, ok), RangeError);
  assert.throws(
    () => buildHypernet(g, { ...MINI_HYPERNET, sharing: "x" as "perLayer" }, MINI, ok, ok),
    RangeError,
  );
  assert.throws(() => hypernetGraph(MINI_HYPERNET, MINI, { batch: 0 }), RangeError);
});
