/**
 * Reading the experiments on disk (the layout of `experiments/README.md`): suites (`suites/<suite>.json`) and
 * their runs (`results/<suite>/<variant>/`: `variant.json`, `model/`, `metrics.json`, `log.jsonl`,
 * `delta_w.json`, `samples/*.png`). Everything here only reads; the runner (`experiments/runner.ts`) writes.
 * Suite, variant and sample names must match {@linkcode NAME_PATTERN} (or {@linkcode SAMPLE_PATTERN}), so a
 * name from a URL can never leave the experiments folder.
 *
 * @module
 */

import { readRunLog, type RunRecord } from "../train/run_log.ts";
import { checkTrainingBlock, unknownKeys } from "./training_block.ts";

/** The keys of a suite, of a variant, of its `changes` and of `evaluation` (anything else is refused). */
export const SUITE_KEYS = [
  "name",
  "description",
  "base",
  "data",
  "training",
  "evaluation",
  "factors",
  "variants",
] as const;
/** The keys of a variant. */
export const VARIANT_KEYS = [
  "name",
  "label",
  "description",
  "mode",
  "changes",
  "model",
  "paper",
  "factors",
] as const;
/** The keys of a variant's `changes`. */
export const CHANGE_KEYS = ["hypernet", "refinementPasses", "training"] as const;
/** The keys of a suite's `evaluation`. */
export const EVALUATION_KEYS = ["images", "batch", "samples"] as const;

/** Suite and variant names: letters, digits, `_` and `-` only (no `/`, no `..`). */
export const NAME_PATTERN = /^[a-z0-9_-]+$/i;
/** Factor names: a letter, then letters, digits and `_` (they become table headers and URL parameters). */
export const FACTOR_PATTERN = /^[a-z][a-z0-9_]*$/i;
/** Sample image file names inside `samples/`. */
export const SAMPLE_PATTERN = /^[a-z0-9_-]+\.png$/i;

/**
 * The default experiments folder: `data/` under the current directory (the project's own suites, results and
 * runs when run by `deno task`, which runs in the repository root; code stays in `experiments/`). Commands take `--experiments DIR` for any other; nothing is
 * derived from where this module was loaded from (it may be a URL).
 */
export const EXPERIMENTS_ROOT: string = defaultExperimentsRoot();

function defaultExperimentsRoot(): string {
  try {
    return `${Deno.cwd()}/data`;
  } catch {
    return "data"; // no read permission: relative to wherever the files are opened
  }
}

/** Paper numbers of a Table-3 row (FFHQ, 1024²), when the variant mirrors one. */
export interface PaperRow {
  l2?: number;
  lpips?: number;
  psnr?: number;
  /** The paper's ID column (ArcFace cosine similarity); our counterpart is `featureIdentity`. */
  id?: number;
  msSsim?: number;
  /** What the row is called in the paper. */
  row?: string;
}

/**
 * How a variant is obtained: `train` (phase II trained from scratch with the suite's budget, the default),
 * `phaseOne` (no phase II: the phase-I images are evaluated), `pretrained` (a shipped model evaluated as is,
 * `model` names its folder).
 */
export type VariantMode = "train" | "phaseOne" | "pretrained";

/** One variant of a suite. */
export interface VariantSpec {
  name: string;
  label: string;
  /** Optional longer explanation. */
  description?: string;
  mode?: VariantMode;
  /**
   * Overrides of the base model's architecture and of the suite's training settings:
   * `{ hypernet?: {...}, refinementPasses?, training?: {...} }`.
   */
  changes?: {
    hypernet?: Record<string, unknown>;
    refinementPasses?: number;
    training?: Record<string, unknown>;
  };
  /** For `pretrained`: the model folder (resolved as the suite's `base`). */
  model?: string;
  /** The paper's Table-3 row this variant mirrors. */
  paper?: PaperRow;
  /**
   * The variant's point in the suite's factor grid: a value for every factor the suite declares (e.g.
   * `{ "fusion": "concatConv", "D": 16, "seed": 1 }`); absent for a variant off the grid (a baseline).
   */
  factors?: FactorPoint;
}

/** A variant's value of each factor of its suite. */
export type FactorPoint = Record<string, string | number>;

/** A suite: the base model, the shared training budget and the variants. */
export interface Suite {
  name: string;
  description: string;
  /**
   * The base model folder: absolute, or relative to the suite file's folder; a relative folder that is not
   * there is looked up in the experiments folder, then under the repository root and its `data/` (the project's
   * suites say `models/default`: `data/models/default`).
   */
  base: string;
  /**
   * The training and evaluation images: a data source (default `"fashion-mnist"`); a relative folder or plug-in
   * specifier resolves against the suite file's folder.
   */
  data?: string | Record<string, unknown>;
  /** Shared training settings (steps, batch, learningRate, seed, …). */
  training: Record<string, unknown> & { steps: number };
  /** Evaluation settings: held-out images, batch, sample count. */
  evaluation?: { images?: number; batch?: number; samples?: number };
  /**
   * The factors of the suite's grid, e.g. `["fusion", "D", "seed"]`: each variant with `factors` is one point.
   * Variants that share every factor but the repeat factor (`seed`) are repeats of one configuration.
   */
  factors?: string[];
  variants: VariantSpec[];
  /** The absolute path of the file the suite was read from (set by the readers, never in the JSON). */
  file?: string;
}

/** What `metrics.json` holds (images in [0, 1]; see the README for each metric's definition). */
export interface VariantMetrics {
  l2: number;
  psnr: number;
  msSsim: number;
  /** Cosine similarity of a Fashion-MNIST classifier's penultimate features; null without that classifier. */
  featureIdentity: number | null;
  /** LPIPS; null (no AlexNet weights on this project's machines). */
  lpips: number | null;
  msPerImage: number;
  /** Trainable parameters of phase II (E2 + hypernet), and of the whole model. */
  parameters: number;
  parametersTotal?: number;
  /** Phase-II steps trained (0 for phaseOne / pretrained). */
  steps: number;
  trainSeconds: number;
  provider: string;
  /** Held-out images evaluated. */
  images: number;
  evaluatedAt: string;
  [key: string]: unknown;
}

/** One variant's result as the site lists it. */
export interface VariantResult {
  variant: string;
  label: string;
  mode: VariantMode;
  paper: PaperRow | null;
  /** Its point in the suite's factor grid, or null (off the grid, or a suite without factors). */
  factors: FactorPoint | null;
  status: "done" | "pending";
  metrics: VariantMetrics | null;
  /**
   * `model.json` of the variant's model (for `phaseOne` the suite's base model, for `pretrained` its `model`
   * folder), or null when there is none (yet).
   */
  modelPath: string | null;
  /** File names in `samples/`, sorted (`00_input.png`, `00_phase1.png`, `00_final.png`, …). */
  samples: string[];
}

/** A per-layer mean |ΔW| (the paper's Fig. 8). */
export interface DeltaWRow {
  layer: string;
  meanAbs: number;
}

/**
 * Checks a suite or variant name.
 *
 * @param name the name
 * @param what what it names, for the message
 * @returns the name
 * @throws {RangeError} unless it matches {@linkcode NAME_PATTERN}
 * @example
 * ```ts
 * import { checkName } from "./store.ts";
 * console.log(checkName("table3", "suite")); // "table3"
 * try { checkName("../etc", "suite"); } catch (e) { console.log((e as Error).name); } // "RangeError"
 * ```
 */
export function checkName(name: string, what = "name"): string {
  if (typeof name !== "string" || !NAME_PATTERN.test(name)) {
    throw new RangeError(`Invalid ${what} ${JSON.stringify(name)}: use letters, digits, "_" and "-" only`);
  }
  return name;
}

/**
 * The path of a suite's config file.
 *
 * @param suite suite name
 * @param root experiments folder
 * @returns `<root>/suites/<suite>.json`
 * @example
 * ```ts
 * import { suitePath } from "./store.ts";
 * console.log(suitePath("table3", "/x")); // "/x/suites/table3.json"
 * ```
 */
export function suitePath(suite: string, root: string = EXPERIMENTS_ROOT): string {
  return `${root}/suites/${checkName(suite, "suite")}.json`;
}

/**
 * The result folder of a variant.
 *
 * @param suite suite name
 * @param variant variant name
 * @param root experiments folder
 * @returns `<root>/results/<suite>/<variant>`
 * @example
 * ```ts
 * import { resultDirectory } from "./store.ts";
 * console.log(resultDirectory("table3", "full", "/x")); // "/x/results/table3/full"
 * ```
 */
export function resultDirectory(suite: string, variant: string, root: string = EXPERIMENTS_ROOT): string {
  return `${root}/results/${checkName(suite, "suite")}/${checkName(variant, "variant")}`;
}

/**
 * A JSON file of the store, or null when it does not exist.
 *
 * @param path the file
 * @returns the parsed value, or null
 * @throws {SyntaxError} naming the file when it is not valid JSON
 * @example
 * ```ts
 * import { readJson } from "./store.ts";
 * console.log(await readJson("/nonexistent.json")); // null
 * ```
 */
export async function readJson(path: string): Promise<unknown | null> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return null;
    throw error;
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new SyntaxError(`${path} is not valid JSON: ${(error as Error).message}`, { cause: error });
  }
}

/**
 * Validates a parsed suite, listing every problem at once.
 *
 * @param json parsed JSON
 * @param source where it came from, for messages
 * @returns the suite
 * @throws {TypeError} listing every unknown key (naming the valid ones), missing or mistyped field (the
 *   `training` blocks against the phase-II trainer's keys: `training_block.ts`), bad or repeated variant name
 * @example
 * ```ts
 * import { parseSuite } from "./store.ts";
 * const suite = parseSuite({
 *   name: "s", description: "", base: "data/models/default", training: { steps: 10 },
 *   variants: [{ name: "full", label: "Full" }],
 * }, "inline");
 * console.log(suite.variants[0].name); // "full"
 * ```
 */
export function parseSuite(json: unknown, source: string): Suite {
  const problems: string[] = [];
  const isObject = (v: unknown): v is Record<string, unknown> =>
    typeof v === "object" && v !== null && !Array.isArray(v);
  const keysOf = (object: Record<string, unknown>, valid: readonly string[], where: string) => {
    const unknown = Object.keys(object).filter((key) => !valid.includes(key));
    if (unknown.length) problems.push(unknownKeys(where, unknown, valid));
  };
  if (!isObject(json)) throw new TypeError(`Suite ${source} must be a JSON object`);
  keysOf(json, SUITE_KEYS, "The suite");
  if (typeof json.name !== "string" || !NAME_PATTERN.test(json.name)) {
    problems.push(`"name" must match ${NAME_PATTERN}, got ${JSON.stringify(json.name)}`);
  }
  if (typeof json.description !== "string") problems.push(`"description" must be a string`);
  if (typeof json.base !== "string" || json.base === "") problems.push(`"base" must be a model folder`);
  if (
    json.data !== undefined && !(typeof json.data === "string" && json.data !== "") && !isObject(json.data)
  ) {
    problems.push(`"data" must be a data source (a name, a folder or a specifier, or an object)`);
  }
  problems.push(...checkTrainingBlock(json.training, `"training"`, { requireSteps: true }));
  if (json.evaluation !== undefined) {
    if (!isObject(json.evaluation)) problems.push(`"evaluation" must be an object`);
    else {
      keysOf(json.evaluation, EVALUATION_KEYS, `"evaluation"`);
      for (const key of EVALUATION_KEYS) {
        const value = json.evaluation[key];
        if (value !== undefined && !(Number.isInteger(value) && (value as number) >= 1)) {
          problems.push(`"evaluation.${key}" must be an integer ≥ 1, got ${JSON.stringify(value)}`);
        }
      }
    }
  }
  const factors = checkFactorList(json.factors, problems);
  if (!Array.isArray(json.variants) || json.variants.length === 0) {
    problems.push(`"variants" must be a non-empty array`);
  } else {
    const seen = new Set<string>();
    json.variants.forEach((v: unknown, i: number) => {
      if (!isObject(v)) return void problems.push(`variants[${i}] must be an object`);
      keysOf(v, VARIANT_KEYS, `variants[${i}]`);
      if (typeof v.name !== "string" || !NAME_PATTERN.test(v.name)) {
        problems.push(`variants[${i}].name must match ${NAME_PATTERN}, got ${JSON.stringify(v.name)}`);
      } else if (seen.has(v.name)) problems.push(`variants[${i}].name "${v.name}" is repeated`);
      else seen.add(v.name);
      if (typeof v.label !== "string") problems.push(`variants[${i}].label must be a string`);
      if (v.mode !== undefined && !["train", "phaseOne", "pretrained"].includes(v.mode as string)) {
        problems.push(
          `variants[${i}].mode must be train, phaseOne or pretrained, got ${JSON.stringify(v.mode)}`,
        );
      }
      if (v.mode === "pretrained" && typeof v.model !== "string") {
        problems.push(`variants[${i}].model must name a model folder (mode "pretrained")`);
      }
      if (v.changes !== undefined && !isObject(v.changes)) {
        problems.push(`variants[${i}].changes must be an object`);
      } else if (v.changes !== undefined) {
        const changes = v.changes as Record<string, unknown>;
        keysOf(changes, CHANGE_KEYS, `variants[${i}].changes`);
        if (changes.hypernet !== undefined && !isObject(changes.hypernet)) {
          problems.push(`variants[${i}].changes.hypernet must be an object`);
        }
        if (
          changes.refinementPasses !== undefined &&
          !(Number.isInteger(changes.refinementPasses) && (changes.refinementPasses as number) >= 1)
        ) {
          problems.push(`variants[${i}].changes.refinementPasses must be an integer ≥ 1`);
        }
        if (changes.training !== undefined) {
          problems.push(...checkTrainingBlock(changes.training, `variants[${i}].changes.training`));
        }
      }
      if (v.factors !== undefined) checkFactorPoint(v.factors, factors, `variants[${i}].factors`, problems);
    });
    problems.push(...repeatedPoints(json.variants, factors));
  }
  if (problems.length) throw new TypeError(`Suite ${source} is invalid:\n  - ${problems.join("\n  - ")}`);
  return json as unknown as Suite;
}

/** Checks a suite's `factors`: distinct names matching {@linkcode FACTOR_PATTERN}; null when absent or bad. */
function checkFactorList(value: unknown, problems: string[]): string[] | null {
  if (value === undefined) return null;
  if (!Array.isArray(value) || value.length === 0) {
    problems.push(`"factors" must be a non-empty array of factor names, got ${JSON.stringify(value)}`);
    return null;
  }
  const bad = value.filter((name) => typeof name !== "string" || !FACTOR_PATTERN.test(name));
  if (bad.length) {
    problems.push(
      `"factors" has invalid name${bad.length > 1 ? "s" : ""} ${JSON.stringify(bad)}: use ${FACTOR_PATTERN}`,
    );
  }
  const repeated = value.filter((name, i) => value.indexOf(name) !== i);
  if (repeated.length) problems.push(`"factors" repeats ${JSON.stringify([...new Set(repeated)])}`);
  return bad.length || repeated.length ? null : value as string[];
}

/** Checks a variant's point: an object with a string or finite number for each of the suite's factors. */
function checkFactorPoint(
  point: unknown,
  factors: string[] | null,
  where: string,
  problems: string[],
): void {
  if (typeof point !== "object" || point === null || Array.isArray(point)) {
    return void problems.push(`${where} must be an object of factor values`);
  }
  if (!factors) {
    return void problems.push(`${where} needs the suite's "factors" list (e.g. "factors": ["fusion", "D"])`);
  }
  const unknown = Object.keys(point).filter((key) => !factors.includes(key));
  if (unknown.length) problems.push(unknownKeys(where, unknown, factors));
  const missing = factors.filter((f) => !(f in point));
  if (missing.length) problems.push(`${where} lacks ${missing.map((f) => `"${f}"`).join(", ")}`);
  for (const [key, value] of Object.entries(point)) {
    if (
      !(typeof value === "string" && value !== "") && !(typeof value === "number" && Number.isFinite(value))
    ) {
      problems.push(`${where}.${key} must be a string or a number, got ${JSON.stringify(value)}`);
    }
  }
}

/** Two variants at the same point of the grid (a repeat must differ in its repeat factor, e.g. `seed`). */
function repeatedPoints(variants: unknown[], factors: string[] | null): string[] {
  if (!factors) return [];
  const seen = new Map<string, number>();
  const problems: string[] = [];
  variants.forEach((v, i) => {
    const point = (v as { factors?: Record<string, unknown> })?.factors;
    if (typeof point !== "object" || point === null) return;
    const key = JSON.stringify(factors.map((f) => point[f]));
    const first = seen.get(key);
    if (first === undefined) seen.set(key, i);
    else problems.push(`variants[${i}].factors is the same point as variants[${first}]: ${key}`);
  });
  return problems;
}

/**
 * Reads and validates a suite by name from an experiments folder.
 *
 * @param name suite name
 * @param root experiments folder
 * @returns the suite, with `file` set
 * @throws {RangeError} for an invalid name; {@linkcode Deno.errors.NotFound} when there is no such suite
 * @example
 * ```ts
 * import { readSuite } from "./store.ts";
 * const suite = await readSuite("table3");
 * console.log(suite.base, suite.file!.endsWith("/data/suites/table3.json")); // "models/default" true
 * ```
 */
export async function readSuite(name: string, root: string = EXPERIMENTS_ROOT): Promise<Suite> {
  const path = suitePath(name, root);
  const json = await readJson(path);
  if (json === null) throw new Deno.errors.NotFound(`No suite "${name}" (${path})`);
  const suite = parseSuite(json, `"${path}"`);
  if (suite.name !== name) throw new TypeError(`Suite ${path} is named "${suite.name}", expected "${name}"`);
  return { ...suite, file: absolutePath(path) };
}

/**
 * Reads and validates a suite file anywhere (its results still go under an experiments folder, by its `name`).
 *
 * @param path the suite's JSON file
 * @returns the suite, with `file` set to the absolute path
 * @throws {Deno.errors.NotFound} when the file is missing; {@linkcode SyntaxError} when it is not JSON;
 *   {@linkcode TypeError} listing what is invalid
 * @example
 * ```ts
 * import { readSuiteFile } from "./store.ts";
 * const suite = await readSuiteFile("data/suites/table3.json");
 * console.log(suite.name); // "table3"
 * ```
 */
export async function readSuiteFile(path: string): Promise<Suite> {
  const json = await readJson(path);
  if (json === null) throw new Deno.errors.NotFound(`No suite file "${path}"`);
  return { ...parseSuite(json, `"${path}"`), file: absolutePath(path) };
}

function absolutePath(path: string): string {
  return path.startsWith("/") ? path : `${Deno.cwd()}/${path}`;
}

/**
 * The folder a suite's relative paths resolve against: the folder of its file.
 *
 * @param suite a suite from {@linkcode readSuite} or {@linkcode readSuiteFile}
 * @param fallback used when the suite has no `file` (built in code)
 * @returns an absolute folder
 * @example
 * ```ts
 * import { suiteFolder } from "./store.ts";
 * console.log(suiteFolder({ file: "/x/suites/s.json" } as never, "/y")); // "/x/suites"
 * ```
 */
export function suiteFolder(suite: Suite, fallback: string): string {
  return suite.file ? suite.file.slice(0, suite.file.lastIndexOf("/")) : fallback;
}

/**
 * The `model.json` of a model folder a suite names (its `base`, or a pretrained variant's `model`): an absolute
 * folder as is; a relative one is looked up, in order, beside the suite file, in its experiments folder (the
 * parent of `suites/`), under `repositoryRoot` and under `repositoryRoot/data` — the first that has a
 * `model.json` wins. So `"base": "models/default"` (the project's suites) names the shipped model
 * `data/models/default` from any experiments folder.
 *
 * @param suite the suite
 * @param folder the folder as written in the suite
 * @param repositoryRoot the framework checkout (default: the parent of the suite's experiments folder)
 * @returns the manifest path; when no candidate has one, the first candidate (the loader then names it)
 * @example
 * ```ts
 * import { readSuite, suiteModelPath } from "./store.ts";
 * const suite = await readSuite("table3");
 * console.log(suiteModelPath(suite, suite.base).endsWith("/data/models/default/model.json")); // true
 * ```
 */
export function suiteModelPath(suite: Suite, folder: string, repositoryRoot?: string): string {
  if (folder.startsWith("/")) return `${folder}/model.json`;
  const suites = suite.file?.lastIndexOf("/suites/") ?? -1;
  const experiments = suites >= 0 ? suite.file!.slice(0, suites) : null;
  const root = repositoryRoot ?? (experiments ? `${experiments}/..` : suiteFolder(suite, "."));
  const candidates = [
    ...(suite.file ? [suiteFolder(suite, ".")] : []),
    ...(experiments ? [experiments] : []),
    root,
    `${root}/data`,
  ].map((place) => `${place}/${folder}/model.json`);
  return candidates.find(isFile) ?? candidates[0];
}

function existingFile(path: string): string | null {
  return isFile(path) ? path : null;
}

function isFile(path: string): boolean {
  try {
    return Deno.statSync(path).isFile;
  } catch {
    return false;
  }
}

/**
 * The suites in `<root>/suites/`, sorted by name.
 *
 * @param root experiments folder
 * @returns name, description and number of variants of each suite
 * @example
 * ```ts
 * import { listSuites } from "./store.ts";
 * console.log((await listSuites()).some((s) => s.name === "table3")); // true
 * ```
 */
export async function listSuites(
  root: string = EXPERIMENTS_ROOT,
): Promise<{ name: string; description: string; variants: number }[]> {
  const names: string[] = [];
  try {
    for await (const entry of Deno.readDir(`${root}/suites`)) {
      const match = entry.isFile && /^(.+)\.json$/.exec(entry.name);
      if (match && NAME_PATTERN.test(match[1])) names.push(match[1]);
    }
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return [];
    throw error;
  }
  names.sort();
  const suites = [];
  for (const name of names) {
    const suite = await readSuite(name, root);
    suites.push({ name, description: suite.description, variants: suite.variants.length });
  }
  return suites;
}

/**
 * A variant's `metrics.json`, or null when it has not been evaluated.
 *
 * @param suite suite name
 * @param variant variant name
 * @param root experiments folder
 * @returns the metrics or null
 * @example
 * ```ts
 * import { readMetrics } from "./store.ts";
 * console.log(await readMetrics("table3", "no_such_variant")); // null
 * ```
 */
export async function readMetrics(
  suite: string,
  variant: string,
  root: string = EXPERIMENTS_ROOT,
): Promise<VariantMetrics | null> {
  return await readJson(`${resultDirectory(suite, variant, root)}/metrics.json`) as VariantMetrics | null;
}

/**
 * The sample image names of a variant (`samples/`), sorted; empty when there are none.
 *
 * @param suite suite name
 * @param variant variant name
 * @param root experiments folder
 * @returns file names such as `00_input.png`
 * @example
 * ```ts
 * import { listSamples } from "./store.ts";
 * console.log(await listSamples("table3", "no_such_variant")); // []
 * ```
 */
export async function listSamples(
  suite: string,
  variant: string,
  root: string = EXPERIMENTS_ROOT,
): Promise<string[]> {
  const names: string[] = [];
  try {
    for await (const entry of Deno.readDir(`${resultDirectory(suite, variant, root)}/samples`)) {
      if (entry.isFile && SAMPLE_PATTERN.test(entry.name)) names.push(entry.name);
    }
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return [];
    throw error;
  }
  return names.sort();
}

/**
 * The path of one sample image, after checking both names and the file name.
 *
 * @param suite suite name
 * @param variant variant name
 * @param file a name from {@linkcode listSamples}
 * @param root experiments folder
 * @returns `<root>/results/<suite>/<variant>/samples/<file>`
 * @throws {RangeError} for a name or file name that does not match the patterns
 * @example
 * ```ts
 * import { samplePath } from "./store.ts";
 * console.log(samplePath("table3", "full", "00_final.png", "/x")); // "/x/results/table3/full/samples/00_final.png"
 * ```
 */
export function samplePath(
  suite: string,
  variant: string,
  file: string,
  root: string = EXPERIMENTS_ROOT,
): string {
  if (typeof file !== "string" || !SAMPLE_PATTERN.test(file)) {
    throw new RangeError(`Invalid sample file name ${JSON.stringify(file)}`);
  }
  return `${resultDirectory(suite, variant, root)}/samples/${file}`;
}

/**
 * The `model.json` of a variant's model folder, or null when there is none.
 *
 * @param suite suite name
 * @param variant variant name
 * @param root experiments folder
 * @returns the manifest path (loadable with `loadHyperInverter`) or null
 * @example
 * ```ts
 * import { modelPath } from "./store.ts";
 * console.log(await modelPath("table3", "no_such_variant")); // null
 * ```
 */
export async function modelPath(
  suite: string,
  variant: string,
  root: string = EXPERIMENTS_ROOT,
): Promise<string | null> {
  const path = `${resultDirectory(suite, variant, root)}/model/model.json`;
  try {
    return (await Deno.stat(path)).isFile ? path : null;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return null;
    throw error;
  }
}

/**
 * Every variant of a suite with its status: `done` when `metrics.json` exists, else `pending`.
 *
 * @param suite suite name
 * @param root experiments folder
 * @returns one entry per variant, in the suite's order
 * @example
 * ```ts
 * import { listVariantResults } from "./store.ts";
 * const rows = await listVariantResults("table3");
 * console.log(rows[0].variant, ["done", "pending"].includes(rows[0].status)); // "full" true
 * ```
 */
export async function listVariantResults(
  suite: string,
  root: string = EXPERIMENTS_ROOT,
): Promise<VariantResult[]> {
  const spec = await readSuite(suite, root);
  const rows: VariantResult[] = [];
  for (const v of spec.variants) {
    const metrics = await readMetrics(suite, v.name, root);
    rows.push({
      variant: v.name,
      label: v.label,
      mode: v.mode ?? "train",
      paper: v.paper ?? null,
      factors: v.factors ?? null,
      status: metrics ? "done" : "pending",
      metrics,
      modelPath: await modelPath(suite, v.name, root) ??
        (v.mode === "phaseOne" || v.mode === "pretrained"
          ? existingFile(
            suiteModelPath(spec, (v.mode === "pretrained" ? v.model : spec.base) ?? "", `${root}/..`),
          )
          : null),
      samples: await listSamples(suite, v.name, root),
    });
  }
  return rows;
}

/**
 * A variant's per-layer mean |ΔW| over the evaluated images (`delta_w.json`), or null when there is none
 * (e.g. the phase-I-only variant).
 *
 * @param suite suite name
 * @param variant variant name
 * @param root experiments folder
 * @returns rows in generator order, or null
 * @example
 * ```ts
 * import { readDeltaW } from "./store.ts";
 * console.log(await readDeltaW("table3", "no_such_variant")); // null
 * ```
 */
export async function readDeltaW(
  suite: string,
  variant: string,
  root: string = EXPERIMENTS_ROOT,
): Promise<DeltaWRow[] | null> {
  return await readJson(`${resultDirectory(suite, variant, root)}/delta_w.json`) as DeltaWRow[] | null;
}

/**
 * A variant's training log (`log.jsonl`, the run-log format of `train/run_log.ts`); empty when there is none.
 *
 * @param suite suite name
 * @param variant variant name
 * @param root experiments folder
 * @returns records `{ step, time, losses: { loss, reconstruction, val_… } }`
 * @example
 * ```ts
 * import { readLog } from "./store.ts";
 * console.log(await readLog("table3", "no_such_variant")); // []
 * ```
 */
export async function readLog(
  suite: string,
  variant: string,
  root: string = EXPERIMENTS_ROOT,
): Promise<RunRecord[]> {
  try {
    return (await readRunLog(`${resultDirectory(suite, variant, root)}/log.jsonl`)).records;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return [];
    throw error;
  }
}

/**
 * The resolved config a variant was trained with (`variant.json`), or null.
 *
 * @param suite suite name
 * @param variant variant name
 * @param root experiments folder
 * @returns the parsed JSON or null
 * @example
 * ```ts
 * import { readVariantConfig } from "./store.ts";
 * console.log(await readVariantConfig("table3", "no_such_variant")); // null
 * ```
 */
export async function readVariantConfig(
  suite: string,
  variant: string,
  root: string = EXPERIMENTS_ROOT,
): Promise<Record<string, unknown> | null> {
  return await readJson(`${resultDirectory(suite, variant, root)}/variant.json`) as
    | Record<string, unknown>
    | null;
}
