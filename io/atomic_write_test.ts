import assert from "node:assert/strict";
import { writeFileAtomic } from "./atomic_write.ts";

async function listNames(directory: string): Promise<string[]> {
  const names: string[] = [];
  for await (const entry of Deno.readDir(directory)) names.push(entry.name);
  return names.sort();
}

Deno.test("writeFileAtomic creates a file and replaces an existing one, leaving no temporary file", async () => {
  const directory = await Deno.makeTempDir();
  try {
    const path = `${directory}/out.bin`;
    await writeFileAtomic(path, new Uint8Array([1, 2, 3]));
    assert.deepEqual(await Deno.readFile(path), new Uint8Array([1, 2, 3]));
    await writeFileAtomic(path, "héllo\n");
    assert.equal(await Deno.readTextFile(path), "héllo\n");
    await writeFileAtomic(path, new Uint8Array(0));
    assert.equal((await Deno.stat(path)).size, 0);
    assert.deepEqual(await listNames(directory), ["out.bin"]);
  } finally {
    await Deno.remove(directory, { recursive: true });
  }
});

Deno.test("writeFileAtomic writes large data whole", async () => {
  const directory = await Deno.makeTempDir();
  try {
    const path = `${directory}/large.bin`;
    const data = new Uint8Array(5_000_000).map((_, i) => (i * 7) & 0xff);
    await writeFileAtomic(path, data);
    assert.deepEqual(await Deno.readFile(path), data);
  } finally {
    await Deno.remove(directory, { recursive: true });
  }
});

Deno.test("writeFileAtomic into a missing directory fails with an error naming the path", async () => {
  const directory = await Deno.makeTempDir();
  try {
    const path = `${directory}/missing/out.json`;
    await assert.rejects(writeFileAtomic(path, "{}"), (error: Error) => {
      assert.match(error.message, /^Cannot write ".*\/missing\/out\.json" atomically: /);
      assert.ok(error.cause instanceof Deno.errors.NotFound);
      return true;
    });
    assert.deepEqual(await listNames(directory), []);
  } finally {
    await Deno.remove(directory, { recursive: true });
  }
});

Deno.test("when the rename cannot happen, the target stays unchanged and the temporary file is removed", async () => {
  const directory = await Deno.makeTempDir();
  try {
    // A non-empty directory at the target path: the temporary file is written, but no rename can replace it.
    const path = `${directory}/target`;
    await Deno.mkdir(path);
    await Deno.writeTextFile(`${path}/keep.txt`, "original");
    await assert.rejects(writeFileAtomic(path, "new content"), {
      name: "Error",
      message: /^Cannot write ".*\/target" atomically: /,
    });
    assert.ok((await Deno.stat(path)).isDirectory);
    assert.equal(await Deno.readTextFile(`${path}/keep.txt`), "original");
    assert.deepEqual(await listNames(directory), ["target"]);
  } finally {
    await Deno.remove(directory, { recursive: true });
  }
});

Deno.test("a read-only directory makes the write fail and leaves the existing file unchanged", {
  ignore: Deno.build.os === "windows" || Deno.uid() === 0, // root ignores directory permissions
}, async () => {
  const directory = await Deno.makeTempDir();
  const path = `${directory}/state.json`;
  try {
    await Deno.writeTextFile(path, "old");
    await Deno.chmod(directory, 0o555);
    await assert.rejects(writeFileAtomic(path, "new"), { message: /state\.json" atomically/ });
    assert.equal(await Deno.readTextFile(path), "old");
  } finally {
    await Deno.chmod(directory, 0o755);
    await Deno.remove(directory, { recursive: true });
  }
});
