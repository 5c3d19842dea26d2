import assert from "node:assert/strict";
import { type ReadTimeouts, RequestFraming } from "./request_framing.ts";

const TIMEOUTS: ReadTimeouts = {
  headersMs: 100,
  bodyMs: 1000,
  minBodyBytesPerSecond: 1000,
  maxBodyBytes: 50_000,
};
const bytes = (text: string) => new TextEncoder().encode(text);

/** Feeds `text` one byte at a time (the worst split), at time `now`. */
function feedBytewise(framing: RequestFraming, text: string, now: number) {
  for (const byte of bytes(text)) framing.feed(new Uint8Array([byte]), now);
}

Deno.test("a connection's first request is due headersMs after it opens; later ones after their first byte", () => {
  const framing = new RequestFraming(TIMEOUTS, 1000);
  assert.deepEqual([framing.phase, framing.deadline], ["idle", 1100]);
  framing.feed(bytes("\r\nGET / HTT"), 1050);
  assert.deepEqual([framing.phase, framing.deadline], ["head", 1100], "the opening still counts");
  framing.feed(bytes("P/1.1\r\nHost: x\r\n\r\n"), 1060);
  assert.deepEqual([framing.phase, framing.deadline], ["idle", null]);
  framing.feed(bytes("GET /b HTTP/1.1\r\n"), 5000);
  assert.deepEqual([framing.phase, framing.deadline], ["head", 5100]);
});

Deno.test("pipelined requests with Content-Length bodies are followed whatever the split", () => {
  const text = "POST /a HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc" +
    "POST /b HTTP/1.1\ncontent-length: 2000\n\n";
  for (const split of ["whole", "bytewise"]) {
    const framing = new RequestFraming(TIMEOUTS, 0);
    if (split === "whole") framing.feed(bytes(text), 10);
    else feedBytewise(framing, text, 10);
    // 2000 bytes at 1000 B/s beyond bodyMs 1000: due 10 + 1000 + 2000.
    assert.deepEqual([framing.phase, framing.deadline], ["body", 3010], split);
    framing.feed(new Uint8Array(1999), 20);
    assert.equal(framing.phase, "body");
    framing.feed(new Uint8Array(1), 30);
    assert.deepEqual([framing.phase, framing.deadline], ["idle", null]);
  }
});

Deno.test("a body's deadline is bounded by maxBodyBytes; chunked bodies get that bound", () => {
  const framing = new RequestFraming(TIMEOUTS, 0);
  framing.feed(bytes("POST / HTTP/1.1\r\nContent-Length: 999999999\r\n\r\n"), 0);
  assert.equal(framing.deadline, 1000 + 50_000);
  const chunked = new RequestFraming(TIMEOUTS, 0);
  const text = "POST / HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n" +
    "5;ext=1\r\nhello\r\nA\r\n0123456789\r\n0\r\nX-Trailer: 1\r\n\r\n" + "GET / HTTP/1.1\r\n";
  feedBytewise(chunked, text.slice(0, text.indexOf("0123")), 0);
  assert.deepEqual([chunked.phase, chunked.deadline], ["chunked", 51_000]);
  feedBytewise(chunked, text.slice(text.indexOf("0123")), 400);
  assert.deepEqual([chunked.phase, chunked.deadline], ["head", 500], "the next request began at 400");
});

Deno.test("bytes that are not HTTP/1.1 framing leave the connection its current deadline, at most headersMs more", () => {
  for (
    const text of [
      "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n",
      "GET / HTTP/1.1\r\nContent-Length: 5, 6\r\n\r\n",
      "GET / HTTP/1.1\r\nContent-Length: -1\r\n\r\n",
      "GET / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n",
      "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
      `GET /${"a".repeat(300_000)}`,
    ]
  ) {
    const framing = new RequestFraming(TIMEOUTS, 0);
    framing.feed(bytes(text), 0);
    assert.deepEqual([framing.phase, framing.deadline], ["unframed", 100], text.slice(0, 40));
    framing.feed(bytes("GET / HTTP/1.1\r\n\r\n"), 60);
    assert.deepEqual([framing.phase, framing.deadline], ["unframed", 100], "no more requests are followed");
  }
});
