/**
 * The site: Hono with the manifest's routes, the island bundles, static files, the job queue and the inference
 * workers. {@linkcode createSite} builds it (for tests: `site.fetch(request)`); {@linkcode serveSite} listens on
 * loopback unless told otherwise.
 *
 * @module
 */

import { Hono } from "../deps.ts";
import { EXPERIMENTS_ROOT } from "../experiments/store.ts";
import { bundleIslands, DEFAULT_BUNDLE_DIRECTORY } from "./bundle.ts";
import { registerRoutes } from "./fresh.tsx";
import { errorResponse, jsonError, MAX_NAME_BYTES } from "./http.ts";
import { JobQueue, type JobQueueOptions } from "./job_queue.ts";
import { manifest } from "./manifest.ts";
import { serveWithReadTimeouts } from "./read_timeouts.ts";
import type { ReadTimeouts } from "./request_framing.ts";
import { DEFAULT_LIMITS, type SiteLimits, type SiteState } from "./state.ts";
import { WorkerPool } from "./worker_pool.ts";

/** Options of {@linkcode createSite}. */
export interface SiteOptions {
  /** The experiments folder (default: `data/` of the current directory, the checkout's). */
  experimentsRoot?: string;
  /** Where suite `base` paths resolve (default: the parent of `experimentsRoot`). */
  repositoryRoot?: string;
  /** Bounds of the job queue (default capacity 8; concurrency = workers). */
  queue?: Omit<JobQueueOptions, "concurrency">;
  /** Where training checkpoints go (default `<repositoryRoot>/runs`). */
  runsRoot?: string;
  /** Training runs waiting or running at once (default 1; one runs at a time). */
  trainingCapacity?: number;
  /** Inference workers (default 1). */
  workers?: number;
  /** Device of the models (default `cpu`). */
  device?: string;
  /** Import the plug-in code that model folders name (`--allow-plugins`; hashes are still checked). */
  allowPlugins?: boolean;
  limits?: Partial<SiteLimits>;
  /** Where island bundles go (default `site/.build/islands`, git-ignored). */
  bundleDirectory?: string;
  /**
   * Host names (without port) that requests may name in `Host` (a guard against DNS rebinding); null accepts
   * any. Default: loopback names.
   */
  allowedHosts?: readonly string[] | null;
}

/** A built site. */
export interface Site {
  app: Hono;
  /** Answers a request (what `Deno.serve` calls). */
  fetch: (request: Request) => Response | Promise<Response>;
  state: SiteState;
  /** Route patterns in matching order. */
  routes: string[];
  /** Stops the workers. */
  close(): void;
}

/** Loopback host names. */
export const LOOPBACK_HOSTS: readonly string[] = ["127.0.0.1", "localhost", "[::1]", "::1"];

const STATIC_TYPES: Record<string, string> = {
  css: "text/css; charset=utf-8",
  js: "text/javascript; charset=utf-8",
};

/** Pages may load scripts, styles and images from the site itself only (inline styles: the islands set some). */
const CONTENT_SECURITY_POLICY =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' blob: data:; " +
  "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

async function readStaticFiles(): Promise<Map<string, Uint8Array>> {
  const directory = new URL("./static/", import.meta.url);
  const files = new Map<string, Uint8Array>();
  for await (const entry of Deno.readDir(directory)) {
    if (entry.isFile) files.set(entry.name, await Deno.readFile(new URL(entry.name, directory)));
  }
  return files;
}

/**
 * Builds the site: bundles the islands (once per process and folder), reads the static files and starts the
 * workers.
 *
 * @param options roots, queue bounds, workers, limits, allowed hosts
 * @returns the site
 * @example
 * ```ts
 * import { createSite } from "./server.ts";
 * const site = await createSite({ experimentsRoot: "/nonexistent" });
 * const response = await site.fetch(new Request("http://127.0.0.1/api/suites"));
 * console.log(response.status, await response.json()); // 200 []
 * site.close();
 * ```
 */
export async function createSite(options: SiteOptions = {}): Promise<Site> {
  const experimentsRoot = options.experimentsRoot ?? EXPERIMENTS_ROOT;
  const workers = options.workers ?? 1;
  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  const bundles = await bundlesOnce(options.bundleDirectory ?? DEFAULT_BUNDLE_DIRECTORY);
  const staticFiles = await readStaticFiles();
  const queue = new JobQueue({ ...options.queue, concurrency: workers });
  const pool = new WorkerPool({ size: workers, device: options.device, allowPlugins: options.allowPlugins });
  const repositoryRoot = options.repositoryRoot ?? `${experimentsRoot}/..`;
  const state: SiteState = {
    experimentsRoot,
    repositoryRoot,
    runsRoot: options.runsRoot ?? `${repositoryRoot}/runs`,
    queue,
    training: new JobQueue({ capacity: options.trainingCapacity ?? 1, concurrency: 1, keep: 20 }),
    pool,
    limits,
  };
  const allowedHosts = options.allowedHosts === undefined ? LOOPBACK_HOSTS : options.allowedHosts;
  const app = new Hono();

  app.use("*", async (c, next) => {
    const url = new URL(c.req.url);
    const longest = longestPathSegment(url.pathname);
    if (longest > MAX_NAME_BYTES) {
      // Longer than any file name: refused before a handler hands it to the file system (ENAMETOOLONG).
      return jsonError(
        414,
        "name_too_long",
        `A name in the URL is ${longest} bytes long; names are at most ${MAX_NAME_BYTES}`,
      );
    }
    if (allowedHosts) {
      const host = (c.req.header("host") ?? url.host).replace(/:\d+$/, "");
      if (!allowedHosts.includes(host)) {
        return jsonError(403, "forbidden_host", `Host ${JSON.stringify(host)} is not served here`);
      }
    }
    if (c.req.method !== "GET" && c.req.method !== "HEAD") {
      // A cross-site form may not post here (CSRF): browsers send Origin with every POST.
      const origin = c.req.header("origin");
      if (origin && origin !== url.origin) {
        return jsonError(403, "forbidden_origin", `Requests from ${JSON.stringify(origin)} are not accepted`);
      }
    }
    await next();
    c.res.headers.set("x-content-type-options", "nosniff");
    c.res.headers.set("referrer-policy", "no-referrer");
    if (c.res.headers.get("content-type")?.startsWith("text/html")) {
      c.res.headers.set("content-security-policy", CONTENT_SECURITY_POLICY);
    }
  });

  app.get("/static/:file", (c) => {
    const file = c.req.param("file");
    const bytes = staticFiles.get(file); // a fixed set of names: nothing from the URL reaches the file system
    if (!bytes) return jsonError(404, "not_found", `No static file ${JSON.stringify(file)}`);
    return new Response(bytes as Uint8Array<ArrayBuffer>, {
      headers: { "content-type": STATIC_TYPES[file.split(".").pop()!] ?? "application/octet-stream" },
    });
  });
  app.get("/islands/:file", async (c) => {
    const name = /^([A-Za-z0-9]+)\.js$/.exec(c.req.param("file"))?.[1];
    const path = name ? bundles.get(name) : undefined;
    if (!path) return jsonError(404, "not_found", `No island bundle ${JSON.stringify(c.req.param("file"))}`);
    return new Response(await Deno.readFile(path), {
      headers: { "content-type": STATIC_TYPES.js, "cache-control": "no-cache" },
    });
  });
  const routes = registerRoutes(app, manifest, state);
  app.notFound(() => jsonError(404, "not_found", "No such page"));
  app.onError((error) => errorResponse(error));

  return { app, fetch: (request) => app.fetch(request), state, routes, close: () => pool.close() };
}

/** The byte length of the longest percent-decoded segment of a URL path. */
function longestPathSegment(pathname: string): number {
  const encoder = new TextEncoder();
  let longest = 0;
  for (const segment of pathname.split("/")) {
    let decoded = segment;
    try {
      decoded = decodeURIComponent(segment);
    } catch {
      // malformed escapes: measured as sent (the route answers them)
    }
    longest = Math.max(longest, encoder.encode(decoded).length);
  }
  return longest;
}

const bundled = new Map<string, Promise<Map<string, string>>>();

function bundlesOnce(directory: string): Promise<Map<string, string>> {
  let bundles = bundled.get(directory);
  if (!bundles) {
    bundles = bundleIslands(manifest.islands, { outDir: directory });
    bundles.catch(() => bundled.delete(directory));
    bundled.set(directory, bundles);
  }
  return bundles;
}

/** Options of {@linkcode serveSite}. */
export interface ServeOptions extends SiteOptions {
  /** Interface to listen on (default 127.0.0.1). */
  hostname?: string;
  /** Port (default 8000; 0 picks a free one). */
  port?: number;
  /** Accept a non-loopback `hostname` (the site has no authentication). */
  allowRemote?: boolean;
  /** Called once listening. */
  onListen?: (address: Deno.NetAddr) => void;
  /**
   * How long a request may take to arrive before its connection is closed (default: headers in 10 s; a body in
   * 10 s plus its transfer at 64 KiB/s, at most the upload limit).
   */
  readTimeouts?: Partial<ReadTimeouts>;
}

/**
 * Serves the site. Connections whose requests arrive too slowly (headers one byte at a time, a stalled body) are
 * closed: see {@linkcode ServeOptions.readTimeouts}.
 *
 * @param options interface, port, and the site's options
 * @returns the server and the site
 * @throws {RangeError} for a non-loopback hostname without `allowRemote`
 * @example
 * ```ts
 * import { serveSite } from "./server.ts";
 * const { server } = await serveSite({ port: 0, experimentsRoot: "/nonexistent" });
 * console.log((server.addr as Deno.NetAddr).hostname); // "127.0.0.1"
 * await server.shutdown();
 * ```
 */
export async function serveSite(
  options: ServeOptions = {},
): Promise<{ server: Deno.HttpServer<Deno.NetAddr>; site: Site }> {
  const hostname = options.hostname ?? "127.0.0.1";
  const loopback = LOOPBACK_HOSTS.includes(hostname);
  if (!loopback && !options.allowRemote) {
    throw new RangeError(
      `Refusing to listen on ${hostname}: the site has no authentication. Use a loopback address, or --allow-remote`,
    );
  }
  const site = await createSite({
    ...options,
    allowedHosts: options.allowedHosts ?? (loopback ? LOOPBACK_HOSTS : null),
  });
  const server = await serveWithReadTimeouts(site.fetch, {
    hostname,
    port: options.port ?? 8000,
    onListen: options.onListen,
    timeouts: { maxBodyBytes: site.state.limits.maxUploadBytes + 64 * 1024, ...options.readTimeouts },
  }).catch((error) => {
    site.close();
    throw error;
  });
  server.finished.then(() => site.close());
  return { server, site };
}
