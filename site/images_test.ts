import assert from "node:assert/strict";
import { decodeUpload, readBodyWithLimit, UploadRejected } from "./images.ts";

const SAMPLE = new URL("../models/default/samples/test-0000-boot.png", import.meta.url);

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
