import assert from "node:assert/strict";
import { GraphBuilder } from "../graph/builder.ts";
import { prngFill } from "../io/prng.ts";
import { GraphSession } from "../runtime/session.ts";
import { adaptiveAverageMatrix, arcFaceExtractor } from "./arcface.ts";
import { identityLoss } from "./identity.ts";

Deno.test("adaptive average pooling matrices follow torch's window rule (188 → 112)", () => {
  const m = adaptiveAverageMatrix(188, 112);
  for (let i = 0; i < 112; i++) {
    const row = m.subarray(i * 188, (i + 1) * 188);
    assert.ok(Math.abs(row.reduce((s, v) => s + v, 0) - 1) < 1e-6);
    assert.equal(row.findIndex((v) => v > 0), Math.floor((i * 188) / 112));
  }
});

Deno.test("ArcFace extractor: official parameter names, unit features, unit features, identity loss 0 for the same face", async () => {
  const g = new GraphBuilder("id");
  const a = g.input("a", [2, 3, 256, 256]);
  const b = g.input("b", [2, 3, 256, 256]);
  const extractor = arcFaceExtractor();
  const same = g.scope("facenet", () => identityLoss(g, a, a, extractor));
  const features = g.scope("facenet", () => extractor(g, b)); // [2, 512]
  g.output(same, "same");
  g.output(features, "features");
  const names = g.parameters.map((p) => p.name);
  for (
    const name of [
      "facenet.input_layer.0.weight",
      "facenet.body.23.res_layer.5.fc2.weight",
      "facenet.output_layer.3.weight",
      "facenet.output_layer.4.running_var",
    ]
  ) {
    assert.ok(names.includes(name), name);
  }
  const feeds: Record<string, Float32Array> = {
    a: prngFill(1, 0, 2 * 3 * 256 * 256, 0, 0.9),
    b: prngFill(1, 1, 2 * 3 * 256 * 256, 0, 0.9),
  };
  g.parameters.forEach((
    p,
    k,
  ) => (feeds[p.name] = prngFill(
    77,
    k,
    p.size,
    p.name.endsWith("running_var") ? 1.25 : 0,
    p.name.endsWith("running_var") ? 0.25 : 0.05,
  )));
  const { outputs } = await (await GraphSession.create(g)).run(feeds);
  assert.ok(Math.abs((outputs.same.data as Float32Array)[0]) < 1e-5);
  const f = outputs.features.data as Float32Array;
  for (let i = 0; i < 2; i++) {
    const norm = Math.hypot(...f.subarray(i * 512, (i + 1) * 512));
    assert.ok(Math.abs(norm - 1) < 1e-5, `feature norm ${norm}`);
  }
  assert.throws(
    () => arcFaceExtractor()(new GraphBuilder("x"), new GraphBuilder("x").input("i", [1, 3, 128, 128])),
    /256² faces/,
  );
});
