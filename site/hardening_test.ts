/**
 * The site against slow and hostile clients: connections whose headers or body arrive too slowly are closed,
 * over-long names get a clear 4xx, and no error shows the server's paths.
 */
import assert from "node:assert/strict";
import { REPOSITORY_ROOT } from "./_fixture.ts";
import { createSite, serveSite } from "./server.ts";

const root = await Deno.makeTempDir({ prefix: "site-hardening-" });
await Deno.mkdir(`${root}/suites`);
// A suite whose file names another suite: reading it fails with an error that names its path.
await Deno.writeTextFile(`${root}/suites/misnamed.json`, JSON.stringify({ name: "other", variants: [] }));
globalThis.addEventListener("unload", () => Deno.removeSync(root, { recursive: true }));

const test = (name: string, fn: () => Promise<void>) =>
  Deno.test({ name, fn, sanitizeOps: false, sanitizeResources: false });

const encoder = new TextEncoder();
const LONG_NAME = "a".repeat(5000);

/** Serves the site with short read timeouts for the duration of `body`. */
async function withServer(
  readTimeouts: { headersMs: number; bodyMs?: number; minBodyBytesPerSecond?: number },
  body: (port: number) => Promise<void>,
) {
  const { server } = await serveSite({
    port: 0,
    experimentsRoot: root,
    repositoryRoot: REPOSITORY_ROOT,
    readTimeouts,
  });
  try {
    await body(server.addr.port);
  } finally {
    await server.shutdown();
  }
}

/**
 * Reads until the server closes the connection and says after how many ms it did, counted from `since`;
 * fails when it is still open at `giveUpMs` (the old server never closed it).
 */
async function closedAfter(connection: Deno.Conn, since: number, giveUpMs: number): Promise<number> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const giveUp = new Promise<"open">((resolve) => timer = setTimeout(() => resolve("open"), giveUpMs));
  const closed = (async () => {
    const buffer = new Uint8Array(4096);
    try {
      while ((await connection.read(buffer)) !== null) {
        // a response (e.g. 408) may come before the close
      }
    } catch {
      // reset by the server: closed too
    }
    return "closed" as const;
  })();
  const outcome = await Promise.race([closed, giveUp]);
  clearTimeout(timer);
  const elapsed = Date.now() - since;
  try {
    connection.close();
  } catch {
    // already closed
  }
  if (outcome === "open") assert.fail(`The connection is still open after ${elapsed} ms`);
  return elapsed;
}

/** Sends `text` one byte every `intervalMs` until `stop()` says so or the write fails. */
async function trickle(connection: Deno.Conn, text: string, intervalMs: number, stop: () => boolean) {
  for (const byte of encoder.encode(text)) {
    if (stop()) return;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
    try {
      await connection.write(new Uint8Array([byte]));
    } catch {
      return;
    }
  }
}

/** Reads HTTP responses (Content-Length framed) one after another from a raw connection. */
class ResponseReader {
  #received = new Uint8Array(0);
  constructor(readonly connection: Deno.Conn) {}

  async next(): Promise<{ status: number; body: string }> {
    const buffer = new Uint8Array(65536);
    for (;;) {
      const text = new TextDecoder("latin1").decode(this.#received);
      const headEnd = text.indexOf("\r\n\r\n");
      if (headEnd >= 0) {
        const length = Number(/content-length: *(\d+)/i.exec(text.slice(0, headEnd))?.[1] ?? 0);
        const end = headEnd + 4 + length;
        if (this.#received.length >= end) {
          this.#received = this.#received.slice(end); // a pipelined response may follow
          return { status: Number(text.slice(9, 12)), body: text.slice(headEnd + 4, end) };
        }
      }
      const count = await this.connection.read(buffer);
      if (count === null) throw new Error(`The connection closed after ${JSON.stringify(text)}`);
      const next = new Uint8Array(this.#received.length + count);
      next.set(this.#received);
      next.set(buffer.subarray(0, count), this.#received.length);
      this.#received = next;
    }
  }
}

test("a client sending its headers one byte a second is disconnected once the header timeout passes", async () => {
  await withServer({ headersMs: 1500 }, async (port) => {
    const connection = await Deno.connect({ hostname: "127.0.0.1", port });
    const opened = Date.now();
    let done = false;
    const sending = trickle(
      connection,
      "GET /api/suites HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: 12345678901234567890\r\n\r\n",
      1000,
      () => done,
    );
    const elapsed = await closedAfter(connection, opened, 8000);
    done = true;
    await sending;
    assert.ok(elapsed >= 1400 && elapsed < 4000, `closed after ${elapsed} ms (timeout 1500 ms)`);
  });
});

test("a connection that sends nothing is closed after the header timeout", async () => {
  await withServer({ headersMs: 1000 }, async (port) => {
    const connection = await Deno.connect({ hostname: "127.0.0.1", port });
    const elapsed = await closedAfter(connection, Date.now(), 6000);
    assert.ok(elapsed >= 900 && elapsed < 3500, `closed after ${elapsed} ms (timeout 1000 ms)`);
  });
});

test("an upload whose body stalls is disconnected once its body timeout passes", async () => {
  // 100 000 bytes at ≥ 1 MB/s plus 1 s: the body is due 1.1 s after its headers.
  await withServer({ headersMs: 1000, bodyMs: 1000, minBodyBytesPerSecond: 1_000_000 }, async (port) => {
    const connection = await Deno.connect({ hostname: "127.0.0.1", port });
    await connection.write(encoder.encode(
      "POST /api/jobs HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: multipart/form-data; boundary=x\r\n" +
        "Content-Length: 100000\r\n\r\n--x\r\n",
    ));
    const sent = Date.now();
    const elapsed = await closedAfter(connection, sent, 8000);
    assert.ok(elapsed >= 1000 && elapsed < 4000, `closed after ${elapsed} ms (deadline 1100 ms)`);
  });
});

test("a stalled chunked body is disconnected too", async () => {
  await withServer({ headersMs: 1000, bodyMs: 1000, minBodyBytesPerSecond: 1e9 }, async (port) => {
    const connection = await Deno.connect({ hostname: "127.0.0.1", port });
    await connection.write(encoder.encode(
      "POST /api/jobs HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: multipart/form-data; boundary=x\r\n" +
        "Transfer-Encoding: chunked\r\n\r\n5\r\n--x\r\n\r\n",
    ));
    const elapsed = await closedAfter(connection, Date.now(), 8000);
    assert.ok(elapsed < 4000, `closed after ${elapsed} ms (deadline about 1000 ms)`);
  });
});

test("a kept-alive connection idle between requests longer than the header timeout still serves requests", async () => {
  await withServer({ headersMs: 500 }, async (port) => {
    const connection = await Deno.connect({ hostname: "127.0.0.1", port });
    const responses = new ResponseReader(connection);
    try {
      const request = encoder.encode("GET /api/suites HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
      await connection.write(request);
      assert.equal((await responses.next()).status, 500); // the misnamed suite
      await new Promise((resolve) => setTimeout(resolve, 800));
      // Two pipelined requests, the first with a body, on the same connection.
      const body = "x".repeat(10);
      await connection.write(encoder.encode(
        `POST /api/suites/misnamed/v/train HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: ${body.length}\r\n\r\n${body}` +
          "GET /api/suites/nope HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
      ));
      assert.equal((await responses.next()).status, 500);
      assert.equal((await responses.next()).status, 404);
    } finally {
      connection.close();
    }
  });
});

test("fetch through the served site sees http:// URLs: the Host and Origin checks still work", async () => {
  await withServer({ headersMs: 2000 }, async (port) => {
    const base = `http://127.0.0.1:${port}`;
    const response = await fetch(`${base}/api/suites/nope`);
    assert.equal(response.status, 404);
    await response.body?.cancel();
    const sameOrigin = await fetch(`${base}/api/jobs`, {
      method: "POST",
      headers: { origin: base, "content-type": "text/plain" },
      body: "x",
    });
    assert.equal(sameOrigin.status, 415, "a same-origin POST reaches the route");
    await sameOrigin.body?.cancel();
    const crossOrigin = await fetch(`${base}/api/jobs`, {
      method: "POST",
      headers: { origin: "http://evil.example" },
      body: "x",
    });
    assert.equal(crossOrigin.status, 403);
    await crossOrigin.body?.cancel();
  });
});

test("a 5000-character name in a route, a query or an upload form gets a clear 4xx without server paths", async () => {
  const site = await createSite({ experimentsRoot: root, repositoryRoot: REPOSITORY_ROOT });
  try {
    const paths = [
      `/suites/${LONG_NAME}`,
      `/suites/misnamed/${LONG_NAME}`,
      `/api/suites/${LONG_NAME}`,
      `/api/suites/misnamed/${LONG_NAME}/log`,
      `/api/suites/misnamed/${LONG_NAME}/delta_w`,
      `/api/suites/misnamed/full/samples/${LONG_NAME}.png`,
      `/api/jobs/${LONG_NAME}/events`,
      `/static/${LONG_NAME}`,
    ];
    for (const path of paths) {
      const response = await site.fetch(new Request(`http://127.0.0.1:8000${path}`));
      const body = await response.text();
      assert.equal(
        response.status,
        414,
        `${path.slice(0, 30)}… answered ${response.status}: ${body.slice(0, 200)}`,
      );
      assert.deepEqual(JSON.parse(body), {
        error: "name_too_long",
        message: `A name in the URL is ${
          path.endsWith(".png") ? 5004 : 5000
        } bytes long; names are at most 255`,
      });
    }
    const train = await site.fetch(
      new Request(`http://127.0.0.1:8000/api/suites/${LONG_NAME}/v/train`, { method: "POST" }),
    );
    assert.equal(train.status, 414);
    await train.body?.cancel();

    const form = new FormData();
    form.set("image", new File([new Uint8Array(8)], `${LONG_NAME}.png`, { type: "image/png" }));
    form.set("suite", LONG_NAME);
    form.append("variant", "full");
    const upload = await site.fetch(
      new Request("http://127.0.0.1:8000/api/jobs", { method: "POST", body: form }),
    );
    const uploadBody = await upload.text();
    assert.equal(upload.status, 400, uploadBody);
    assert.doesNotMatch(uploadBody, new RegExp(root));
    assert.equal(JSON.parse(uploadBody).error, "name_too_long");
    assert.ok(uploadBody.length < 300, `a short answer: ${uploadBody.length} bytes`);
  } finally {
    site.close();
  }
});

test("errors do not show the server's absolute paths (pages and API alike)", async () => {
  const site = await createSite({ experimentsRoot: root, repositoryRoot: REPOSITORY_ROOT });
  try {
    for (
      const [path, status] of [
        ["/api/suites/nope", 404],
        ["/api/suites/misnamed", 500],
        ["/suites/nope", 404],
        ["/suites/misnamed", 500],
        ["/suites/misnamed/compare", 400],
        ["/suites/misnamed/full", 500],
      ] as const
    ) {
      const response = await site.fetch(new Request(`http://127.0.0.1:8000${path}`));
      const body = await response.text();
      assert.equal(response.status, status, `${path}: ${body.slice(0, 300)}`);
      assert.ok(!body.includes(root), `${path} shows the server's path: ${body.slice(0, 300)}`);
      assert.ok(!body.includes(REPOSITORY_ROOT), `${path} shows the repository's path`);
    }
    const missing = await (await site.fetch(new Request("http://127.0.0.1:8000/api/suites/nope"))).json();
    assert.deepEqual(missing, { error: "not_found", message: 'No suite "nope" (…/nope.json)' });
  } finally {
    site.close();
  }
});
