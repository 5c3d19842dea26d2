import assert from "node:assert/strict";
import { readImage, rgbBytesToTensor, toRgbBytes, writePng } from "./image.ts";
import { loadReferenceFixture } from "./reference_fixture.ts";

Deno.test("the input conversion matches the official x256 (ToTensor, Normalize(0.5, 0.5), half-pixel resize) within 1e-6", async () => {
  const fixture = await loadReferenceFixture("hyperinverter-ffhq1024");
  const u8 = await fixture.readTensor("inputs", "input_u8");
  const x = rgbBytesToTensor(u8.data as Uint8Array, 1024, 1024);
  // x256 = bilinear(x) with half-pixel centres at scale 4 = mean of pixels 4i+1 and 4i+2: check a few entries.
  const x256 = (await fixture.readFloat32("intermediates", "x256")).data;
  for (const [c, i, j] of [[0, 0, 0], [1, 100, 37], [2, 255, 255]]) {
    const at = (y: number, xx: number) => x[(c * 1024 + y) * 1024 + xx];
    const expected = x256[(c * 256 + i) * 256 + j];
    const mean = (at(4 * i + 1, 4 * j + 1) + at(4 * i + 1, 4 * j + 2) + at(4 * i + 2, 4 * j + 1) +
      at(4 * i + 2, 4 * j + 2)) / 4;
    assert.ok(Math.abs(mean - expected) < 1e-6, `${mean} vs ${expected}`);
  }
});

Deno.test("PNG round trip: write a tensor, read it back at the same size", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const data = Float32Array.from({ length: 3 * 8 * 8 }, (_, i) => ((i * 37) % 255) / 127.5 - 1);
    await writePng(`${dir}/a.png`, data, [1, 3, 8, 8]);
    const image = await readImage(`${dir}/a.png`, 8);
    assert.deepEqual(image.originalSize, [8, 8]);
    assert.deepEqual(toRgbBytes(image.data, image.shape), toRgbBytes(data, [1, 3, 8, 8]));
    const resized = await readImage(`${dir}/a.png`, 4);
    assert.deepEqual(resized.shape, [1, 3, 4, 4]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("corrupt, truncated and oversized images give errors naming the file", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/notes.jpg`, "this is not a JPEG");
    await assert.rejects(
      () => readImage(`${dir}/notes.jpg`, 64),
      (e: Error) =>
        e instanceof SyntaxError && e.message.includes("notes.jpg") && /not a readable image/.test(e.message),
    );
    const jpeg = await Deno.readFile(
      new URL("../../shared/fixtures/images/churches/e4e_church_img.jpg", import.meta.url),
    );
    await Deno.writeFile(`${dir}/cut.jpg`, jpeg.subarray(0, jpeg.length >> 1));
    await assert.rejects(
      () => readImage(`${dir}/cut.jpg`, 64),
      (e: Error) => e instanceof SyntaxError && e.message.includes("cut.jpg"),
    );
    await assert.rejects(() => readImage(`${dir}/missing.png`, 64), /Cannot read image ".*missing\.png"/);
    await writePng(`${dir}/big.png`, new Float32Array(3 * 64 * 64), [1, 3, 64, 64]);
    await assert.rejects(
      () => readImage(`${dir}/big.png`, 64, { maxPixels: 1000 }),
      (e: Error) =>
        e instanceof RangeError && /big\.png" is 64×64, more than the limit of 1000 pixels/.test(e.message),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
