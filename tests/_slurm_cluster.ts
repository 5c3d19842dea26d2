/**
 * A real single-node Slurm cluster for a test, in a temporary folder: its own munge key and munged socket, a
 * slurm.conf with the controller and the node on 127.0.0.1 on free ports, process tracking by `/proc`
 * (`ProctrackType=proctrack/linuxproc`, `TaskPlugin=task/none`: no cgroups, so it runs in a container), no
 * accounting, the state and spool folders inside the temporary folder, and this machine's CPUs and memory. Its
 * daemons (munged, slurmctld, slurmd) run as root and are stopped by {@linkcode SlurmCluster.stop}; nothing of the
 * system's own Slurm or munge (services, /etc) is used or touched. Client commands find it through `SLURM_CONF`
 * ({@linkcode SlurmCluster.env}).
 *
 * Needs Debian's `slurm-wlm` and `munge` (tests/tools/provision.ts installs them) and root.
 *
 * @module
 */

/** The programs the cluster needs, by Debian package. */
const PROGRAMS: Record<string, string[]> = {
  "slurm-wlm": [
    "/usr/sbin/slurmctld",
    "/usr/sbin/slurmd",
    "/usr/bin/sbatch",
    "/usr/bin/squeue",
    "/usr/bin/scancel",
  ],
  munge: ["/usr/sbin/munged"],
};

/**
 * Why a cluster cannot be started here (the missing packages, or not root), or null when it can.
 *
 * @returns the reason, or null
 */
export function slurmUnavailableReason(): string | null {
  const missing = Object.entries(PROGRAMS)
    .filter(([, files]) => !files.every((file) => exists(file)))
    .map(([name]) => name);
  if (missing.length) {
    return `Debian package(s) ${missing.join(", ")} missing (apt-get install -y ${missing.join(" ")})`;
  }
  if (Deno.uid?.() !== 0) return "the Slurm daemons of the test cluster must run as root";
  return null;
}

function exists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}

function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

/** A running test cluster. */
export interface SlurmCluster {
  /** Its temporary folder (configuration, state, logs). */
  folder: string;
  /** The environment client commands need (`SLURM_CONF`). */
  env: Record<string, string>;
  /** Runs a client command (squeue, scancel…) against the cluster; returns its stdout, throws on failure. */
  run: (program: string, args: readonly string[]) => Promise<string>;
  /** The daemons' logs (for a failing test's message). */
  logs: () => Promise<string>;
  /** Stops the daemons and removes the folder. */
  stop: () => Promise<void>;
}

/**
 * Configures and starts a single-node cluster and waits until its node is idle.
 *
 * @param options `timeoutMs` to wait for the node (default 60 s)
 * @returns the cluster
 * @throws {Error} with the daemons' logs when it does not come up
 */
export async function startSlurmCluster(options: { timeoutMs?: number } = {}): Promise<SlurmCluster> {
  const folder = await Deno.makeTempDir({ prefix: "slurm_cluster_" });
  const munge = `${folder}/munge`;
  for (const sub of ["munge", "state", "spool"]) await Deno.mkdir(`${folder}/${sub}`, { mode: 0o700 });
  await Deno.chmod(folder, 0o755);
  const key = crypto.getRandomValues(new Uint8Array(1024));
  await Deno.writeFile(`${munge}/munge.key`, key, { mode: 0o400 });
  const socket = `${munge}/munge.socket`;
  const cpus = navigator.hardwareConcurrency;
  const memoryMiB = Math.floor(Deno.systemMemoryInfo().total / 2 ** 20 * 0.9);
  const conf = `${folder}/slurm.conf`;
  await Deno.writeTextFile(
    conf,
    [
      "ClusterName=hyperinverter-test",
      "SlurmctldHost=localhost(127.0.0.1)",
      `SlurmctldPort=${freePort()}`,
      `SlurmdPort=${freePort()}`,
      "SlurmUser=root",
      "SlurmdUser=root",
      "AuthType=auth/munge",
      `AuthInfo=socket=${socket}`,
      "CredType=cred/munge",
      "ProctrackType=proctrack/linuxproc",
      "TaskPlugin=task/none",
      "JobAcctGatherType=jobacct_gather/none",
      "AccountingStorageType=accounting_storage/none",
      "JobCompType=jobcomp/none",
      "MpiDefault=none",
      "SchedulerType=sched/backfill",
      "SelectType=select/cons_tres",
      "SelectTypeParameters=CR_CPU",
      `StateSaveLocation=${folder}/state`,
      `SlurmdSpoolDir=${folder}/spool`,
      `SlurmctldPidFile=${folder}/slurmctld.pid`,
      `SlurmdPidFile=${folder}/slurmd.pid`,
      `SlurmctldLogFile=${folder}/slurmctld.log`,
      `SlurmdLogFile=${folder}/slurmd.log`,
      "ReturnToService=2",
      // A cancelled task gets SIGTERM, then SIGKILL this many seconds later (the runner checkpoints in between).
      "KillWait=10",
      `NodeName=localhost NodeAddr=127.0.0.1 CPUs=${cpus} RealMemory=${memoryMiB} State=UNKNOWN`,
      "PartitionName=test Nodes=localhost Default=YES MaxTime=INFINITE State=UP",
      "",
    ].join("\n"),
  );
  const env = { SLURM_CONF: conf };
  const daemons: Deno.ChildProcess[] = [];
  const start = (program: string, args: string[]) =>
    new Deno.Command(program, { args, env, stdin: "null", stdout: "null", stderr: "null" }).spawn();
  const run = async (program: string, args: readonly string[]) => {
    const output = await new Deno.Command(program, { args: [...args], env, stdout: "piped", stderr: "piped" })
      .output();
    const text = new TextDecoder().decode(output.stdout);
    if (!output.success) {
      throw new Error(`${program} ${args.join(" ")}: ${new TextDecoder().decode(output.stderr).trim()}`);
    }
    return text;
  };
  const logs = async () => {
    const parts: string[] = [];
    for (const name of ["munge/munged.log", "slurmctld.log", "slurmd.log"]) {
      const text = await Deno.readTextFile(`${folder}/${name}`).catch(() => "(none)");
      parts.push(`--- ${name}\n${text.split("\n").slice(-30).join("\n")}`);
    }
    return parts.join("\n");
  };
  const stop = async () => {
    for (const daemon of daemons.reverse()) {
      try {
        daemon.kill("SIGTERM");
      } catch { /* already gone */ }
      await daemon.status;
    }
    const mungePid = await Deno.readTextFile(`${munge}/munged.pid`).catch(() => "");
    if (/^\d+\s*$/.test(mungePid)) {
      try {
        Deno.kill(Number(mungePid), "SIGTERM");
      } catch { /* already gone */ }
    }
    await Deno.remove(folder, { recursive: true }).catch(() => {});
  };
  try {
    // munged daemonises itself (its pid file says which process to stop); --force: no system paths are checked.
    const mungeStatus = await new Deno.Command("/usr/sbin/munged", {
      args: [
        "--force",
        `--key-file=${munge}/munge.key`,
        `--socket=${socket}`,
        `--pid-file=${munge}/munged.pid`,
        `--log-file=${munge}/munged.log`,
        `--seed-file=${munge}/munged.seed`,
      ],
      stdout: "null",
      stderr: "piped",
    }).output();
    if (!mungeStatus.success) throw new Error(`munged: ${new TextDecoder().decode(mungeStatus.stderr)}`);
    daemons.push(start("/usr/sbin/slurmctld", ["-D", "-i", "-f", conf]));
    daemons.push(start("/usr/sbin/slurmd", ["-D", "-N", "localhost", "-f", conf]));
    const deadline = Date.now() + (options.timeoutMs ?? 60_000);
    for (;;) {
      const state = await run("sinfo", ["-h", "-N", "-o", "%T"]).catch(() => "");
      if (state.trim() === "idle") break;
      if (Date.now() > deadline) throw new Error(`The test cluster's node is not idle (${state.trim()})`);
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
  } catch (error) {
    const text = await logs();
    await stop();
    throw new Error(`${(error as Error).message}\n${text}`);
  }
  return { folder, env, run, logs, stop };
}
