import assert from "node:assert/strict";
import { rgbBytesToTensor } from "../io/image.ts";
import { decodeUpload, readBodyWithLimit, UploadRejected } from "./images.ts";

const SAMPLE = new URL("../data/models/default/samples/test-0000-boot.png", import.meta.url);

function streamed(chunks: number[]): Request {
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const size of chunks) controller.enqueue(new Uint8Array(size));
      controller.close();
    },
  });
  return new Request("http://127.0.0.1/", { method: "POST", body });
}

Deno.test("readBodyWithLimit reads a chunked body up to the limit and refuses one beyond it (no Content-Length)", async () => {
  assert.equal((await readBodyWithLimit(streamed([400, 600]), 1000)).length, 1000);
  await assert.rejects(
    readBodyWithLimit(streamed([400, 600, 1]), 1000),
    (e) => e instanceof UploadRejected && e.status === 413 && /limit is 1000 bytes/.test(e.message),
  );
});

Deno.test("decodeUpload resizes to each model resolution and refuses images beyond the side limit", async () => {
  const bytes = await Deno.readFile(SAMPLE);
  const { width, height, tensors } = await decodeUpload(bytes, [32, 16, 32], 64);
  assert.deepEqual([width, height], [32, 32]);
  assert.deepEqual([...tensors.keys()], [32, 16]);
  assert.equal(tensors.get(16)!.length, 3 * 16 * 16);
  assert.ok(tensors.get(32)!.every((v) => v >= -1 && v <= 1));
  await assert.rejects(decodeUpload(bytes, [32], 31), (e) => e instanceof UploadRejected && e.status === 422);
  await assert.rejects(
    decodeUpload(new Uint8Array([1, 2, 3]), [32], 64),
    (e) => e instanceof UploadRejected && e.code === "not_an_image",
  );
});

Deno.test("decodeUpload gives the official input: PIL's pixels for a transparent PNG (not a black square) and a photo", async () => {
  const goldens = new URL("../io/testdata/pil_resize/", import.meta.url);
  const manifest = JSON.parse(await Deno.readTextFile(new URL("cases.json", goldens)));
  const outputs = await Deno.readFile(new URL("outputs.bin", goldens));
  const golden = (suffix: string, size: number) => {
    const c = manifest.decode.find((c: { path: string; size: number }) =>
      c.path.endsWith(suffix) && c.size === size
    );
    return rgbBytesToTensor(outputs.subarray(c.offset, c.offset + c.length), size, size);
  };
  const differing = (a: Float32Array, b: Float32Array) => a.filter((v, i) => v !== b[i]).length;
  for (const suffix of ["alpha_rgba.png", "alpha_palette.png", "alpha_la.png"]) {
    const upload = await Deno.readFile(new URL(suffix, goldens));
    const { tensors } = await decodeUpload(upload, [5, 16], 64);
    for (const size of [5, 16]) assert.equal(differing(tensors.get(size)!, golden(suffix, size)), 0, suffix);
  }
  const photo = await Deno.readFile(
    new URL("../../shared/fixtures/images/faces-raw/05.jpg", import.meta.url),
  );
  const { width, height, tensors } = await decodeUpload(photo, [256], 4096);
  assert.deepEqual([width, height], [550, 336]);
  assert.equal(differing(tensors.get(256)!, golden("faces-raw/05.jpg", 256)), 0);
});
