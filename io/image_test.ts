import assert from "node:assert/strict";
import { deflateSync } from "node:zlib";
import { decodeImage, readImage, rgbBytesToTensor, toRgbBytes, writePng } from "./image.ts";
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

const GOLDENS = new URL("./testdata/pil_resize/", import.meta.url);

/** The decode cases of tests/tools/pil_resize_goldens.py: `Image.open(path).convert("RGB")`, then `Resize`. */
async function decodeGoldens(): Promise<{ path: string; size: number | null; pixels: Uint8Array }[]> {
  const manifest = JSON.parse(await Deno.readTextFile(new URL("cases.json", GOLDENS)));
  const outputs = await Deno.readFile(new URL("outputs.bin", GOLDENS));
  return manifest.decode.map((c: { path: string; size: number | null; offset: number; length: number }) => ({
    path: new URL(`../${c.path}`, import.meta.url).pathname,
    size: c.size,
    pixels: outputs.subarray(c.offset, c.offset + c.length),
  }));
}

Deno.test("decodeImage gives PIL's pixels bit for bit: convert('RGB') and Resize((R, R)) on photos and transparent PNGs", async () => {
  const cases = await decodeGoldens();
  assert.equal(cases.length, 11);
  for (const { path, size, pixels } of cases) {
    const image = await decodeImage(await Deno.readFile(path), { size: size ?? undefined });
    let maxDiff = 0;
    for (let i = 0; i < pixels.length; i++) maxDiff = Math.max(maxDiff, Math.abs(image.rgb[i] - pixels[i]));
    assert.equal(image.rgb.length, pixels.length, path);
    assert.equal(
      maxDiff,
      0,
      `${path} at ${size ?? "its own size"} differs from PIL by up to ${maxDiff} levels`,
    );
  }
});

Deno.test("readImage of a non-square photo is the official ToTensor(Normalize(Resize((256, 256))(PIL image)))", async () => {
  const photo = (await decodeGoldens()).find((c) => c.path.endsWith("faces-raw/05.jpg") && c.size === 256)!;
  const image = await readImage(photo.path, 256);
  assert.deepEqual(image.originalSize, [550, 336]);
  const official = rgbBytesToTensor(photo.pixels, 256, 256);
  // A loop, not deepEqual: the assertion's diff of 196,608 floats would take minutes and gigabytes.
  const differing = official.filter((v, i) => v !== image.data[i]).length;
  assert.equal(differing, 0, `${differing} of ${official.length} values differ from the official input`);
});

const CRC_TABLE = Uint32Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

/** A PNG file written byte by byte, so that nothing between the test and the decoder touches the colours. */
function pngFile(
  width: number,
  height: number,
  colourType: 0 | 2 | 3 | 4 | 6,
  pixel: number[],
  extra = {},
): Uint8Array {
  const chunk = (type: string, data: Uint8Array) => {
    const out = new Uint8Array(12 + data.length);
    const view = new DataView(out.buffer);
    view.setUint32(0, data.length);
    out.set(new TextEncoder().encode(type), 4);
    out.set(data, 8);
    let crc = 0xffffffff;
    for (const byte of out.subarray(4, 8 + data.length)) crc = CRC_TABLE[(crc ^ byte) & 0xff] ^ (crc >>> 8);
    view.setUint32(8 + data.length, (crc ^ 0xffffffff) >>> 0);
    return out;
  };
  const header = new Uint8Array(13);
  new DataView(header.buffer).setUint32(0, width);
  new DataView(header.buffer).setUint32(4, height);
  header.set([8, colourType, 0, 0, 0], 8);
  const row = [0, ...Array.from({ length: width }, () => pixel).flat()]; // filter type 0, then the pixels
  const scanlines = new Uint8Array(Array.from({ length: height }, () => row).flat());
  const chunks = [
    new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", header),
    ...Object.entries(extra as Record<string, number[]>).map(([type, data]) =>
      chunk(type, new Uint8Array(data))
    ),
    chunk("IDAT", new Uint8Array(deflateSync(scanlines))),
    chunk("IEND", new Uint8Array(0)),
  ];
  const file = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  chunks.reduce((at, c) => (file.set(c, at), at + c.length), 0);
  return file;
}

Deno.test("transparent PNGs keep the colour under alpha as PIL's convert('RGB'), with or without a resize", async () => {
  const palette = { PLTE: [255, 255, 255, 200, 200, 200], tRNS: [0, 10] };
  const files: [string, Uint8Array, number][] = [
    ["RGBA white at alpha 0", pngFile(7, 5, 6, [255, 255, 255, 0]), 255],
    ["RGBA grey 200 at alpha 10", pngFile(7, 5, 6, [200, 200, 200, 10]), 200],
    ["grey + alpha 255 at alpha 0", pngFile(7, 5, 4, [255, 0]), 255],
    ["grey + alpha 200 at alpha 10", pngFile(7, 5, 4, [200, 10]), 200],
    ["palette white at tRNS 0", pngFile(7, 5, 3, [0], palette), 255],
    ["palette grey 200 at tRNS 10", pngFile(7, 5, 3, [1], palette), 200],
  ];
  for (const [name, bytes, level] of files) {
    for (const size of [undefined, 3, 16]) {
      const image = await decodeImage(bytes, { source: name, size });
      assert.equal(image.rgb.length, (size ? size * size : 35) * 3);
      const wrong = image.rgb.find((v) => v !== level);
      assert.equal(wrong, undefined, `${name} at ${size ?? "7×5"} gives ${wrong}, not ${level}`);
    }
  }
});
