/**
 * One owner of WebGPU at a time per process. ONNX Runtime's WebGPU provider crashes the whole process (SIGSEGV or
 * SIGABRT inside its native code) when sessions in several isolates of one process — Workers, the site's worker
 * pool, `deno test --parallel` — create or run at once: 4 of 4 runs of a 3-worker repro crashed. The CPU provider
 * never does. So every WebGPU create, run and release goes through {@linkcode withWebGpuLock}: a queue inside the
 * isolate, then an exclusive lock on a per-process lock file (`Deno.FsFile.lock`, an `flock` on Linux, which
 * isolates that open the file on their own exclude each other), shared by every isolate of the process and by
 * nothing outside it.
 *
 * @module
 */

let queue: Promise<unknown> = Promise.resolve();

/** The lock file of this process: every isolate of the process computes the same path. */
export function webGpuLockPath(): string {
  const directory = Deno.env.get("TMPDIR") || "/tmp";
  return `${directory.replace(/\/+$/, "")}/hyperinverter-webgpu-${Deno.pid}.lock`;
}

let tidied = false;

/** Removes the lock files (empty) of processes that have ended. */
async function removeStaleLockFiles(directory: string): Promise<void> {
  if (Deno.build.os !== "linux") return;
  for await (const entry of Deno.readDir(directory)) {
    const pid = /^hyperinverter-webgpu-(\d+)\.lock$/.exec(entry.name)?.[1];
    if (!pid || Number(pid) === Deno.pid) continue;
    try {
      await Deno.stat(`/proc/${pid}`);
    } catch {
      await Deno.remove(`${directory}/${entry.name}`).catch(() => undefined);
    }
  }
}

async function openLockFile(): Promise<Deno.FsFile | null> {
  const path = webGpuLockPath();
  try {
    const file = await Deno.open(path, { read: true, write: true, create: true });
    // The process's own file is never removed while it runs (an isolate that ends cannot know whether others of
    // the process still use it, and `deno test` runs each file as a main isolate); later processes remove it.
    if (!tidied) {
      tidied = true;
      await removeStaleLockFiles(path.slice(0, path.lastIndexOf("/"))).catch(() => undefined);
    }
    return file;
  } catch (error) {
    // Without file permissions the isolate's own queue still serializes its runs (a lone isolate is safe).
    if (error instanceof Deno.errors.PermissionDenied || error instanceof Deno.errors.NotCapable) return null;
    throw error;
  }
}

/**
 * Runs `work` while this isolate holds the process's WebGPU lock: no other isolate of the process (and no other
 * call in this one) runs a WebGPU step meanwhile. Calls must not nest.
 *
 * @param work the WebGPU step (session create, run or release)
 * @returns what `work` returns
 * @example
 * ```ts
 * import { withWebGpuLock } from "./webgpu_lock.ts";
 * const order: number[] = [];
 * await Promise.all([1, 2].map((n) => withWebGpuLock(async () => order.push(n))));
 * console.log(order); // [1, 2]
 * ```
 */
export function withWebGpuLock<T>(work: () => Promise<T>): Promise<T> {
  const result = queue.then(async () => {
    const file = await openLockFile();
    try {
      await file?.lock(true);
      return await work();
    } finally {
      file?.close(); // closing releases the lock
    }
  });
  queue = result.catch(() => undefined);
  return result;
}
