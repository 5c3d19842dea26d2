/**
 * An HTTP server with read timeouts. `Deno.serve` has none (a client that sends its headers one byte a second,
 * or stalls in the middle of a body, keeps its connection for ever), so {@linkcode serveWithReadTimeouts} runs
 * `Deno.serve` on a private Unix socket and listens on TCP itself: each connection is relayed byte for byte,
 * while {@linkcode RequestFraming} follows where the client's requests begin and end, and a connection whose
 * request misses its deadline is closed.
 *
 * @module
 */

import { DEFAULT_READ_TIMEOUTS, type ReadTimeouts, RequestFraming } from "./request_framing.ts";

/** Options of {@linkcode serveWithReadTimeouts}. */
export interface ReadTimeoutServeOptions {
  /** Interface to listen on. */
  hostname: string;
  /** Port (0 picks a free one). */
  port: number;
  /** Deadlines (default {@linkcode DEFAULT_READ_TIMEOUTS}). */
  timeouts?: Partial<ReadTimeouts>;
  /** Called once listening. */
  onListen?: (address: Deno.NetAddr) => void;
}

const RELAY_BUFFER_BYTES = 64 * 1024;

/**
 * Serves `handler` on TCP, closing connections whose requests arrive too slowly.
 *
 * Handlers see `http://<Host>/…` URLs, as with `Deno.serve` on TCP.
 *
 * @param handler answers a request
 * @param options interface, port, timeouts
 * @returns the server (`addr` is the TCP address; `shutdown()` closes it and every connection)
 * @example
 * ```ts
 * import { serveWithReadTimeouts } from "./read_timeouts.ts";
 * const server = await serveWithReadTimeouts((request) => new Response(new URL(request.url).pathname), {
 *   hostname: "127.0.0.1",
 *   port: 0,
 * });
 * const response = await fetch(`http://127.0.0.1:${server.addr.port}/hello`);
 * console.log(await response.text()); // "/hello"
 * await server.shutdown();
 * ```
 */
export async function serveWithReadTimeouts(
  handler: (request: Request) => Response | Promise<Response>,
  options: ReadTimeoutServeOptions,
): Promise<Deno.HttpServer<Deno.NetAddr>> {
  const timeouts = { ...DEFAULT_READ_TIMEOUTS, ...options.timeouts };
  for (const [name, value] of Object.entries(timeouts)) {
    if (!(value > 0)) throw new RangeError(`Read timeout ${name} must be > 0, got ${value}`);
  }
  const listener = Deno.listen({ hostname: options.hostname, port: options.port });
  const address = listener.addr;
  const socketDirectory = await Deno.makeTempDir({ prefix: "site-http-" });
  const socketPath = `${socketDirectory}/http.sock`;
  const inner = Deno.serve({ path: socketPath, onListen() {} }, (request) => {
    const url = tcpUrl(request, address);
    return url ? handler(new Request(url, request)) : new Response("Invalid Host header", { status: 400 });
  });

  const relays = new Set<Relay>();
  const accepting = (async () => {
    for await (const connection of listener) {
      const relay = new Relay(connection, timeouts);
      relays.add(relay);
      relay.run(socketPath).finally(() => relays.delete(relay));
    }
  })().catch(() => {}); // the listener was closed

  let finish: () => void;
  const finished = new Promise<void>((resolve) => finish = resolve);
  let shuttingDown: Promise<void> | null = null;
  const shutdown = () =>
    shuttingDown ??= (async () => {
      listener.close();
      await accepting;
      // Connections with no request in the server go now; the server finishes the others' requests.
      for (const relay of relays) {
        if (relay.framing.phase === "idle" || relay.framing.phase === "head") {
          relay.close();
        }
      }
      await inner.shutdown();
      for (const relay of relays) relay.close();
      await Deno.remove(socketDirectory, { recursive: true }).catch(() => {});
      finish();
    })();
  inner.finished.then(() => shutdown());
  options.onListen?.(address);
  return {
    addr: address,
    finished,
    shutdown,
    ref() {
      listener.ref();
      inner.ref();
    },
    unref() {
      listener.unref();
      inner.unref();
    },
    [Symbol.asyncDispose]: shutdown,
  };
}

/** The request's URL as `Deno.serve` on TCP gives it (`http://<Host><path>`), or null for an unusable Host. */
function tcpUrl(request: Request, address: Deno.NetAddr): string | null {
  const { pathname, search } = new URL(request.url);
  const listening = address.hostname.includes(":") ? `[${address.hostname}]` : address.hostname;
  const host = request.headers.get("host") ?? `${listening}:${address.port}`;
  if (/[\s/?#@\\]/.test(host)) return null;
  try {
    return new URL(`http://${host}${pathname}${search}`).href;
  } catch {
    return null;
  }
}

/** One client connection relayed to the server's socket, closed when a request misses its deadline. */
class Relay {
  readonly framing: RequestFraming;
  #server: Deno.UnixConn | null = null;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #armedFor: number | null = null;
  #closed = false;

  constructor(readonly client: Deno.Conn, timeouts: ReadTimeouts) {
    this.framing = new RequestFraming(timeouts, Date.now());
    this.#arm();
  }

  async run(socketPath: string): Promise<void> {
    try {
      this.#server = await Deno.connect({ transport: "unix", path: socketPath });
    } catch {
      return this.close();
    }
    if (this.#closed) return this.close();
    const server = this.#server;
    const fromClient = this.#pump(this.client, server, (bytes) => {
      this.framing.feed(bytes, Date.now());
      this.#arm();
    }).then(() => server.closeWrite()); // the client is done sending: the server still answers
    const toClient = this.#pump(server, this.client, () => {});
    await Promise.allSettled([fromClient.catch(() => this.close()), toClient.finally(() => this.close())]);
  }

  /** Closes both sides (idempotent). */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#timer);
    for (const connection of [this.client, this.#server]) {
      try {
        connection?.close();
      } catch {
        // already closed
      }
    }
  }

  async #pump(from: Deno.Conn, to: Deno.Conn, onBytes: (bytes: Uint8Array) => void): Promise<void> {
    const buffer = new Uint8Array(RELAY_BUFFER_BYTES);
    for (;;) {
      const count = await from.read(buffer);
      if (count === null) return;
      const bytes = buffer.subarray(0, count);
      onBytes(bytes);
      for (let written = 0; written < count;) written += await to.write(bytes.subarray(written));
    }
  }

  #arm(): void {
    const deadline = this.framing.deadline;
    if (deadline === this.#armedFor || this.#closed) return;
    clearTimeout(this.#timer);
    this.#armedFor = deadline;
    if (deadline !== null) this.#timer = setTimeout(() => this.close(), Math.max(0, deadline - Date.now()));
  }
}
