/**
 * What Slurm's queue says about jobs (squeue: pending, running, completing…; a job that ended leaves the queue),
 * and submitting a batch script (sbatch). The client commands find the cluster the usual way (`SLURM_CONF`, or
 * the system's slurm.conf).
 *
 * @module
 */

/** One job (or array task) in the queue. */
export interface QueuedJob {
  /** `<job>` or `<array job>_<task>`. */
  jobId: string;
  /** Slurm's state: PENDING, RUNNING, COMPLETING, SUSPENDED… */
  state: string;
  /** Why it waits (`Dependency`, `Resources`…), `None` when it runs. */
  reason: string;
  /** The node it runs on (empty while pending). */
  node: string;
}

/**
 * Parses `squeue -h -r -o "%i|%T|%r|%N"` output.
 *
 * @param text squeue's output
 * @returns the jobs by id
 * @example
 * ```ts
 * import { parseQueue } from "./queue.ts";
 * console.log(parseQueue("41_0|RUNNING|None|node1\n42|PENDING|Dependency|\n").get("42")?.reason); // "Dependency"
 * ```
 */
export function parseQueue(text: string): Map<string, QueuedJob> {
  const jobs = new Map<string, QueuedJob>();
  for (const line of text.split("\n")) {
    const [jobId, state, reason, node] = line.trim().split("|");
    if (jobId && state) jobs.set(jobId, { jobId, state, reason: reason ?? "", node: node ?? "" });
  }
  return jobs;
}

/**
 * The jobs in Slurm's queue (every user's, one line per array task), or null when squeue is not installed or
 * cannot reach a controller.
 *
 * @returns the jobs by id, or null
 * @example
 * ```ts
 * import { readQueue } from "./queue.ts";
 * const queue = await readQueue(); // null on a machine without Slurm
 * console.log(queue === null || queue instanceof Map); // true
 * ```
 */
export async function readQueue(): Promise<Map<string, QueuedJob> | null> {
  try {
    const output = await new Deno.Command("squeue", {
      args: ["-h", "-r", "-o", "%i|%T|%r|%N"],
      stdout: "piped",
      stderr: "piped",
    }).output();
    return output.success ? parseQueue(new TextDecoder().decode(output.stdout)) : null;
  } catch {
    return null; // no squeue
  }
}

/**
 * Whether a job is still queued or running: true, false (it left the queue), or null when Slurm cannot be asked.
 *
 * @param jobId `<job>` or `<array job>_<task>`
 * @param queue the queue, if already read
 * @returns whether it is active, or null
 * @example
 * ```ts
 * import { isJobActive, parseQueue } from "./queue.ts";
 * console.log(await isJobActive("41_0", parseQueue("41_0|RUNNING|None|n1"))); // true
 * console.log(await isJobActive("41_1", parseQueue("41_0|RUNNING|None|n1"))); // false
 * ```
 */
export async function isJobActive(
  jobId: string,
  queue?: Map<string, QueuedJob> | null,
): Promise<boolean | null> {
  const jobs = queue === undefined ? await readQueue() : queue;
  if (jobs === null) return null;
  if (jobs.has(jobId)) return true;
  // A pending array task is listed under its array's id when squeue did not split it: "41_[0-2]".
  const [array, task] = jobId.split("_");
  return task !== undefined &&
    [...jobs.keys()].some((id) => id.startsWith(`${array}_[`) && taskInRange(id, Number(task)));
}

function taskInRange(id: string, task: number): boolean {
  const ranges = id.slice(id.indexOf("[") + 1, id.indexOf("]")).split("%")[0].split(",");
  return ranges.some((range) => {
    const [from, to] = range.split("-").map(Number);
    return task === from || (to !== undefined && task >= from && task <= to);
  });
}

/**
 * Submits a batch script (`sbatch --parsable`, the script on stdin).
 *
 * @param script the script, `#SBATCH` directives included
 * @returns the job id
 * @throws {Error} with sbatch's message when it refuses, or when sbatch is not installed
 */
export async function submitBatch(script: string): Promise<string> {
  let child: Deno.ChildProcess;
  try {
    child = new Deno.Command("sbatch", {
      args: ["--parsable"],
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
  } catch (error) {
    throw new Error(`Cannot run sbatch (is Slurm's client installed?): ${(error as Error).message}`);
  }
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(script));
  await writer.close();
  const output = await child.output();
  const text = new TextDecoder().decode(output.stdout).trim();
  if (!output.success || !/^\d+/.test(text)) {
    throw new Error(`sbatch refused the job: ${new TextDecoder().decode(output.stderr).trim() || text}`);
  }
  return text.split(";")[0]; // "<id>;<cluster>" on a multi-cluster setup
}
