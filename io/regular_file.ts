/**
 * A bounded read of a user-given path: the path must name a regular file no larger than a limit, checked before a
 * byte is read, and exactly the size that `stat` reported is read. `Deno.readFile` on `/dev/zero` reads forever,
 * on a FIFO blocks until a writer comes, and on a huge file allocates it all; this refuses each up front.
 *
 * @module
 */

/** Options of {@linkcode readRegularFile}. */
export interface ReadRegularFileOptions {
  /** Largest file accepted, in bytes (default {@linkcode DEFAULT_MAX_FILE_BYTES}). */
  maxBytes?: number;
  /** What the file is, for messages (default "File"), for example "Weights file". */
  what?: string;
}

/** Default size limit of {@linkcode readRegularFile}: 8 GiB, above any checkpoint of this field. */
export const DEFAULT_MAX_FILE_BYTES = 8 * 2 ** 30;

function kindOf(info: Deno.FileInfo): string {
  if (info.isDirectory) return "a folder";
  if (info.isFifo) return "a FIFO";
  if (info.isCharDevice) return "a character device";
  if (info.isBlockDevice) return "a block device";
  if (info.isSocket) return "a socket";
  return "not a regular file";
}

function checkInfo(info: Deno.FileInfo, name: string, what: string, maxBytes: number): number {
  if (!info.isFile) throw new TypeError(`${what} "${name}" is ${kindOf(info)}, not a regular file`);
  if (info.size > maxBytes) {
    throw new RangeError(`${what} "${name}" has ${info.size} bytes, over the limit of ${maxBytes}`);
  }
  return info.size;
}

/**
 * Reads a whole regular file after checking, before reading, that it is one (not a folder, FIFO or device such as
 * `/dev/zero`) and that it is at most `maxBytes` long; then reads exactly the size `stat` gave.
 *
 * @param path file path or `file:` URL
 * @param options `maxBytes` (default 8 GiB), `what` (the noun in messages, default "File")
 * @returns the file's bytes
 * @throws {TypeError} when the path is not a regular file, naming the path and what it is
 * @throws {RangeError} when the file is over `maxBytes`, naming the path and both sizes
 * @throws {Deno.errors.NotFound} when the path does not exist
 * @throws {Error} when the file changes size while it is read
 *
 * @example
 * ```ts
 * import { readRegularFile } from "./regular_file.ts";
 * const path = await Deno.makeTempFile();
 * await Deno.writeFile(path, new Uint8Array([1, 2, 3]));
 * console.log(await readRegularFile(path)); // Uint8Array(3) [ 1, 2, 3 ]
 * await readRegularFile("/dev/zero").catch((e) => console.log(e.message)); // File "/dev/zero" is a character device, not a regular file
 * await readRegularFile(path, { maxBytes: 2 }).catch((e) => console.log(e.name)); // RangeError
 * ```
 */
export async function readRegularFile(
  path: string | URL,
  options: ReadRegularFileOptions = {},
): Promise<Uint8Array> {
  const name = typeof path === "string" ? path : decodeURIComponent(path.pathname);
  const what = options.what ?? "File";
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_FILE_BYTES;
  // stat before open: opening a FIFO for reading would block until a writer comes.
  checkInfo(await Deno.stat(path), name, what, maxBytes);
  using file = await Deno.open(path, { read: true });
  // Checked again on the open file, in case the path was swapped in between.
  const size = checkInfo(await file.stat(), name, what, maxBytes);
  const bytes = new Uint8Array(size);
  let filled = 0;
  while (filled < size) {
    const count = await file.read(bytes.subarray(filled));
    if (count === null) {
      throw new Error(`${what} "${name}" shrank from ${size} to ${filled} bytes while it was read`);
    }
    filled += count;
  }
  if ((await file.read(new Uint8Array(1))) !== null) {
    throw new Error(`${what} "${name}" grew past ${size} bytes while it was read`);
  }
  return bytes;
}
