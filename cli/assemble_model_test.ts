import assert from "node:assert/strict";
import { main } from "./assemble_model.ts";

Deno.test("assemble-model names a missing argument and a run without checkpoints", async () => {
  const errors: string[] = [];
  const original = console.error;
  console.error = (message: string) => errors.push(message);
  try {
    assert.equal(await main(["--phase-one", "a", "--phase-two", "b", "--config", "c", "--out", "d"]), 1);
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
    assert.equal(await main(args), 1);
    assert.match(errors.at(-1)!, /has no checkpoint/);
    await Deno.remove(empty, { recursive: true });
  } finally {
    console.error = original;
  }
});
