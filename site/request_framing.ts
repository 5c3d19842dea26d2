/**
 * Where each HTTP/1.1 request on a connection begins and ends, followed from the bytes the client sends, and
 * the time by which the part being received must be complete. The site's read timeouts
 * (`read_timeouts.ts`) close a connection whose request misses its deadline: `Deno.serve` has no timeouts of
 * its own, so a client sending its headers one byte a second, or stalling in a body, would hold a connection
 * for ever.
 *
 * @module
 */

/** How long a request may take to arrive. */
export interface ReadTimeouts {
  /**
   * Request line and headers, from the request's first byte (for a connection's first request: from the
   * connection's opening), in ms (default 10 s).
   */
  headersMs: number;
  /** A body's time beyond its transfer at `minBodyBytesPerSecond`, from the end of the headers, in ms (default 10 s). */
  bodyMs: number;
  /** Slowest body transfer allowed (default 64 KiB/s): a body of n bytes may take `bodyMs + n / rate`. */
  minBodyBytesPerSecond: number;
  /** Largest body the server accepts (default 10 MiB + 64 KiB): bounds the deadline of long or chunked bodies. */
  maxBodyBytes: number;
}

/** The default timeouts: headers in 10 s, a 10 MiB body in 10 s + 160 s. */
export const DEFAULT_READ_TIMEOUTS: ReadTimeouts = {
  headersMs: 10_000,
  bodyMs: 10_000,
  minBodyBytesPerSecond: 64 * 1024,
  maxBodyBytes: 10 * 1024 * 1024 + 64 * 1024,
};

/** Longest request head followed (the server refuses longer ones anyway). */
const MAX_HEAD_BYTES = 256 * 1024;
/** Longest chunk-size or trailer line followed. */
const MAX_LINE_BYTES = 8 * 1024;

const CR = 13, LF = 10;

/**
 * What is being received: `idle` between requests, `head` (request line and headers), a `body` of known length,
 * a `chunked` body, or `unframed`: bytes this class cannot follow (HTTP/2, a malformed head), which the server
 * answers and closes; the connection then only has the deadline it had when they came.
 */
export type FramingPhase = "idle" | "head" | "body" | "chunked" | "unframed";

type ChunkState = "size" | "data" | "data-end" | "trailers";

/**
 * Follows the requests a client sends on one connection and says by when the current one must be in.
 *
 * @example
 * ```ts
 * import { RequestFraming } from "./request_framing.ts";
 * const timeouts = { headersMs: 10_000, bodyMs: 10_000, minBodyBytesPerSecond: 1000, maxBodyBytes: 1e6 };
 * const framing = new RequestFraming(timeouts, 0); // a new connection: its first request is due by 10 s
 * framing.feed(new TextEncoder().encode("POST /x HTTP/1.1\r\nContent-Length: 5000\r\n\r\n"), 2_000);
 * console.log(framing.phase, framing.deadline); // "body" 17000 (2 s + 10 s + 5000 B at 1000 B/s)
 * framing.feed(new Uint8Array(5000), 3_000);
 * console.log(framing.phase, framing.deadline); // "idle" null
 * ```
 */
export class RequestFraming {
  #phase: FramingPhase = "idle";
  #deadline: number | null;
  #firstRequest = true;
  #head = new Uint8Array(1024);
  #headLength = 0;
  #remaining = 0;
  #chunk: ChunkState = "size";
  #line: number[] = [];

  /**
   * @param timeouts the deadlines to apply
   * @param openedAt when the connection opened (ms; its first request is due `headersMs` later)
   */
  constructor(readonly timeouts: ReadTimeouts, openedAt: number) {
    this.#deadline = openedAt + timeouts.headersMs;
  }

  /** What is being received. */
  get phase(): FramingPhase {
    return this.#phase;
  }

  /** By when (ms) the part being received must be complete; null between requests of a kept-alive connection. */
  get deadline(): number | null {
    return this.#deadline;
  }

  /**
   * Follows bytes the client sent.
   *
   * @param bytes the bytes, in order
   * @param now when they came (ms)
   */
  feed(bytes: Uint8Array, now: number): void {
    let i = 0;
    while (i < bytes.length && this.#phase !== "unframed") {
      switch (this.#phase) {
        case "idle":
          // RFC 9112 §2.2: empty lines before a request line are ignored.
          if (bytes[i] === CR || bytes[i] === LF) {
            i++;
          } else {
            if (!this.#firstRequest) this.#deadline = now + this.timeouts.headersMs;
            this.#firstRequest = false;
            this.#phase = "head";
            this.#headLength = 0;
          }
          break;
        case "head":
          i = this.#readHead(bytes, i, now);
          break;
        case "body": {
          const taken = Math.min(this.#remaining, bytes.length - i);
          this.#remaining -= taken;
          i += taken;
          if (this.#remaining === 0) this.#endRequest();
          break;
        }
        case "chunked":
          i = this.#readChunked(bytes, i, now);
          break;
      }
    }
  }

  #readHead(bytes: Uint8Array, start: number, now: number): number {
    for (let i = start; i < bytes.length; i++) {
      if (this.#headLength === MAX_HEAD_BYTES) return this.#unframed(now);
      if (this.#headLength === this.#head.length) {
        const grown = new Uint8Array(Math.min(MAX_HEAD_BYTES, this.#head.length * 2));
        grown.set(this.#head);
        this.#head = grown;
      }
      const byte = bytes[i];
      this.#head[this.#headLength++] = byte;
      if (byte !== LF) continue;
      const n = this.#headLength;
      // The head ends at an empty line: "\n\n" or "\n\r\n" (bare LF is accepted, as the server does).
      if (
        (n >= 2 && this.#head[n - 2] === LF) ||
        (n >= 3 && this.#head[n - 2] === CR && this.#head[n - 3] === LF)
      ) {
        this.#endHead(now);
        return i + 1;
      }
    }
    return bytes.length;
  }

  #endHead(now: number): void {
    const text = new TextDecoder("latin1").decode(this.#head.subarray(0, this.#headLength));
    const [requestLine, ...lines] = text.split(/\r?\n/);
    if (!/^[A-Z]+ \S+ HTTP\/1\.[01]$/.test(requestLine)) { // HTTP/2's preface too
      this.#unframed(now);
      return;
    }
    let contentLength: number | null = null;
    let chunked = false;
    for (const line of lines) {
      const colon = line.indexOf(":");
      if (colon <= 0) continue;
      const name = line.slice(0, colon).trim().toLowerCase();
      const value = line.slice(colon + 1).trim();
      if (name === "content-length") {
        const values = new Set(value.split(",").map((v) => v.trim()));
        const [only] = values;
        if (values.size !== 1 || !/^\d{1,15}$/.test(only) || (contentLength ?? +only) !== +only) {
          this.#unframed(now);
          return;
        }
        contentLength = Number(only);
      } else if (name === "transfer-encoding") {
        const codings = value.toLowerCase().split(",").map((v) => v.trim());
        if (codings.at(-1) !== "chunked") {
          this.#unframed(now);
          return;
        }
        chunked = true;
      }
    }
    if (chunked) {
      this.#phase = "chunked";
      this.#chunk = "size";
      this.#line = [];
      this.#deadline = this.#bodyDeadline(now, this.timeouts.maxBodyBytes);
    } else if (contentLength) {
      this.#phase = "body";
      this.#remaining = contentLength;
      this.#deadline = this.#bodyDeadline(now, Math.min(contentLength, this.timeouts.maxBodyBytes));
    } else {
      this.#endRequest();
    }
  }

  #bodyDeadline(now: number, bytes: number): number {
    const { bodyMs, minBodyBytesPerSecond } = this.timeouts;
    return now + bodyMs + Math.ceil((bytes * 1000) / minBodyBytesPerSecond);
  }

  #readChunked(bytes: Uint8Array, start: number, now: number): number {
    let i = start;
    while (i < bytes.length && this.#phase === "chunked") {
      if (this.#chunk === "data") {
        const taken = Math.min(this.#remaining, bytes.length - i);
        this.#remaining -= taken;
        i += taken;
        if (this.#remaining === 0) this.#chunk = "data-end";
        continue;
      }
      const byte = bytes[i++];
      if (byte !== LF) {
        if (this.#line.length === MAX_LINE_BYTES) return this.#unframed(now);
        this.#line.push(byte);
        continue;
      }
      const line = String.fromCharCode(...this.#line).replace(/\r$/, "");
      this.#line = [];
      if (this.#chunk === "size") {
        const size = /^([0-9a-fA-F]{1,12})[ \t]*(;.*)?$/.exec(line)?.[1];
        if (size === undefined) return this.#unframed(now);
        this.#remaining = parseInt(size, 16);
        this.#chunk = this.#remaining === 0 ? "trailers" : "data";
      } else if (this.#chunk === "data-end") {
        if (line !== "") return this.#unframed(now);
        this.#chunk = "size";
      } else if (line === "") { // "trailers": an empty line ends the request
        this.#endRequest();
      }
    }
    return i;
  }

  #endRequest(): void {
    this.#phase = "idle";
    this.#deadline = null;
  }

  /** Stops following the bytes (the server answers them and closes); returns a position past any input. */
  #unframed(now: number): number {
    this.#phase = "unframed";
    this.#deadline = Math.min(this.#deadline ?? Infinity, now + this.timeouts.headersMs);
    return Infinity;
  }
}
