/**
 * `deno task site [--port 8000] [--host 127.0.0.1] [--experiments DIR] [--workers 1] [--queue 8] [--device cpu]
 * [--allow-remote]`: serves the notebook site (suite tables, side-by-side variants, edits, uploads) on loopback.
 *
 * @module
 */

import { option } from "../cli/_args.ts";
import { serveSite } from "./server.ts";

/**
 * Runs the server until interrupted.
 *
 * @param args command-line arguments
 * @returns exit status when it fails to start (it otherwise runs until killed)
 */
export async function main(args: readonly string[]): Promise<number> {
  const integer = (name: string, fallback: number) => {
    const text = option(args, name);
    const value = text === undefined ? fallback : Number(text);
    if (!Number.isInteger(value) || value < 0) {
      throw new RangeError(`--${name} must be an integer ≥ 0, got ${text}`);
    }
    return value;
  };
  try {
    const { server } = await serveSite({
      hostname: option(args, "host") ?? "127.0.0.1",
      port: integer("port", 8000),
      allowRemote: args.includes("--allow-remote"),
      experimentsRoot: option(args, "experiments"),
      workers: integer("workers", 1),
      queue: { capacity: integer("queue", 8) },
      device: option(args, "device") ?? "cpu",
      onListen: ({ hostname, port }) => console.log(`site: http://${hostname}:${port}/`),
    });
    await server.finished;
    return 0;
  } catch (error) {
    console.error(`site: ${(error as Error).message}`);
    return 1;
  }
}

if (import.meta.main) Deno.exit(await main(Deno.args));
