/**
 * Cleaning up after killed writes: `writeFileAtomic` (io/atomic_write.ts) writes `<path>.tmp-<pid>-<8 hex>`
 * and renames it over `<path>`; a process killed in between leaves the temporary file behind, forever (a
 * 2.2 MB checkpoint killed 12 times left 12.6 MB). A run folder is cleaned when a run opens it.
 *
 * @module
 */

/** The name `writeFileAtomic` gives its temporary file: `<name>.tmp-<pid>-<8 hex digits>`. */
const TEMPORARY = /^.+\.tmp-(\d+)-[0-9a-f]{8}$/;

/**
 * Whether a process id may still be writing a file last modified at `modified`: this process, unless the file
 * is older than it (a container restarted after a kill often reuses the same pid; 2 s allow for coarse file
 * times), or (on Linux, where `/proc` tells) another live process. Elsewhere only this process counts, since
 * nothing cheap tells whether another one is alive.
 */
async function mayBeWriting(pid: number, modified: Date | null): Promise<boolean> {
  if (pid === Deno.pid) return modified === null || modified.getTime() >= performance.timeOrigin - 2000;
  if (Deno.build.os !== "linux") return false;
  try {
    await Deno.stat(`/proc/${pid}`);
    return true;
  } catch {
    return false;
  }
}

/**
 * Removes the temporary files of interrupted atomic writes from one folder (not its subfolders): only files
 * named like `writeFileAtomic`'s (`<name>.tmp-<pid>-<8 hex>`), and only those of a process that is not
 * running, or of this process's pid but older than this process (so a write in progress, in this process or
 * another, is left alone).
 *
 * @param directory the run folder; a missing folder has nothing to clean
 * @returns the paths removed
 * @example
 * ```ts
 * import { removeInterruptedWrites } from "./interrupted_writes.ts";
 * const directory = await Deno.makeTempDir();
 * await Deno.writeTextFile(`${directory}/latest.json.tmp-999999999-0badc0de`, "{");
 * await Deno.writeTextFile(`${directory}/notes.tmp`, "kept");
 * console.log((await removeInterruptedWrites(directory)).length); // 1
 * ```
 */
export async function removeInterruptedWrites(directory: string): Promise<string[]> {
  const removed: string[] = [];
  const candidates: { path: string; pid: number }[] = [];
  try {
    for await (const entry of Deno.readDir(directory)) {
      const match = entry.isFile ? TEMPORARY.exec(entry.name) : null;
      if (match) candidates.push({ path: `${directory}/${entry.name}`, pid: Number(match[1]) });
    }
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return removed;
    throw error;
  }
  for (const { path, pid } of candidates) {
    const modified = await Deno.stat(path).then((info) => info.mtime, () => null);
    if (await mayBeWriting(pid, modified)) continue;
    try {
      await Deno.remove(path);
      removed.push(path);
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error; // another process cleaned it first
    }
  }
  return removed;
}
