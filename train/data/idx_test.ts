import assert from "node:assert/strict";
import { encodeIdx, parseIdx, readIdx } from "./idx.ts";

/** gzip-compresses bytes with the runtime's CompressionStream. */
async function gzip(bytes: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(
    new CompressionStream("gzip"),
  );
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

const images = Uint8Array.from({ length: 2 * 3 * 4 }, (_, i) => (i * 37) & 255);

Deno.test("encodeIdx writes the big-endian MNIST header", () => {
  const file = encodeIdx([2, 3, 4], images);
  assert.deepEqual(Array.from(file.subarray(0, 16)), [0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 4]);
  assert.equal(file.length, 16 + images.length);
  const big = encodeIdx([70000], new Uint8Array(70000));
  assert.deepEqual(Array.from(big.subarray(4, 8)), [0, 1, 0x11, 0x70]);
});

Deno.test("readIdx round-trips raw and gzip files", async () => {
  const raw = encodeIdx([2, 3, 4], images);
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeFile(`${dir}/images-idx3-ubyte`, raw);
    await Deno.writeFile(`${dir}/images-idx3-ubyte.gz`, await gzip(raw));
    for (const path of [`${dir}/images-idx3-ubyte`, `${dir}/images-idx3-ubyte.gz`]) {
      const parsed = await readIdx(path, { ndims: 3 });
      assert.deepEqual(parsed.dims, [2, 3, 4]);
      assert.deepEqual(parsed.data, images);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a truncated file is an error naming the file and both sizes", async () => {
  const raw = encodeIdx([2, 3, 4], images);
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/short-idx3-ubyte`;
    await Deno.writeFile(path, raw.subarray(0, raw.length - 5));
    await assert.rejects(readIdx(path), (error: Error) => {
      assert.ok(error instanceof SyntaxError);
      assert.match(error.message, new RegExp(`${path} is truncated: 35 bytes, expected 40`));
      return true;
    });
    // a gzip stream cut short cannot be decompressed at all
    const gz = await gzip(raw);
    await Deno.writeFile(`${path}.gz`, gz.subarray(0, gz.length - 12));
    await assert.rejects(readIdx(`${path}.gz`), (error: Error) => {
      assert.ok(error instanceof SyntaxError);
      assert.match(error.message, /short-idx3-ubyte\.gz is not a valid gzip stream/);
      return true;
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
  assert.throws(() => parseIdx(new Uint8Array([0, 0, 8, 3, 0, 0]), { name: "x" }), /x is truncated: 6 bytes/);
  assert.throws(() => parseIdx(encodeIdx([3], new Uint8Array(3)).subarray(0, 2)), /shorter than the 4-byte/);
  const long = new Uint8Array([...encodeIdx([1], new Uint8Array(1)), 9]);
  assert.throws(() => parseIdx(long), /has trailing bytes: 10 bytes, expected 9/);
});

Deno.test("a bad magic or the wrong kind of file is an error naming the magic", () => {
  const raw = encodeIdx([2, 3, 4], images);
  const png = raw.slice();
  png.set([0x89, 0x50, 0x4e, 0x47]);
  assert.throws(
    () => parseIdx(png, { name: "photo.png" }),
    (error: Error) => error instanceof SyntaxError && /photo\.png has magic 0x89504e47/.test(error.message),
  );
  const floats = raw.slice();
  floats[2] = 0x0d;
  assert.throws(() => parseIdx(floats), /magic 0x00000d03, not an IDX file of unsigned bytes/);
  const labels = encodeIdx([4], new Uint8Array(4));
  assert.throws(
    () => parseIdx(labels, { name: "labels", ndims: 3 }),
    /labels has magic 0x00000801 \(1 dimensions\), expected 0x00000803/,
  );
});
