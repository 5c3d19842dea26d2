import assert from "node:assert/strict";
import { acquireVariantLock, readLock, VariantLockedError } from "./variant_lock.ts";

async function inTemp(body: (folder: string) => Promise<void>): Promise<void> {
  const folder = await Deno.makeTempDir({ prefix: "variant_lock_" });
  try {
    await body(folder);
  } finally {
    await Deno.remove(folder, { recursive: true });
  }
}

const write = (path: string, owner: Record<string, unknown>) =>
  Deno.writeTextFile(path, JSON.stringify({ createdAt: "", ...owner }));

Deno.test("a variant lock is created once, names its owner and is released by it", async () => {
  await inTemp(async (folder) => {
    const path = `${folder}/runs/s/v/owner.lock`;
    const lock = await acquireVariantLock(path);
    assert.equal(lock.tookOverBecause, null);
    const { owner } = (await readLock(path))!;
    assert.deepEqual([owner.host, owner.pid], [Deno.hostname(), Deno.pid]);
    assert.equal((await acquireVariantLock(path)).owner.pid, Deno.pid, "this process holds it already");
    await lock.refresh();
    await lock.release();
    assert.equal(await readLock(path), null);
    assert.deepEqual([...Deno.readDirSync(`${folder}/runs/s/v`)], [], "no temporary file is left");
  });
});

Deno.test("a live owner keeps its lock: a live process here, or a Slurm job still queued on another host", async () => {
  await inTemp(async (folder) => {
    const path = `${folder}/owner.lock`;
    await write(path, { host: Deno.hostname(), pid: 1 });
    await assert.rejects(() => acquireVariantLock(path), VariantLockedError);
    await write(path, { host: "node7", pid: 5, jobId: "41_2" });
    const error = await acquireVariantLock(path, { isJobActive: () => Promise.resolve(true) }).catch((e) =>
      e
    );
    assert.ok(error instanceof VariantLockedError);
    assert.match(error.message, /owner\.lock is held by pid 5 on node7 \(Slurm job 41_2\)/);
    // Another host, Slurm cannot tell, refreshed recently: kept.
    await write(path, { host: "node7", pid: 5 });
    await assert.rejects(() => acquireVariantLock(path, { isJobActive: () => Promise.resolve(null) }));
  });
});

Deno.test("a stale lock is taken over: dead process here, Slurm job gone, or not refreshed within the age limit", async () => {
  await inTemp(async (folder) => {
    const path = `${folder}/owner.lock`;
    await write(path, { host: Deno.hostname(), pid: 2 ** 22 + 7 });
    let lock = await acquireVariantLock(path);
    assert.equal(lock.tookOverBecause, "pid 4194311 on this host is not running");
    await lock.release();

    await write(path, { host: "node7", pid: 5, jobId: "41_2" });
    lock = await acquireVariantLock(path, { isJobActive: () => Promise.resolve(false) });
    assert.equal(lock.tookOverBecause, "Slurm job 41_2 is no longer queued or running");
    await lock.release();

    await write(path, { host: "node7", pid: 5 });
    const old = new Date(Date.now() - 2 * 3_600_000);
    await Deno.utime(path, old, old);
    lock = await acquireVariantLock(path, { maxAgeMs: 3_600_000 });
    assert.match(lock.tookOverBecause!, /^not refreshed for 72\d\d s \(limit 3600 s\)$/);
    assert.equal((await readLock(path))!.owner.pid, Deno.pid);
    await lock.release();

    await Deno.writeTextFile(path, "not json");
    await assert.rejects(() => acquireVariantLock(path), SyntaxError, "owner.lock is not a lock file");
  });
});
