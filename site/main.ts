/**
 * `deno task site [--port 8000] [--host 127.0.0.1] [--experiments DIR] [--workers 1] [--queue 8] [--device cpu]
 * [--allow-remote]`: serves the notebook site (suite tables, side-by-side variants, edits, uploads) on loopback.
 * `--help` prints the usage and serves nothing. Exit status 2 when the command line is bad or the server cannot
 * start (it otherwise runs until killed).
 *
 * @module
 */

import { EXIT_OK, runCommand, UsageError } from "../io/command_line.ts";
import { DEVICE_NAMES, type ProviderName } from "../runtime/devices.ts";
import { providerUnavailableReason } from "../runtime/provider_probe.ts";
import { serveSite } from "./server.ts";

const SPEC = {
  name: "site",
  usage: "deno task site [--port 8000] [--host 127.0.0.1] [--experiments DIR] [--workers 1] [--queue 8] " +
    "[--device cpu] [--allow-remote] [--allow-plugins]",
  description: "Serves the notebook site until interrupted.",
  flags: {
    port: { type: "integer", min: 0, max: 65535, default: 8000, description: "port (0: any free port)" },
    host: { type: "string", valueName: "HOST", default: "127.0.0.1", description: "address to listen on" },
    experiments: {
      type: "string",
      valueName: "DIR",
      description: "experiments folder (default: the checkout's)",
    },
    workers: { type: "integer", min: 1, max: 64, default: 1, description: "inference workers" },
    queue: { type: "integer", min: 1, max: 10_000, default: 8, description: "queued inference jobs at most" },
    device: { type: "string", choices: DEVICE_NAMES, default: "cpu", description: "where the workers run" },
    "allow-remote": { type: "boolean", description: "allow a non-loopback --host" },
    "allow-plugins": {
      type: "boolean",
      description: "import the plug-in code models name (printed; refused if its sha256 changed)",
    },
  },
} as const;

/**
 * Runs the server until interrupted.
 *
 * @param args command-line arguments
 * @returns exit status: 0 for `--help` or once the server has finished, 2 when it fails to start
 */
export function main(args: readonly string[]): Promise<number> {
  return runCommand(SPEC, args, async (flags) => {
    const unavailable = flags.device === "auto"
      ? null
      : providerUnavailableReason(flags.device as ProviderName);
    if (unavailable) {
      throw new UsageError(`--device ${flags.device} cannot start on this machine: ${unavailable}`);
    }
    const options = {
      allowPlugins: flags["allow-plugins"],
      hostname: flags.host,
      port: flags.port,
      allowRemote: flags["allow-remote"],
      experimentsRoot: flags.experiments,
      workers: flags.workers,
      queue: { capacity: flags.queue },
      device: flags.device,
      onListen: ({ hostname, port }: { hostname: string; port: number }) =>
        console.log(`site: http://${hostname}:${port}/`),
    };
    const { server } = await serveSite(options);
    await server.finished;
    return EXIT_OK;
  });
}

if (import.meta.main) Deno.exit(await main(Deno.args));
