import assert from "node:assert/strict";
import { webGpuLockPath, withWebGpuLock } from "./webgpu_lock.ts";

/** Asserts that the log's steps never overlap: every "start N" is followed by "end N". */
function assertSerial(lines: string[], steps: number): void {
  assert.equal(lines.length, 2 * steps, lines.join("\n"));
  for (let i = 0; i < lines.length; i += 2) {
    assert.match(lines[i], /^start \d+$/);
    assert.equal(
      lines[i + 1],
      lines[i].replace("start", "end"),
      `Steps overlap at line ${i + 2}:\n${lines.join("\n")}`,
    );
  }
}

Deno.test("withWebGpuLock: steps of three workers of one process never overlap", async () => {
  const log = await Deno.makeTempFile();
  const workers = [1, 2, 3].map(() =>
    new Worker(new URL("./_webgpu_lock_worker.ts", import.meta.url), { type: "module" })
  );
  try {
    await Promise.all(workers.map((worker, id) =>
      new Promise((resolve) => {
        worker.onmessage = resolve;
        worker.postMessage({ id, log });
      })
    ));
    assertSerial((await Deno.readTextFile(log)).trim().split("\n"), 12);
  } finally {
    workers.forEach((worker) => worker.terminate());
    await Deno.remove(log);
  }
});

Deno.test("withWebGpuLock: concurrent calls in one isolate run one at a time, and a failure frees the lock", async () => {
  const lines: string[] = [];
  const step = (id: number) =>
    withWebGpuLock(async () => {
      lines.push(`start ${id}`);
      await new Promise((resolve) => setTimeout(resolve, 5));
      lines.push(`end ${id}`);
      if (id === 1) throw new RangeError("Step 1 failed");
    });
  const results = await Promise.allSettled([step(0), step(1), step(2)]);
  assert.deepEqual(results.map((r) => r.status), ["fulfilled", "rejected", "fulfilled"]);
  assertSerial(lines, 3);
});

Deno.test("webGpuLockPath: one file per process", () => {
  assert.match(webGpuLockPath(), new RegExp(`/hyperinverter-webgpu-${Deno.pid}\\.lock$`));
});
