/**
 * The layering of the repository, as data: the layers from the bottom up, the allowed exceptions (one table,
 * each with its reason), and the functions that find upward imports. `tests/layering_test.ts` runs them over
 * every `.ts`/`.tsx` file; the README's architecture section and `../shared/docs/design.md` describe the same
 * order.
 *
 * The rules:
 * - A file's layer is its top-level folder (`graph/…` is `graph`); the files at the root are their own layers
 *   (`deps.ts` at the bottom, `mod.ts` above the library it re-exports).
 * - A file imports its own layer and the layers below it. Folders that share a layer (`site routes islands
 *   components`, `examples cli`, `bench tests`) import one another freely.
 * - Static imports and re-exports (`import … from`, `export … from`, `import "…"`) and dynamic imports with a
 *   literal specifier (`import("…")`, `typeof import("…")`) all count. Type-only imports are checked like the
 *   others: a type names the module that owns it, so an upward type import is the same upward dependency.
 * - Test files (`*_test.ts`) sit in their folder's layer; they may in addition import what {@linkcode
 *   LAYERING_EXCEPTIONS} lists. JSDoc examples are comments here, not imports (they run as tests).
 * - Only relative specifiers are checked; external packages go through `deps.ts` (checked by review).
 *
 * @module
 */

/** The layers from the bottom up; the folders (or root files) of one entry share a layer. */
export const LAYERS: readonly (readonly string[])[] = [
  ["deps.ts"], // pinned external packages
  ["graph"], // IR, shape rules, ONNX writer, gradient rules + autodiff
  ["runtime"], // the only importer of onnxruntime: devices, sessions, weights feeds
  ["io"], // files: safetensors, images, pickles, command lines, plug-in loader
  ["generator"], // StyleGAN2 mapping, synthesis, discriminator, layer registry
  ["encoders"], // IR-SE / ResNet backbones, W encoder, layer-wise encoder
  ["hypernet"], // fusion operators, weight regressors, sharing strategies
  ["losses"], // pixel, LPIPS, identity, adversarial, R1; metrics (PSNR, MS-SSIM, imageMetrics)
  ["faces"], // face detection, FFHQ alignment, recognition (uses losses' identity network)
  ["model"], // the HyperInverter pipeline, manifest, loading
  ["convert"], // official checkpoints (pickles) → our model folders and safetensors
  ["train"], // optimizers, the training loop, trainers, checkpoints, data sources
  ["editing"], // directions, attribute classifiers (trained with train/), edits, interpolation
  ["mod.ts"], // the library's public entry: re-exports graph … editing
  ["experiments"], // suites, variants, runner, results store
  ["site", "routes", "islands", "components"], // the web site (Fresh layout at the top level)
  ["examples", "cli"], // commands and the scripts a newcomer copies: parse arguments, call the library
  ["bench", "tests"], // measurements and cross-layer tests (end-to-end tests call cli/'s main functions)
];

/** An allowed upward import: files matching `from` may import files matching `to`. */
export interface LayeringException {
  /** Glob of importing files, relative to the repository root (`*` within a path segment, `**` across). */
  readonly from: string;
  /** Glob of imported files. */
  readonly to: string;
  /** Why this upward import is right. */
  readonly reason: string;
}

/** The one list of allowed upward imports. Each entry must still be used (the test says when one is not). */
export const LAYERING_EXCEPTIONS: readonly LayeringException[] = [
  {
    from: "**/*_test.ts",
    to: "tests/_*.ts",
    reason:
      "the shared test fixtures and assertions (tiny model, reference fixtures, assertClose) serve the tests " +
      "of every folder",
  },
  {
    from: "graph/*_test.ts",
    to: "runtime/session.ts",
    reason:
      "the IR is checked by running it: shape rules and the ONNX writer against onnxruntime, every gradient " +
      "rule against central differences (style.md, tinygrad / JAX)",
  },
  {
    from: "runtime/session_test.ts",
    to: "generator/*.ts",
    reason: "a real synthesis graph exercises the session cache, the providers and the weight feeds",
  },
  {
    from: "model/compact_inversion_test.ts",
    to: "editing/interpolate.ts",
    reason:
      "checks that interpolating the compact codes v equals editing's ΔW interpolation (a cross-layer " +
      "check that would sit better in tests/ or editing/; then this entry goes)",
  },
];

/** One import of a file. */
export interface ImportRecord {
  /** The specifier as written. */
  readonly specifier: string;
  /** `import type …` / `export type …` / `typeof import(…)`. */
  readonly typeOnly: boolean;
  /** `import("…")`. */
  readonly dynamic: boolean;
}

/** An upward import found in the repository. */
export interface UpwardImport {
  /** The importing file, relative to the root. */
  readonly file: string;
  /** The imported file, relative to the root. */
  readonly target: string;
  /** The importing file's layer (its folder or root file name). */
  readonly fromLayer: string;
  /** The imported file's layer. */
  readonly toLayer: string;
  /** Whether the import is type-only. */
  readonly typeOnly: boolean;
}

const REGEX_AFTER_WORDS = new Set([
  "return",
  "typeof",
  "case",
  "do",
  "else",
  "in",
  "of",
  "void",
  "yield",
  "await",
  "delete",
  "throw",
  "new",
  "instanceof",
]);

/** What {@linkcode codeSkeleton} returns. */
export interface CodeSkeleton {
  /** The source, the same length, with comments and the contents of literals replaced by spaces. */
  readonly code: string;
  /** The text of each string literal (and template literal without substitutions), by its opening quote's offset. */
  readonly literals: ReadonlyMap<number, string>;
}

/**
 * The source with every comment and the contents of every string, template and regular expression literal
 * blanked (replaced by spaces, newlines kept), so that commented-out imports, JSDoc examples and source text
 * held in strings are not taken for imports. The quotes stay, and the text of each plain literal is kept aside
 * by the offset of its opening quote.
 *
 * @param source TypeScript source
 * @returns the skeleton and the literals
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { codeSkeleton } from "./layering.ts";
 * const { code, literals } = codeSkeleton(`a; // b\nc = "//";`);
 * assert.equal(code, `a;     \nc = "  ";`);
 * assert.equal(literals.get(12), "//");
 * ```
 */
export function codeSkeleton(source: string): CodeSkeleton {
  let out = "";
  let i = 0;
  let depth = 0; // brace depth in code
  const templateDepths: number[] = []; // brace depth at each open `${`
  const literals = new Map<number, string>();
  const keep = (end: number) => {
    out += source.slice(i, end);
    i = end;
  };
  const blank = (end: number) => {
    out += source.slice(i, end).replace(/[^\n]/g, " ");
    i = end;
  };
  /** Blanks a template chunk from `i` (just after "`" or "}"), stopping after "`" or "${". */
  const templateChunk = (start: number | undefined) => {
    let j = i;
    let substitution = false;
    while (j < source.length && source[j] !== "`") {
      if (source[j] === "\\") j += 2;
      else if (source[j] === "$" && source[j + 1] === "{") {
        substitution = true;
        break;
      } else j++;
    }
    if (start !== undefined && !substitution) literals.set(start, source.slice(i, j));
    blank(Math.min(j, source.length));
    if (substitution) {
      keep(i + 2);
      templateDepths.push(depth);
      depth++;
    } else keep(Math.min(i + 1, source.length));
  };
  while (i < source.length) {
    const c = source[i];
    const next = source[i + 1];
    if (c === "/" && next === "/") {
      const end = source.indexOf("\n", i);
      blank(end < 0 ? source.length : end);
    } else if (c === "/" && next === "*") {
      const end = source.indexOf("*/", i + 2);
      blank(end < 0 ? source.length : end + 2);
    } else if (c === '"' || c === "'") {
      const start = i;
      let j = i + 1;
      while (j < source.length && source[j] !== c && source[j] !== "\n") j += source[j] === "\\" ? 2 : 1;
      literals.set(start, source.slice(start + 1, j));
      keep(i + 1);
      blank(Math.min(j, source.length));
      keep(Math.min(i + 1, source.length));
    } else if (c === "`") {
      keep(i + 1);
      templateChunk(i - 1);
    } else if (c === "/" && regexMayStart(out)) {
      let j = i + 1;
      let inClass = false;
      while (j < source.length && source[j] !== "\n") {
        if (source[j] === "\\") j++;
        else if (source[j] === "[") inClass = true;
        else if (source[j] === "]") inClass = false;
        else if (source[j] === "/" && !inClass) break;
        j++;
      }
      keep(i + 1);
      blank(Math.min(j, source.length));
      keep(Math.min(i + 1, source.length));
    } else if (c === "{") {
      depth++;
      keep(i + 1);
    } else if (c === "}") {
      depth--;
      keep(i + 1);
      if (templateDepths.length && templateDepths[templateDepths.length - 1] === depth) {
        templateDepths.pop();
        templateChunk(undefined);
      }
    } else keep(i + 1);
  }
  return { code: out, literals };
}

/** Whether a `/` after this code starts a regular expression (rather than dividing). */
function regexMayStart(code: string): boolean {
  const before = code.trimEnd();
  if (!before) return true;
  const last = before[before.length - 1];
  if ("(,=:[!&|?{};+-*%<>~^".includes(last)) return true;
  const word = before.match(/[\w$]+$/);
  return word !== null && REGEX_AFTER_WORDS.has(word[0]);
}

/**
 * The imports of a TypeScript source: static imports and re-exports, side-effect imports and dynamic imports
 * with a literal specifier; comments are ignored.
 *
 * @param source TypeScript source
 * @returns each import with its specifier
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { importsOf } from "./layering.ts";
 * const source = `import type { A } from "./a.ts";\n// import "./no.ts";\nconst b = await import("./b.ts");`;
 * assert.deepEqual(importsOf(source), [
 *   { specifier: "./a.ts", typeOnly: true, dynamic: false },
 *   { specifier: "./b.ts", typeOnly: false, dynamic: true },
 * ]);
 * ```
 */
export function importsOf(source: string): ImportRecord[] {
  const { code, literals } = codeSkeleton(source);
  const found: { at: number; record: ImportRecord }[] = [];
  const add = (at: number, quote: number, typeOnly: boolean, dynamic: boolean) => {
    const specifier = literals.get(quote);
    if (specifier !== undefined) found.push({ at, record: { specifier, typeOnly, dynamic } });
  };
  const boundary = "(?<![\\w$.])";
  const fromClause = new RegExp(`${boundary}(import|export)\\s+(type\\s+)?[^;"'\`()]*?\\bfrom\\s*["']`, "g");
  for (const m of code.matchAll(fromClause)) {
    add(m.index!, m.index! + m[0].length - 1, m[2] !== undefined, false);
  }
  for (const m of code.matchAll(new RegExp(`${boundary}import\\s*["']`, "g"))) {
    add(m.index!, m.index! + m[0].length - 1, false, false);
  }
  const dynamic = new RegExp(`${boundary}((typeof\\s+)?import\\s*\\(\\s*)["'\`][^"'\`]*["'\`]\\s*[,)]`, "g");
  for (const m of code.matchAll(dynamic)) add(m.index!, m.index! + m[1].length, m[2] !== undefined, true);
  return found.sort((a, b) => a.at - b.at).map(({ record }) => record);
}

/**
 * The layer of a file: its top-level folder, or its own name at the root.
 *
 * @param path a path relative to the repository root
 * @returns the layer's name
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { layerName } from "./layering.ts";
 * assert.equal(layerName("graph/ops.ts"), "graph");
 * assert.equal(layerName("deps.ts"), "deps.ts");
 * ```
 */
export function layerName(path: string): string {
  const slash = path.indexOf("/");
  return slash < 0 ? path : path.slice(0, slash);
}

/**
 * The rank of a layer in {@linkcode LAYERS} (0 at the bottom).
 *
 * @param name a folder or root file name
 * @returns its rank, or undefined for a folder that has no place yet
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { layerRank } from "./layering.ts";
 * assert.ok(layerRank("graph")! < layerRank("train")!);
 * assert.equal(layerRank("routes"), layerRank("site"));
 * ```
 */
export function layerRank(name: string): number | undefined {
  const rank = LAYERS.findIndex((layer) => layer.includes(name));
  return rank < 0 ? undefined : rank;
}

/**
 * Whether a path matches a glob (`*` within a segment, `**` across segments).
 *
 * @param path a path relative to the root
 * @param glob the pattern
 * @returns whether it matches
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { matchesGlob } from "./layering.ts";
 * assert.ok(matchesGlob("hypernet/fusion/fusion_test.ts", "**\/*_test.ts"));
 * assert.ok(!matchesGlob("graph/ops.ts", "graph/*_test.ts"));
 * ```
 */
export function matchesGlob(path: string, glob: string): boolean {
  const pattern = glob.split("**/").map((part) =>
    part.split("*").map((text) => text.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join("[^/]*")
  ).join("(?:.*/)?");
  return new RegExp(`^${pattern}$`).test(path);
}

/** Joins a relative specifier to the importing file's folder; undefined when it leaves the root. */
function resolveRelative(file: string, specifier: string): string | undefined {
  const parts = file.split("/").slice(0, -1);
  for (const part of specifier.split("/")) {
    if (part === "..") {
      if (!parts.length) return undefined;
      parts.pop();
    } else if (part !== ".") parts.push(part);
  }
  return parts.join("/");
}

/**
 * The `.ts`/`.tsx` files under a root, relative to it, skipping `node_modules/` and dot-folders.
 *
 * @param root the repository root
 * @returns sorted relative paths
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { sourceFiles } from "./layering.ts";
 * const root = await Deno.makeTempDir();
 * await Deno.mkdir(`${root}/graph`);
 * await Deno.writeTextFile(`${root}/graph/a.ts`, "");
 * assert.deepEqual(await sourceFiles(root), ["graph/a.ts"]);
 * await Deno.remove(root, { recursive: true });
 * ```
 */
export async function sourceFiles(root: string): Promise<string[]> {
  const files: string[] = [];
  const walk = async (folder: string) => {
    for await (const entry of Deno.readDir(folder ? `${root}/${folder}` : root)) {
      const path = folder ? `${folder}/${entry.name}` : entry.name;
      if (entry.isDirectory && entry.name !== "node_modules" && !entry.name.startsWith(".")) await walk(path);
      else if (entry.isFile && /\.tsx?$/.test(entry.name)) files.push(path);
    }
  };
  await walk("");
  return files.sort();
}

/** What {@linkcode checkLayering} finds. */
export interface LayeringReport {
  /** Imports from a lower layer to a higher one that no exception allows. */
  readonly upward: UpwardImport[];
  /** Files whose folder has no place in {@linkcode LAYERS}. */
  readonly unplaced: string[];
  /** Exceptions that no import uses any more. */
  readonly unusedExceptions: LayeringException[];
  /** How many relative imports were checked. */
  readonly checked: number;
}

/**
 * Checks every source file under a root against {@linkcode LAYERS} and {@linkcode LAYERING_EXCEPTIONS}.
 *
 * @param root the repository root (or a crafted tree in a test)
 * @returns the upward imports, the unplaced files, the unused exceptions
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkLayering } from "./layering.ts";
 * const root = await Deno.makeTempDir();
 * await Deno.mkdir(`${root}/graph`);
 * await Deno.mkdir(`${root}/train`);
 * await Deno.writeTextFile(`${root}/graph/ops.ts`, `import { step } from "../train/step.ts";`);
 * await Deno.writeTextFile(`${root}/train/step.ts`, `import "../graph/ops.ts";`);
 * const { upward } = await checkLayering(root);
 * assert.deepEqual(upward.map((u) => `${u.file} → ${u.target}`), ["graph/ops.ts → train/step.ts"]);
 * await Deno.remove(root, { recursive: true });
 * ```
 */
export async function checkLayering(root: string): Promise<LayeringReport> {
  const upward: UpwardImport[] = [];
  const unplaced: string[] = [];
  const used = new Set<LayeringException>();
  let checked = 0;
  for (const file of await sourceFiles(root)) {
    const fromLayer = layerName(file);
    const fromRank = layerRank(fromLayer);
    if (fromRank === undefined) {
      unplaced.push(file);
      continue;
    }
    for (const { specifier, typeOnly } of importsOf(await Deno.readTextFile(`${root}/${file}`))) {
      if (!specifier.startsWith("./") && !specifier.startsWith("../")) continue;
      const target = resolveRelative(file, specifier);
      if (target === undefined) continue; // outside the repository: not a layer of ours
      checked++;
      const toLayer = layerName(target);
      const toRank = layerRank(toLayer);
      if (toRank === undefined || toRank <= fromRank) continue;
      const exception = LAYERING_EXCEPTIONS.find((e) =>
        matchesGlob(file, e.from) && matchesGlob(target, e.to)
      );
      if (exception) used.add(exception);
      else upward.push({ file, target, fromLayer, toLayer, typeOnly });
    }
  }
  const unusedExceptions = LAYERING_EXCEPTIONS.filter((e) => !used.has(e));
  return { upward, unplaced, unusedExceptions, checked };
}

/**
 * One line per upward import, naming both files and both layers.
 *
 * @param upward what {@linkcode checkLayering} found
 * @returns the lines
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { describeUpward } from "./layering.ts";
 * const line = describeUpward([
 *   { file: "site/a.ts", target: "cli/b.ts", fromLayer: "site", toLayer: "cli", typeOnly: false },
 * ]);
 * assert.deepEqual(line, ["site/a.ts imports cli/b.ts: site is below cli"]);
 * ```
 */
export function describeUpward(upward: readonly UpwardImport[]): string[] {
  return upward.map((u) =>
    `${u.file} imports ${u.typeOnly ? "types from " : ""}${u.target}: ${u.fromLayer} is below ${u.toLayer}`
  );
}
