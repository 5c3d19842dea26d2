import assert from "node:assert/strict";
import { AgeEstimator } from "./age.ts";
import { FaceDetector, type Point } from "./detect.ts";
import { flipHorizontally, readRgbImage } from "./rgb_image.ts";
import { HEAD_MODEL, headPose, headYaw } from "./yaw.ts";

const FIXTURES = new URL("../../shared/fixtures/images/", import.meta.url).pathname;

/** The model's six points seen from a camera after turning the head by `degrees` about its vertical axis. */
function turnedHead(degrees: number): Point[] {
  const t = (degrees * Math.PI) / 180;
  const landmarks = Array.from({ length: 68 }, (): Point => [0, 0]);
  for (const { landmark, point: [x, y, z] } of HEAD_MODEL) {
    landmarks[landmark] = [300 + (x * Math.cos(t) + z * Math.sin(t)) * 0.4, 300 - y * 0.4];
  }
  return landmarks;
}

Deno.test("headYaw recovers synthetic turns monotonically and mirrors to the opposite sign", () => {
  const turns = [-60, -30, -10, 0, 10, 30, 60];
  const yaws = turns.map((d) => headYaw(turnedHead(d)));
  turns.forEach((d, i) => assert.ok(Math.abs(yaws[i] - d) < 1e-6, `${d}° → ${yaws[i]}`));
  const mirrored = turnedHead(25).map(([x, y]): Point => [600 - x, y]);
  assert.ok(Math.abs(headYaw(mirrored) + 25) < 1e-6);
  assert.ok(Math.abs(headPose(turnedHead(20)).roll) < 1e-6);
  assert.throws(() => headYaw([[0, 0]]), TypeError);
});

Deno.test("yaw and age on the fixtures: flipped photos change the yaw's sign, values are plausible", async () => {
  const detector = await FaceDetector.load();
  const estimator = await AgeEstimator.load();
  const rows: string[] = [];
  let opposite = 0, turned = 0;
  for (let i = 1; i <= 10; i++) {
    const name = `faces-aligned-dlib/${String(i).padStart(2, "0")}.png`;
    const image = await readRgbImage(`${FIXTURES}${name}`);
    const [face] = await detector.detect(image);
    const [mirror] = await detector.detect(flipHorizontally(image));
    const yaw = headYaw(face.landmarks), flippedYaw = headYaw(mirror.landmarks);
    const age = await estimator.estimate(image);
    rows.push(`${name}: yaw ${yaw.toFixed(1)}° (flipped ${flippedYaw.toFixed(1)}°), age ${age.toFixed(1)}`);
    assert.ok(Math.abs(yaw) < 30, rows.at(-1)); // FFHQ-aligned portraits face the camera
    assert.ok(age > 10 && age < 80, rows.at(-1)); // adults in every fixture
    if (Math.abs(yaw) > 3) {
      turned++;
      if (Math.sign(yaw) !== Math.sign(flippedYaw)) opposite++;
    }
  }
  console.log(rows.join("\n"));
  // Near-frontal faces (|yaw| ≤ 3°) carry landmark noise of the same size; every clearly turned one must flip.
  assert.ok(turned >= 5, `only ${turned} faces with |yaw| > 3°`);
  assert.equal(opposite, turned, rows.join("\n"));
});

Deno.test("age: a visibly middle-aged face scores older than a young one", async () => {
  const estimator = await AgeEstimator.load();
  const age = async (n: string) =>
    await estimator.estimate(await readRgbImage(`${FIXTURES}faces-aligned-dlib/${n}`));
  const older = await age("03.png"); // a man in his fifties (Jack Ma)
  const younger = await age("02.png"); // a young man
  assert.ok(older > younger + 10, `03: ${older}, 02: ${younger}`);
});
