/**
 * Atomic file replacement: readers see either the old file or the complete new one, never a partial write.
 *
 * @module
 */

/** Directory part of a path (`.` when there is none). */
function directoryOf(path: string): string {
  const slash = Math.max(path.lastIndexOf("/"), Deno.build.os === "windows" ? path.lastIndexOf("\\") : -1);
  if (slash < 0) return ".";
  return slash === 0 ? path.slice(0, 1) : path.slice(0, slash);
}

/** Flushes a directory entry to disk where the platform allows opening a directory (best effort). */
async function syncDirectory(directory: string): Promise<void> {
  if (Deno.build.os === "windows") return;
  let handle: Deno.FsFile | undefined;
  try {
    handle = await Deno.open(directory, { read: true });
    await handle.sync();
  } catch {
    // Some file systems refuse fsync on directories; the rename itself is still atomic.
  } finally {
    handle?.close();
  }
}

/**
 * Writes `data` to `path` atomically: the bytes go to a temporary file `<path>.tmp-<pid>-<random>` in the
 * same directory, which is fsynced and then renamed over `path`. On failure the temporary file is removed
 * and an existing file at `path` is left untouched.
 *
 * @param path target file
 * @param data bytes, or a string written as UTF-8
 * @returns a promise that resolves once the new file is in place
 * @throws {Error} naming `path`, with the file system error as `cause`
 *
 * @example
 * ```ts
 * import { writeFileAtomic } from "./atomic_write.ts";
 * const path = `${await Deno.makeTempDir()}/run.json`;
 * await writeFileAtomic(path, JSON.stringify({ step: 1 }));
 * console.log(await Deno.readTextFile(path)); // {"step":1}
 * ```
 */
export async function writeFileAtomic(path: string, data: Uint8Array | string): Promise<void> {
  const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
  const random = crypto.getRandomValues(new Uint32Array(1))[0].toString(16).padStart(8, "0");
  const temporary = `${path}.tmp-${Deno.pid}-${random}`;
  let created = false;
  try {
    const file = await Deno.open(temporary, { write: true, createNew: true });
    created = true;
    try {
      let written = 0;
      while (written < bytes.byteLength) written += await file.write(bytes.subarray(written));
      await file.sync();
    } finally {
      file.close();
    }
    await Deno.rename(temporary, path);
    created = false;
  } catch (error) {
    if (created) await Deno.remove(temporary).catch(() => {});
    throw new Error(`Cannot write "${path}" atomically: ${(error as Error).message}`, { cause: error });
  }
  await syncDirectory(directoryOf(path));
}

/**
 * Whether something exists at a path (file, folder or link): what the commands check before refusing to
 * overwrite a user's file.
 *
 * @param path the path
 * @returns true when `Deno.stat` succeeds
 * @example
 * ```ts
 * import { pathExists } from "./atomic_write.ts";
 * console.log(await pathExists("deno.json"), await pathExists("no/such/file")); // true false
 * ```
 */
export function pathExists(path: string): Promise<boolean> {
  return Deno.stat(path).then(() => true, () => false);
}

/**
 * {@linkcode pathExists} for code that must stay synchronous (provider probing at load time, test setup).
 *
 * @param path the path
 * @returns true when `Deno.statSync` succeeds
 * @example
 * ```ts
 * import { pathExistsSync } from "./atomic_write.ts";
 * console.log(pathExistsSync("deno.json"), pathExistsSync("no/such/file")); // true false
 * ```
 */
export function pathExistsSync(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}
