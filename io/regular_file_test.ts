import assert from "node:assert/strict";
import { readRegularFile } from "./regular_file.ts";

Deno.test("readRegularFile reads a regular file exactly, also through a file URL", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const bytes = Uint8Array.from({ length: 100_000 }, (_, i) => i % 251);
    await Deno.writeFile(`${dir}/a b.bin`, bytes);
    assert.deepEqual(await readRegularFile(`${dir}/a b.bin`), bytes);
    assert.deepEqual(await readRegularFile(new URL(`file://${dir}/a%20b.bin`)), bytes);
    await Deno.writeFile(`${dir}/empty`, new Uint8Array(0));
    assert.equal((await readRegularFile(`${dir}/empty`)).length, 0);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("readRegularFile refuses /dev/zero, a folder and a FIFO before reading, naming the path", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await assert.rejects(
      readRegularFile("/dev/zero", { what: "Weights file" }),
      (error: Error) =>
        error instanceof TypeError &&
        error.message === 'Weights file "/dev/zero" is a character device, not a regular file',
    );
    await assert.rejects(
      readRegularFile(dir),
      new TypeError(`File "${dir}" is a folder, not a regular file`),
    );
    const fifo = `${dir}/pipe`;
    const made = await new Deno.Command("mkfifo", { args: [fifo] }).output();
    assert.ok(made.success, "mkfifo");
    // Opening a FIFO for reading would block with no writer: the refusal must come first.
    await assert.rejects(
      readRegularFile(fifo),
      new TypeError(`File "${fifo}" is a FIFO, not a regular file`),
    );
    await assert.rejects(readRegularFile(`${dir}/missing`), Deno.errors.NotFound);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("readRegularFile refuses a file over the limit before reading it", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/big.pt`;
    // A sparse 5 GiB file: refused from its size alone, nothing is read.
    using file = await Deno.open(path, { write: true, create: true });
    await file.truncate(5 * 2 ** 30);
    await assert.rejects(
      readRegularFile(path, { maxBytes: 2 ** 30, what: "Torch file" }),
      new RangeError(`Torch file "${path}" has ${5 * 2 ** 30} bytes, over the limit of ${2 ** 30}`),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
