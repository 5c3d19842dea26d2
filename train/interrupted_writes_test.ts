import assert from "node:assert/strict";
import { removeInterruptedWrites } from "./interrupted_writes.ts";

Deno.test("removeInterruptedWrites removes only atomic-write leftovers of dead processes, in that folder only", async () => {
  const directory = await Deno.makeTempDir();
  try {
    const dead = 2_000_000_000; // above any Linux pid_max: no such process
    const names = {
      removed: [`checkpoint-4.safetensors.tmp-${dead}-0123abcd`, `latest.json.tmp-${dead}-ffffffff`],
      kept: [
        `checkpoint-4.safetensors.tmp-${Deno.pid}-0123abcd`, // this process may be writing it
        "notes.tmp-1-xyz", // not the atomic-write pattern
        "checkpoint-4.safetensors",
        "run.tmp",
      ],
    };
    for (const name of [...names.removed, ...names.kept]) {
      await Deno.writeTextFile(`${directory}/${name}`, "x");
    }
    // A killed run whose pid this process reuses (a restarted container): older than this process.
    const reused = `log.jsonl.tmp-${Deno.pid}-00000000`;
    await Deno.writeTextFile(`${directory}/${reused}`, "x");
    const hourAgo = new Date(Date.now() - 3_600_000);
    await Deno.utime(`${directory}/${reused}`, hourAgo, hourAgo);
    names.removed.push(reused);
    await Deno.mkdir(`${directory}/sub`);
    await Deno.writeTextFile(`${directory}/sub/a.json.tmp-${dead}-0123abcd`, "x");

    const removed = await removeInterruptedWrites(directory);
    assert.deepEqual(removed.sort(), names.removed.map((n) => `${directory}/${n}`).sort());
    const left = [...Deno.readDirSync(directory)].map((e) => e.name).sort();
    assert.deepEqual(left, [...names.kept, "sub"].sort());
    assert.ok(Deno.statSync(`${directory}/sub/a.json.tmp-${dead}-0123abcd`).isFile, "subfolders untouched");
    assert.deepEqual(await removeInterruptedWrites(`${directory}/missing`), []);
  } finally {
    await Deno.remove(directory, { recursive: true });
  }
});
