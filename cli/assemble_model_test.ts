import assert from "node:assert/strict";
import { loadHyperInverter } from "../model/load.ts";
import { saveCheckpoint } from "../train/checkpoint.ts";
import { Adam } from "../train/optimizers.ts";
import { TINY_ARCHITECTURE, writeTinyModel } from "../tests/_tiny_model.ts";
import { main } from "./assemble_model.ts";

Deno.test("assemble-model names a missing argument and a run without checkpoints", async () => {
  const errors: string[] = [];
  const original = console.error;
  console.error = (message: string) => errors.push(message);
  try {
    assert.equal(await main(["--phase-one", "a", "--phase-two", "b", "--config", "c", "--out", "d"]), 2);
    assert.match(errors.at(-1)!, /--generator is required/);
    const empty = await Deno.makeTempDir();
    const config = `${empty}/config.json`;
    await Deno.writeTextFile(
      config,
      JSON.stringify({
        architecture: {
          generator: { resolution: 64, channelBase: 1024, channelMax: 64, mappingLayers: 2 },
          wEncoder: { preset: "tiny64" },
          layerWiseEncoder: { preset: "tiny64" },
          hypernet: { hiddenDim: 8, featureChannels: 64, featureSize: 4 },
        },
      }),
    );
    const args = [
      "--generator",
      empty,
      "--phase-one",
      empty,
      "--phase-two",
      empty,
      "--config",
      config,
      "--out",
      `${empty}/m`,
    ];
    assert.equal(await main(args), 2);
    assert.match(errors.at(-1)!, /The run folder\(s\) ".*", ".*", ".*" have no checkpoint/);
    // The output is checked before any run is read: a file as --out fails on it, not on the empty runs.
    await Deno.writeTextFile(`${empty}/file`, "mine");
    assert.equal(await main([...args.slice(0, -1), `${empty}/file/m`]), 2);
    assert.match(errors.at(-1)!, /Cannot create the output folder ".*\/file\/m"/);
    assert.equal(await main([...args, "--fp-16"]), 2);
    assert.match(errors.at(-1)!, /Unknown option --fp-16 \(did you mean --fp16\?\)/);
    await Deno.remove(empty, { recursive: true });
  } finally {
    console.error = original;
  }
});

Deno.test("assemble-model builds a model folder from three runs that inverts like the model they came from", async () => {
  const dir = await Deno.makeTempDir({ prefix: "assemble-" });
  const source = await loadHyperInverter(await writeTinyModel(`${dir}/source`));
  const weights = [...source.weights].map(([name, w]) =>
    [name, w as { data: Float32Array; shape: number[] }] as const
  );
  const pick = (test: (name: string) => boolean) => new Map(weights.filter(([name]) => test(name)));
  const generatorParameters = pick((n) =>
    !n.startsWith("w_encoder.") && !n.startsWith("w_bar_encoder.") && !n.startsWith("hypernet.")
  );
  // The generator run keeps its EMA copy in extra tensors "ema/<name>": assemble takes those; the live weights
  // here are zeros, so a model built from them would differ.
  const live = new Map(
    [...generatorParameters].map(([n, w]) => [n, { data: new Float32Array(w.data.length), shape: w.shape }]),
  );
  const extra = Object.fromEntries([...generatorParameters].map(([n, w]) => [`ema/${n}`, w.data]));
  const save = (
    run: string,
    parameters: Map<string, { data: Float32Array; shape: readonly number[] }>,
    more = {},
  ) =>
    saveCheckpoint(`${dir}/${run}`, { step: 5, parameters, optimizer: new Adam(), state: {}, extra: more });
  await save("generator", live, extra);
  await save("phase1", pick((n) => n.startsWith("w_encoder.")));
  await save("phase2", pick((n) => n.startsWith("w_bar_encoder.") || n.startsWith("hypernet.")));
  await Deno.writeTextFile(`${dir}/config.json`, JSON.stringify({ architecture: TINY_ARCHITECTURE }));
  const { log } = console;
  console.log = () => {};
  const args = [
    "--generator",
    `${dir}/generator`,
    "--phase-one",
    `${dir}/phase1`,
    "--phase-two",
    `${dir}/phase2`,
  ];
  try {
    assert.equal(await main([...args, "--config", `${dir}/config.json`, "--out", `${dir}/out`]), 0);
    assert.equal(
      await main([...args, "--config", `${dir}/config.json`, "--out", `${dir}/out`]),
      2,
      "no overwrite",
    );
  } finally {
    console.log = log;
  }
  const assembled = await loadHyperInverter(`${dir}/out/model.json`);
  const image = Float32Array.from({ length: 3 * 64 * 64 }, (_, i) => Math.sin(i * 0.01));
  const [a, b] = [await source.invert(image, 1), await assembled.invert(image, 1)];
  assert.deepEqual(b.finalImages.data, a.finalImages.data);
  const manifest = JSON.parse(await Deno.readTextFile(`${dir}/out/model.json`));
  assert.equal(manifest.provenance.storage, "float32");
  assert.match(manifest.provenance.generator, /step 5 \(EMA\)/);
});
