import assert from "node:assert/strict";
import { pilResize } from "../io/pil_resize.ts";
import { alignFace } from "./ffhq_align.ts";
import { openPhoto, readRgbImage } from "./rgb_image.ts";

Deno.test("alignFace's final resize is Pillow's LANCZOS (the official ANTIALIAS) bit for bit", async () => {
  // A noise photo and a face quad well inside it: no shrink (80 / 32 / 2 < 2) and no padding, so the aligned
  // 32² image is the 128² transform resized, and only the resize can differ.
  const landmarks = Array.from(
    { length: 68 },
    (_, i): [number, number] =>
      i >= 36 && i < 42
        ? [90, 100]
        : i >= 42 && i < 48
        ? [110, 100]
        : i === 48
        ? [92, 120]
        : i === 54
        ? [108, 120]
        : [100, 110],
  );
  const photo = {
    data: Uint8Array.from({ length: 200 * 200 * 3 }, (_, i) => (i * 2654435761) >>> 24),
    width: 200,
    height: 200,
  };
  const options = { transformSize: 128, padding: false };
  const transformed = (await alignFace(photo, landmarks, { ...options, outputSize: 128 })).image;
  const aligned = (await alignFace(photo, landmarks, { ...options, outputSize: 32 })).image;
  const expected = pilResize({ ...transformed, channels: 3 }, [32, 32], { filter: "lanczos" }).data;
  const differing = expected.filter((v, i) => v !== aligned.data[i]).length;
  assert.equal(differing, 0, `${differing} of ${expected.length} bytes differ from Pillow's LANCZOS`);
});

Deno.test("openPhoto decodes like readRgbImage and PIL: an embedded ICC profile (10.jpg, Adobe RGB) is not applied", async () => {
  const path = "../shared/fixtures/images/faces-raw/10.jpg";
  const whole = await readRgbImage(path);
  const photo = await openPhoto(path);
  const region = await photo.read(undefined, [0, 0, whole.width, 64]);
  const expected = whole.data.subarray(0, whole.width * 64 * 3);
  assert.equal(region.data.length, expected.length);
  let differing = 0;
  for (let i = 0; i < expected.length; i++) if (region.data[i] !== expected[i]) differing++;
  assert.equal(differing, 0, `${differing} of ${expected.length} bytes differ`);
});
