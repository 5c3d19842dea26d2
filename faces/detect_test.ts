import assert from "node:assert/strict";
import { loadSharp } from "../deps.ts";
import { FaceDetector } from "./detect.ts";
import { openPhoto, readRgbImage } from "./rgb_image.ts";

const FIXTURES = new URL("../../shared/fixtures/images/", import.meta.url).pathname;
const detector = await FaceDetector.load();

Deno.test("detect finds one face with 68 landmarks inside its box, largest first", async () => {
  const [face, ...others] = await detector.detect(await readRgbImage(`${FIXTURES}faces-raw/05.jpg`));
  assert.equal(others.length, 0);
  assert.equal(face.landmarks.length, 68);
  assert.ok(face.score > 0.5);
  const { x, y, width, height } = face.box;
  const inside = face.landmarks.filter(([px, py]) =>
    px > x - 0.2 * width && px < x + 1.2 * width && py > y - 0.2 * height && py < y + 1.2 * height
  );
  assert.equal(inside.length, 68);
  // The left eye (36–41) is left of the right eye (42–47), the mouth (48–67) below the nose tip (30).
  assert.ok(face.landmarks[36][0] < face.landmarks[45][0]);
  assert.ok(face.landmarks[57][1] > face.landmarks[30][1]);
});

Deno.test("bad inputs: no face, tiny, CMYK, grey and alpha images give clear outcomes", async () => {
  const sharp = await loadSharp();
  const dir = await Deno.makeTempDir({ prefix: "faces-" });
  try {
    const face = `${FIXTURES}faces-raw/04.jpg`;
    await sharp(face).toColourspace("cmyk").jpeg().toFile(`${dir}/cmyk.jpg`);
    await sharp(face).greyscale().jpeg().toFile(`${dir}/grey.jpg`);
    await sharp(face).ensureAlpha(0.5).png().toFile(`${dir}/alpha.png`);
    await sharp({ create: { width: 8, height: 8, channels: 3, background: "#808080" } }).png().toFile(
      `${dir}/tiny.png`,
    );
    await Deno.writeTextFile(`${dir}/broken.jpg`, "not an image");
    assert.equal((await sharp(`${dir}/cmyk.jpg`).metadata()).space, "cmyk");
    for (const name of ["cmyk.jpg", "grey.jpg", "alpha.png"]) {
      const image = await readRgbImage(`${dir}/${name}`);
      assert.equal(image.data.length, image.width * image.height * 3, name);
      const faces = await detector.detect(image);
      assert.equal(faces.length, 1, `${name}: ${faces.length} faces`);
    }
    assert.deepEqual(await detector.detect(await readRgbImage(`${dir}/tiny.png`)), []);
    assert.deepEqual(await detector.detect(await readRgbImage(`${FIXTURES}churches/e4e_church_img.jpg`)), []);
    await assert.rejects(() => readRgbImage(`${dir}/broken.jpg`), SyntaxError);
    await assert.rejects(() => readRgbImage(`${dir}/missing.jpg`), /Cannot read image/);
    await assert.rejects(() => detector.detect({ data: new Uint8Array(5), width: 2, height: 2 }), TypeError);
    await assert.rejects(() => FaceDetector.load({ detector: "yolo" as "ssd" }), RangeError);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("detectInPhoto searches a photo over the pixel limit in a shrunk copy, in the photo's pixels", async () => {
  const path = `${FIXTURES}faces-raw/05.jpg`;
  const [full] = await detector.detect(await readRgbImage(path));
  const photo = await openPhoto(path);
  const [whole] = await detector.detectInPhoto(photo);
  assert.deepEqual(whole, full, "under the limit: the photo itself");
  const [shrunk, ...others] = await detector.detectInPhoto(photo, {
    maxPixels: (photo.width * photo.height) / 4,
  });
  assert.equal(others.length, 0);
  const distance = shrunk.landmarks.reduce(
    (s, [x, y], k) => s + Math.hypot(x - full.landmarks[k][0], y - full.landmarks[k][1]),
    0,
  ) / 68;
  assert.ok(distance < 0.03 * full.box.width, `mean landmark distance ${distance} px`);
  assert.ok(Math.abs(shrunk.box.width - full.box.width) < 0.1 * full.box.width);
});
