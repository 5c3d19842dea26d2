import assert from "node:assert/strict";
import { readWeights, writeWeights } from "./weights_file.ts";

Deno.test("weights round-trip through a safetensors file, and an existing file is never overwritten silently", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/g.safetensors`;
    const weights = new Map([
      ["synthesis.b4.const", { data: Float32Array.from({ length: 32 }, (_, i) => i / 7), shape: [2, 4, 4] }],
      ["mapping.w_avg", { data: new Float32Array([0.5, -0.25]), shape: [2] }],
    ]);
    await writeWeights(path, weights, { metadata: { source: "test" } });
    const read = await readWeights(path);
    assert.deepEqual(read.metadata, { source: "test" });
    assert.deepEqual([...read.weights.keys()].sort(), [...weights.keys()].sort());
    assert.deepEqual(read.weights.get("synthesis.b4.const")!.shape, [2, 4, 4]);
    assert.deepEqual(read.weights.get("synthesis.b4.const")!.data, weights.get("synthesis.b4.const")!.data);
    const before = await Deno.readFile(path);
    await assert.rejects(() => writeWeights(path, new Map()), /Refusing to overwrite/);
    assert.deepEqual(await Deno.readFile(path), before);
    await writeWeights(path, new Map([["x", { data: new Float32Array(1), shape: [1] }]]), {
      overwrite: true,
    });
    assert.deepEqual([...(await readWeights(path)).weights.keys()], ["x"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a truncated weights file gives an error naming the file", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/w.safetensors`;
    await writeWeights(path, new Map([["w", { data: new Float32Array(100), shape: [10, 10] }]]));
    const bytes = await Deno.readFile(path);
    await Deno.writeFile(path, bytes.subarray(0, bytes.length - 17));
    await assert.rejects(() => readWeights(path), (e: Error) => e.message.includes(path));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("weights can be stored as float16 and read back as float32 (within fp16 rounding)", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const data = Float32Array.from({ length: 100 }, (_, i) => Math.sin(i) * 3);
    await writeWeights(`${dir}/h.safetensors`, new Map([["w", { data, shape: [10, 10] }]]), { dtype: "F16" });
    assert.ok((await Deno.stat(`${dir}/h.safetensors`)).size < 100 * 2 + 200);
    const back = (await readWeights(`${dir}/h.safetensors`)).weights.get("w")!;
    assert.ok(back.data.every((v, i) => Math.abs(v - data[i]) <= Math.abs(data[i]) * 2 ** -11 + 1e-7));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("readWeights refuses /dev/zero, a folder, a FIFO and a file over the limit, before reading", async () => {
  await assert.rejects(
    readWeights("/dev/zero"),
    new TypeError('Weights file "/dev/zero" is a character device, not a regular file'),
  );
  const dir = await Deno.makeTempDir();
  try {
    await assert.rejects(
      readWeights(dir),
      new TypeError(`Weights file "${dir}" is a folder, not a regular file`),
    );
    assert.ok((await new Deno.Command("mkfifo", { args: [`${dir}/pipe`] }).output()).success);
    await assert.rejects(readWeights(`${dir}/pipe`), /Weights file ".*\/pipe" is a FIFO, not a regular file/);
    const path = `${dir}/w.safetensors`;
    await writeWeights(path, new Map([["w", { data: new Float32Array(100), shape: [100] }]]));
    await assert.rejects(readWeights(path, { maxFileBytes: 400 }), (error: Error) => {
      assert.ok(error instanceof RangeError);
      assert.match(error.message, /^Weights file ".*w\.safetensors" has \d+ bytes, over the limit of 400$/);
      return true;
    });
    assert.equal((await readWeights(path)).weights.get("w")!.data.length, 100);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
