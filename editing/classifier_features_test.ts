import assert from "node:assert/strict";
import { GraphBuilder } from "../graph/builder.ts";
import { GraphSession } from "../runtime/session.ts";
import { identityLoss } from "../losses/identity.ts";
import { prngFill } from "../io/prng.ts";
import { AttributeModel } from "./attribute_model.ts";
import { ID_NETWORK_SCOPE, loadIdNetwork } from "./classifier_features.ts";

const CLASSIFIER = new URL("../data/models/default/attributes/conv.safetensors", import.meta.url).pathname;

Deno.test("loadIdNetwork: the classifier's hidden features, under id_network.*, equal AttributeModel's", async () => {
  const network = await loadIdNetwork(CLASSIFIER);
  assert.ok([...network.weights.keys()].every((name) => name.startsWith(`${ID_NETWORK_SCOPE}.`)));
  const images = prngFill(9, 0, 2 * 3 * 32 * 32, -1, 1);
  const g = new GraphBuilder("features");
  const x = g.input("x", [2, 3, 32, 32]);
  g.output(network.extractor(g, x), "features");
  g.output(identityLoss(g, x, g.identity(x), network.extractor), "self");
  assert.deepEqual(g.parameters.map((p) => p.name).sort(), [...network.weights.keys()].sort());
  const session = await GraphSession.create(g, { initializers: network.weights });
  const { outputs } = await session.run({ x: images });
  const expected = await (await AttributeModel.load(CLASSIFIER)).predict(images, 2);
  const features = outputs.features.data as Float32Array;
  assert.equal(features.length, expected.features.length);
  for (let i = 0; i < features.length; i++) assert.ok(Math.abs(features[i] - expected.features[i]) < 1e-5);
  assert.ok(
    Math.abs((outputs.self.data as Float32Array)[0]) < 1e-5,
    "the identity loss of x with itself is 0",
  );
});

Deno.test("loadIdNetwork: a file that is not a classifier is named in the error", async () => {
  const weights = new URL("../data/models/default/hypernet.safetensors", import.meta.url).pathname;
  await assert.rejects(loadIdNetwork(weights), /is not an attribute classifier/);
});
