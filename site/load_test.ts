/**
 * Load on loopback: 50 concurrent uploads fill a queue bounded at 50 while 50 page and API requests run beside
 * them, all without error; the 51st upload gets the "busy" answer; then every queued upload finishes. Latencies
 * are printed and written to `.ci/out/load.json`.
 */
import assert from "node:assert/strict";
import { REPOSITORY_ROOT, writeFixtureExperiments } from "./_fixture.ts";
import { serveSite } from "./server.ts";

const BOUND = 50;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

function summary(times: number[]) {
  const sorted = [...times].sort((a, b) => a - b);
  const round = (x: number) => Math.round(x * 10) / 10;
  return {
    count: sorted.length,
    p50: round(percentile(sorted, 0.5)),
    p95: round(percentile(sorted, 0.95)),
    max: round(sorted.at(-1)!),
  };
}

Deno.test({
  name: "load: 50 concurrent uploads and 50 page/API requests succeed; the 51st upload gets 503 busy",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const root = await Deno.makeTempDir({ prefix: "site-load-" });
    await writeFixtureExperiments(root);
    const { server, site } = await serveSite({
      experimentsRoot: root,
      repositoryRoot: REPOSITORY_ROOT,
      port: 0,
      queue: { capacity: BOUND, keep: 2 * BOUND },
    });
    const base = `http://127.0.0.1:${(server.addr as Deno.NetAddr).port}`;
    const image = await Deno.readFile(`${REPOSITORY_ROOT}/data/models/default/samples/test-0018-bag.png`);
    const upload = async () => {
      const form = new FormData();
      form.set("image", new File([image], "bag.png", { type: "image/png" }));
      form.set("suite", "demo");
      form.append("variant", "full");
      const start = performance.now();
      const response = await fetch(`${base}/api/jobs`, { method: "POST", body: form });
      return { status: response.status, body: await response.json(), ms: performance.now() - start };
    };
    const pages = [
      "/",
      "/suites/demo",
      "/suites/demo/compare?variants=full,phase_one",
      "/suites/demo/full",
      "/upload",
      "/api/suites",
      "/api/suites/demo",
      "/api/suites/demo/full/delta_w",
      "/api/suites/demo/full/log",
      "/api/suites/demo/full/samples/00_final.png",
    ];
    const get = async (path: string) => {
      const start = performance.now();
      const response = await fetch(`${base}${path}`);
      await response.arrayBuffer();
      return { path, status: response.status, ms: performance.now() - start };
    };
    try {
      await get("/"); // warm: first render, module loading
      site.state.queue.pause(); // the worker takes nothing while the queue fills, so the bound is reached exactly
      const started = performance.now();
      const [uploads, reads] = await Promise.all([
        Promise.all(Array.from({ length: BOUND }, upload)),
        Promise.all(Array.from({ length: 50 }, (_, i) => get(pages[i % pages.length]))),
      ]);
      const burstMs = performance.now() - started;
      assert.deepEqual(reads.filter((r) => r.status !== 200), [], "every page and API request answered 200");
      assert.deepEqual(
        uploads.filter((u) => u.status !== 202).map((u) => u.body),
        [],
        "every upload was queued",
      );
      assert.equal(site.state.queue.size, BOUND);

      const refused = await upload();
      assert.equal(refused.status, 503);
      assert.equal(refused.body.error, "busy");
      assert.match(refused.body.message, /queue is full \(50 jobs/);

      site.state.queue.resume();
      const drainStart = performance.now();
      const jobs = uploads.map((u) => site.state.queue.get(u.body.id)!);
      await Promise.all(jobs.map((job) => job.finished));
      const drainMs = performance.now() - drainStart;
      assert.ok(jobs.every((job) => job.status === "done"), "every queued upload finished");
      const afterwards = await upload(); // room again once the queue drained
      assert.equal(afterwards.status, 202);
      await site.state.queue.get(afterwards.body.id)!.finished;

      const report = {
        burstMs: Math.round(burstMs),
        pageAndApi: summary(reads.map((r) => r.ms)),
        uploadAccepted: summary(uploads.map((u) => u.ms)),
        busyAnswerMs: Math.round(refused.ms * 10) / 10,
        drainMs: Math.round(drainMs),
        perUploadJobMs: Math.round(drainMs / BOUND),
      };
      console.log(JSON.stringify(report));
      await Deno.mkdir(`${REPOSITORY_ROOT}/.ci/out`, { recursive: true });
      await Deno.writeTextFile(`${REPOSITORY_ROOT}/.ci/out/load.json`, JSON.stringify(report, null, 2));
    } finally {
      site.state.queue.resume();
      await server.shutdown();
      await Deno.remove(root, { recursive: true });
    }
  },
});
