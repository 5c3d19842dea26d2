import assert from "node:assert/strict";
import { gradients } from "../graph/autodiff.ts";
import { GraphBuilder } from "../graph/builder.ts";
import { prngFill } from "../io/prng.ts";
import { rgbBytesToTensor } from "../io/image.ts";
import { identityLoss } from "../losses/identity.ts";
import { GraphSession } from "../runtime/session.ts";
import { parameterFeeds } from "../runtime/weights.ts";
import { FaceRecognizer } from "./identity.ts";
import { faceRecognitionExtractor, readFaceRecognitionWeights } from "./recognition_graph.ts";
import { readRgbImage } from "./rgb_image.ts";

const FIXTURES = new URL("../../shared/fixtures/images/", import.meta.url).pathname;

Deno.test("the graph recognition net gives face-api's descriptors, and an identity loss that ranks people", async () => {
  const names = ["faces-aligned-256/000003.png", "faces-aligned-dlib/05.png", "faces-aligned-dlib/04.png"];
  const images = await Promise.all(names.map((n) => readRgbImage(`${FIXTURES}${n}`)));
  const batch = new Float32Array(3 * 3 * 256 * 256);
  images.forEach((im, i) => batch.set(rgbBytesToTensor(im.data, 256, 256), i * 3 * 256 * 256));

  const g = new GraphBuilder("face_identity");
  const x = g.input("x", [3, 3, 256, 256]);
  const extractor = faceRecognitionExtractor();
  g.output(g.scope("facenet", () => extractor(g, x)), "descriptors");
  const anchor = g.slice(x, [0], [0], [1]);
  const same = g.slice(x, [0], [1], [2]);
  const other = g.slice(x, [0], [2], [3]);
  g.output(g.scope("facenet", () => identityLoss(g, anchor, same, extractor)), "loss_same");
  g.output(g.scope("facenet", () => identityLoss(g, anchor, other, extractor)), "loss_other");
  const weights = await readFaceRecognitionWeights({ scope: "facenet" });
  const session = await GraphSession.create(g, { device: "cpu" });
  const { outputs } = await session.run({ x: batch, ...parameterFeeds(g, weights) });
  await session.release();
  const ours = outputs.descriptors.data as Float32Array;

  const recognizer = await FaceRecognizer.load();
  let worst = 0;
  for (let i = 0; i < 3; i++) {
    const reference = await recognizer.describe(images[i]);
    for (let j = 0; j < 128; j++) worst = Math.max(worst, Math.abs(reference[j] - ours[i * 128 + j]));
  }
  // tfjs WASM vs ONNX Runtime, both float32: rounding only (measured 5e-7; descriptors are O(0.1)).
  assert.ok(worst < 1e-4, `max-abs difference ${worst}`);
  const lossSame = (outputs.loss_same.data as Float32Array)[0];
  const lossOther = (outputs.loss_other.data as Float32Array)[0];
  assert.ok(lossSame < lossOther, `same ${lossSame}, other ${lossOther}`);
  console.log(
    `graph vs tfjs max-abs ${worst.toExponential(2)}; loss same ${lossSame.toFixed(4)}, other ${
      lossOther.toFixed(4)
    }`,
  );
});

Deno.test("the identity loss through the graph recognition net is differentiable (autodiff vs central differences)", async () => {
  const [a, b] = await Promise.all(
    ["faces-aligned-256/000003.png", "faces-aligned-dlib/05.png"].map((n) => readRgbImage(`${FIXTURES}${n}`)),
  );
  const g = new GraphBuilder("face_identity_grad");
  const prediction = g.input("prediction", [1, 3, 256, 256]);
  const target = g.input("target", [1, 3, 256, 256]);
  const loss = g.scope("facenet", () => identityLoss(g, prediction, target, faceRecognitionExtractor()));
  g.output(loss, "loss");
  g.output(gradients(g, loss, [prediction]).get(prediction)!, "grad");
  const weights = parameterFeeds(g, await readFaceRecognitionWeights({ scope: "facenet" }));
  const session = await GraphSession.create(g, { device: "cpu" });
  const x = rgbBytesToTensor(a.data, 256, 256), y = rgbBytesToTensor(b.data, 256, 256);
  const run = async (input: Float32Array) =>
    (await session.run({ prediction: input, target: y, ...weights })).outputs;
  const base = await run(x);
  const grad = base.grad.data as Float32Array;
  const direction = prngFill(5, 0, x.length, 0, 1);
  const eps = 2e-3;
  const shifted = (s: number) => x.map((v, i) => v + s * eps * direction[i]);
  const plus = ((await run(shifted(1))).loss.data as Float32Array)[0];
  const minus = ((await run(shifted(-1))).loss.data as Float32Array)[0];
  await session.release();
  const numeric = (plus - minus) / (2 * eps);
  const analytic = grad.reduce((s, v, i) => s + v * direction[i], 0);
  assert.ok(
    Math.abs(analytic - numeric) <= 0.05 * Math.abs(numeric) + 1e-4,
    `autodiff ${analytic}, numeric ${numeric}`,
  );
});
