/**
 * The image files a command reads: one file, or a folder's image files.
 *
 * @module
 */

/** File extensions treated as images (lower case). */
export const IMAGE_EXTENSIONS: readonly string[] = [
  ".png",
  ".jpg",
  ".jpeg",
  ".webp",
  ".bmp",
  ".tif",
  ".tiff",
  ".gif",
];

/**
 * The image files of a path: the file itself, or a folder's image files (sorted; other files ignored).
 *
 * @param input file or folder
 * @returns paths
 * @throws {Deno.errors.NotFound} when the path does not exist
 * @example
 * ```ts
 * import { listImageFiles } from "./_files.ts";
 * console.log((await listImageFiles("models/default/samples")).length); // 10
 * ```
 */
export async function listImageFiles(input: string): Promise<string[]> {
  const info = await Deno.stat(input).catch(() => null);
  if (!info) throw new Deno.errors.NotFound(`Input "${input}" does not exist`);
  if (info.isFile) return [input];
  const files: string[] = [];
  for await (const entry of Deno.readDir(input)) {
    const lower = entry.name.toLowerCase();
    if (entry.isFile && IMAGE_EXTENSIONS.some((ext) => lower.endsWith(ext))) {
      files.push(`${input}/${entry.name}`);
    }
  }
  return files.sort();
}
