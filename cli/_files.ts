/**
 * The image files a command reads (one file, or a folder's image files) and the names of their outputs.
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
 * console.log((await listImageFiles("data/models/default/samples")).length); // 10
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

/** The output names of one input: `base` in the output folder, or why it has none. */
export interface OutputName {
  /** The input file. */
  readonly file: string;
  /** The base name of its outputs (outputs are `<out>/<base><suffix>`), or null when it can have none. */
  readonly base: string | null;
  /** Why `base` is null: every candidate name would replace an input file. */
  readonly reason?: string;
}

/** The names every command's outputs are planned with, and the inputs they must never replace. */
export interface OutputPlan {
  /** One entry per input, in the inputs' order. */
  readonly names: OutputName[];
  /** Whether a path is one of the inputs (compared after resolving the folders' real paths). */
  isInput(path: string): Promise<boolean>;
}

function fileName(path: string): string {
  return path.split("/").pop()!;
}

/**
 * The stem of a file name: `face.jpg` → `face`, `.hidden` → `.hidden`.
 *
 * @param path a path or file name
 * @returns the name without its folder and last extension
 * @example
 * ```ts
 * import { stemOf } from "./_files.ts";
 * console.log(stemOf("in/face.jpg")); // "face"
 * ```
 */
export function stemOf(path: string): string {
  const name = fileName(path);
  const dot = name.lastIndexOf(".");
  return dot > 0 ? name.slice(0, dot) : name;
}

async function resolvedPath(path: string): Promise<string> {
  const slash = path.lastIndexOf("/");
  const folder = slash < 0 ? "." : slash === 0 ? "/" : path.slice(0, slash);
  const real = await Deno.realPath(folder).catch(() => folder);
  return `${real}/${fileName(path)}`;
}

/**
 * Plans the output names of a run, one naming scheme for every command that writes per-input outputs (invert,
 * align): an input's outputs are `<out>/<base><suffix>`, where `base` is its stem (`face.jpg` → `face`), or its
 * whole file name (`face.jpg` → `face.jpg`, giving `face.jpg.png`, `face.png.png`) when another input of the run
 * has the same stem (compared case-insensitively, for case-insensitive file systems) or when an output under
 * the stem would be an input file itself (`--out` equal to the input folder). When even the whole name's outputs
 * would replace an input, the input gets no name and a reason: an input is never overwritten.
 *
 * @param files the inputs
 * @param out the output folder (it should exist, so that its real path is compared)
 * @param suffixes the suffixes of the outputs the command writes for each input (`.png`, `.json`)
 * @returns the names, and a check that a path is not an input
 * @example
 * ```ts
 * import { planOutputNames } from "./_files.ts";
 * const out = await Deno.makeTempDir();
 * const plan = await planOutputNames(["in/face.jpg", "in/face.png", "in/x.jpg"], out, [".png"]);
 * console.log(plan.names.map((n) => n.base)); // ["face.jpg", "face.png", "x"]
 * ```
 */
export async function planOutputNames(
  files: readonly string[],
  out: string,
  suffixes: readonly string[],
): Promise<OutputPlan> {
  const inputs = new Set(await Promise.all(files.map(resolvedPath)));
  const outFolder = await Deno.realPath(out).catch(() => out);
  const hitsInput = (base: string) => suffixes.some((suffix) => inputs.has(`${outFolder}/${base}${suffix}`));
  // Stems first; every base shared by two inputs becomes their whole file names (unique in one folder) until
  // no two inputs share a base (`x.png.jpg`'s stem is `x.png`'s whole name).
  const bases = files.map((file) => hitsInput(stemOf(file)) ? fileName(file) : stemOf(file));
  for (let changed = true; changed;) {
    changed = false;
    const counts = new Map<string, number>();
    for (const base of bases) counts.set(base.toLowerCase(), (counts.get(base.toLowerCase()) ?? 0) + 1);
    bases.forEach((base, i) => {
      if (counts.get(base.toLowerCase())! > 1 && base !== fileName(files[i])) {
        bases[i] = fileName(files[i]);
        changed = true;
      }
    });
  }
  const names = files.map((file, i): OutputName => {
    if (!hitsInput(bases[i])) return { file, base: bases[i] };
    return {
      file,
      base: null,
      reason: `its outputs (${suffixes.map((s) => `${bases[i]}${s}`).join(", ")}) would replace input files`,
    };
  });
  return { names, isInput: async (path) => inputs.has(await resolvedPath(path)) };
}
