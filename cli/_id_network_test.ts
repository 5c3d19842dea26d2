import assert from "node:assert/strict";
import { idNetworkFor } from "./_id_network.ts";

Deno.test("idNetworkFor: nothing at weight 0; the config's path is relative to the config file; missing ones are named", async () => {
  const config = new URL("../train/configs/phase_two_fmnist32_light.json", import.meta.url).pathname;
  assert.equal(await idNetworkFor(0, undefined, "nope.safetensors", config), undefined);
  await assert.rejects(
    idNetworkFor(0.1, undefined, null, config),
    /no feature network is named: pass --id-network/,
  );
  await assert.rejects(idNetworkFor(0.1, undefined, 3, config), /idNetwork must be a file path, got 3/);
  await assert.rejects(
    idNetworkFor(0.1, undefined, "nope.safetensors", config),
    /The identity network \(the config's idNetwork\) ".*train\/configs\/nope\.safetensors" does not exist/,
  );
  await assert.rejects(
    idNetworkFor(0.1, "/no/such.safetensors", null, config),
    /The identity network \(--id-network\) "\/no\/such\.safetensors" does not exist/,
  );
  const log = console.log;
  console.log = () => {};
  try {
    const network = await idNetworkFor(
      0.1,
      undefined,
      "../../data/models/default/attributes/conv.safetensors",
      config,
    );
    assert.ok(network && network.weights.size > 0 && /conv classifier/.test(network.description));
  } finally {
    console.log = log;
  }
});
