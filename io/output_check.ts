/**
 * Checks of a command's outputs and inputs before any work is done: the output folder can be created and
 * written, an output file's folder is writable and the file is not there (unless the user forces it), an input
 * file is a regular file. Commands call these before loading a model, so that a bad `--out` or a missing input
 * fails in a second, not after the work.
 *
 * @module
 */

import { UsageError } from "./command_line.ts";
import { pathExists } from "./atomic_write.ts";

function directoryOf(path: string): string {
  const slash = path.lastIndexOf("/");
  return slash < 0 ? "." : slash === 0 ? "/" : path.slice(0, slash);
}

async function assertWritableDirectory(folder: string, what: string): Promise<void> {
  let info: Deno.FileInfo;
  try {
    info = await Deno.stat(folder);
  } catch {
    throw new UsageError(`${what} "${folder}" does not exist`);
  }
  if (!info.isDirectory) throw new UsageError(`${what} "${folder}" is not a folder`);
  const probe = `${folder}/.write-probe-${Deno.pid}-${crypto.getRandomValues(new Uint32Array(1))[0]}`;
  try {
    await Deno.writeFile(probe, new Uint8Array(0), { createNew: true });
  } catch (error) {
    throw new UsageError(`${what} "${folder}" is not writable: ${(error as Error).message}`);
  }
  await Deno.remove(probe).catch(() => {});
}

/**
 * Makes sure an output folder exists (creating it and its parents) and is writable.
 *
 * @param folder the folder
 * @throws {UsageError} naming the folder when it is a file, cannot be created or is not writable
 * @example
 * ```ts
 * import { prepareOutputFolder } from "./output_check.ts";
 * const folder = `${await Deno.makeTempDir()}/a/b`;
 * await prepareOutputFolder(folder);
 * console.log((await Deno.stat(folder)).isDirectory); // true
 * ```
 */
export async function prepareOutputFolder(folder: string): Promise<void> {
  try {
    await Deno.mkdir(folder, { recursive: true });
  } catch (error) {
    if (!(error instanceof Deno.errors.AlreadyExists)) {
      throw new UsageError(`Cannot create the output folder "${folder}": ${(error as Error).message}`);
    }
  }
  await assertWritableDirectory(folder, "The output folder");
}

/**
 * Checks that an output file can be written: its folder exists and is writable, and the file is absent
 * unless `force` is set (and then it is a file, not a folder).
 *
 * @param path the file to be written
 * @param options `force`: an existing file may be replaced
 * @throws {UsageError} naming the file or its folder
 * @example
 * ```ts
 * import { checkOutputFile } from "./output_check.ts";
 * const folder = await Deno.makeTempDir();
 * await Deno.writeTextFile(`${folder}/x.png`, "mine");
 * await checkOutputFile(`${folder}/x.png`).catch((e) => console.log(e.message)); // "... exists; pass --force ..."
 * ```
 */
export async function checkOutputFile(path: string, options: { force?: boolean } = {}): Promise<void> {
  await assertWritableDirectory(directoryOf(path), "The folder of the output");
  if (!(await pathExists(path))) return;
  if (!options.force) throw new UsageError(`The output "${path}" exists; pass --force to overwrite it`);
  const info = await Deno.stat(path);
  if (!info.isFile) throw new UsageError(`The output "${path}" is not a file`);
}

/**
 * Checks that an input is a regular file (a folder or a device such as `/dev/zero`, which would be read forever,
 * is refused).
 *
 * @param path the input
 * @param what what it is, for the message (default `input`)
 * @throws {UsageError} naming the file when it is missing or not a regular file
 * @example
 * ```ts
 * import { checkInputFile } from "./output_check.ts";
 * await checkInputFile("/dev/zero").catch((e) => console.log(e.message)); // The input "/dev/zero" is not a regular file
 * ```
 */
export async function checkInputFile(path: string, what = "input"): Promise<void> {
  let info: Deno.FileInfo;
  try {
    info = await Deno.stat(path);
  } catch {
    throw new UsageError(`The ${what} "${path}" does not exist`);
  }
  if (!info.isFile) throw new UsageError(`The ${what} "${path}" is not a regular file`);
}
