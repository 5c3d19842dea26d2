import assert from "node:assert/strict";
import { readRunLog, RunLog } from "./run_log.ts";

Deno.test("records round trip with time added and NaN kept as a string", async () => {
  const path = `${await Deno.makeTempDir()}/run.jsonl`;
  const log = await RunLog.open(path);
  // Not awaited one by one: appends still land in call order.
  await Promise.all([1, 2, 3].map((step) => log.append({ step, losses: { l2: step / 10 } })));
  await log.append({ step: 4, losses: { l2: NaN } });
  await log.close();
  const { records, ignoredPartialLines } = await readRunLog(path);
  assert.deepEqual(records.map((r) => r.step), [1, 2, 3, 4]);
  assert.deepEqual(records[3].losses, { l2: "NaN" });
  assert.equal(typeof records[0].time, "string");
  assert.equal(ignoredPartialLines, 0);
  await assert.rejects(() => log.append({ step: 5 }), /closed/);
});

Deno.test("a partial last line is ignored on read and cut off on reopen", async () => {
  const path = `${await Deno.makeTempDir()}/run.jsonl`;
  await Deno.writeTextFile(path, '{"step":1}\n{"step":2}\n{"step":3,"losses":{"l2":0.');
  const read = await readRunLog(path);
  assert.deepEqual([read.records.length, read.ignoredPartialLines], [2, 1]);
  const log = await RunLog.open(path);
  assert.deepEqual([log.existingRecords, log.droppedPartialLines], [2, 1]);
  await log.append({ step: 3, losses: { l2: 0.5 } });
  await log.close();
  const after = await readRunLog(path);
  assert.deepEqual(after.records.map((r) => r.step), [1, 2, 3]);
  assert.equal(after.ignoredPartialLines, 0);
});

Deno.test("resuming from a checkpoint drops the records after its step", async () => {
  const path = `${await Deno.makeTempDir()}/run.jsonl`;
  await Deno.writeTextFile(path, [1, 2, 3, 4].map((step) => JSON.stringify({ step })).join("\n") + "\n{");
  const log = await RunLog.open(path, { dropAfterStep: 2 });
  assert.equal(log.existingRecords, 2);
  await log.append({ step: 3 });
  await log.close();
  assert.deepEqual((await readRunLog(path)).records.map((r) => r.step), [1, 2, 3]);
});

Deno.test("a malformed complete line is an error naming file and line", async () => {
  const path = `${await Deno.makeTempDir()}/run.jsonl`;
  await Deno.writeTextFile(path, '{"step":1}\n{"step":\n{"step":3}\n');
  await assert.rejects(
    () => readRunLog(path),
    (e: Error) => e instanceof SyntaxError && e.message.includes(`${path}:2`),
  );
  await Deno.writeTextFile(path, '{"loss":1}\n');
  await assert.rejects(() => RunLog.open(path), /numeric "step"/);
});
