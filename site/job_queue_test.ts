import assert from "node:assert/strict";
import { type JobEvent, JobQueue, QueueFullError } from "./job_queue.ts";

/** A job that finishes when told to. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { open, opened };
}

Deno.test("JobQueue refuses a submission beyond its capacity with QueueFullError and accepts again once one ends", async () => {
  const queue = new JobQueue({ capacity: 2, concurrency: 1 });
  const first = gate();
  const a = queue.submit("a", async () => (await first.opened, "a"));
  const b = queue.submit("b", () => Promise.resolve("b"));
  assert.equal(queue.size, 2);
  assert.throws(
    () => queue.submit("c", () => Promise.resolve("c")),
    (e) => e instanceof QueueFullError && e.capacity === 2,
  );
  assert.throws(() => queue.checkRoom(), QueueFullError);
  assert.equal(a.status, "running");
  assert.equal(b.status, "queued");
  first.open();
  assert.deepEqual(await Promise.all([a.finished, b.finished]), ["a", "b"]);
  assert.equal(queue.size, 0);
  assert.equal(await queue.submit("c", () => Promise.resolve(3)).finished, 3);
});

Deno.test("JobQueue runs at most `concurrency` jobs at once", async () => {
  const queue = new JobQueue({ capacity: 10, concurrency: 2 });
  let running = 0, most = 0;
  const jobs = Array.from({ length: 6 }, (_, i) =>
    queue.submit("x", async () => {
      running++;
      most = Math.max(most, running);
      await new Promise((r) => setTimeout(r, 5));
      running--;
      return i;
    }));
  assert.deepEqual(await Promise.all(jobs.map((j) => j.finished)), [0, 1, 2, 3, 4, 5]);
  assert.equal(most, 2);
});

Deno.test("JobQueue events: queued position, progress clamped to [0, 1], done with the result; replayed to late listeners", async () => {
  const queue = new JobQueue({ capacity: 3 });
  const hold = gate();
  queue.submit("first", async () => await hold.opened);
  queue.submit("second", () => Promise.resolve());
  const job = queue.submit("third", (report) => {
    report(0.5, "half");
    report(7, "beyond");
    return Promise.resolve(42);
  });
  const live: JobEvent[] = [];
  queue.listen(job.id, (e) => live.push(e));
  hold.open();
  await job.finished;
  assert.deepEqual(live, [
    { type: "queued", position: 2 },
    { type: "queued", position: 1 },
    { type: "progress", fraction: 0.5, message: "half" },
    { type: "progress", fraction: 1, message: "beyond" },
    { type: "done", result: 42 },
  ]);
  const late: JobEvent[] = [];
  queue.listen(job.id, (e) => late.push(e));
  assert.deepEqual(late, live);
  assert.equal(queue.listen("no-such-job", () => {}), null);
});

Deno.test("JobQueue reports a failing job as an error event and keeps running others", async () => {
  const queue = new JobQueue({ capacity: 2 });
  const bad = queue.submit("bad", () => Promise.reject(new RangeError("Gamma 99 is out of range")));
  const good = queue.submit("good", () => Promise.resolve("fine"));
  await assert.rejects(bad.finished, RangeError);
  assert.equal(bad.status, "failed");
  assert.deepEqual(bad.events.at(-1), { type: "error", message: "Gamma 99 is out of range" });
  assert.equal(await good.finished, "fine");
});

Deno.test("JobQueue pause holds queued jobs until resume; keep bounds the finished jobs remembered", async () => {
  const queue = new JobQueue({ capacity: 5, keep: 1 });
  queue.pause();
  const jobs = [1, 2, 3].map((n) => queue.submit("n", () => Promise.resolve(n)));
  await new Promise((r) => setTimeout(r, 10));
  assert.ok(jobs.every((j) => j.status === "queued"));
  queue.resume();
  await Promise.all(jobs.map((j) => j.finished));
  assert.equal(queue.get(jobs[0].id), undefined, "the oldest finished jobs are forgotten");
  assert.equal(queue.get(jobs[2].id)?.result, 3);
});

Deno.test("JobQueue rejects bounds that are not positive integers", () => {
  assert.throws(() => new JobQueue({ capacity: 0 }), /capacity must be a positive integer, got 0/);
  assert.throws(() => new JobQueue({ concurrency: 1.5 }), RangeError);
});
