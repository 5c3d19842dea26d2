/**
 * Training checkpoints: parameters, optimizer state, extra tensors (EMA weights…) and JSON state (sampler and
 * RNG state, schedule, best validation loss…) saved so that a resumed run continues exactly where it stopped.
 *
 * Layout of a checkpoint directory:
 * - `checkpoint-<step>.safetensors`: tensors under `param/<name>`, `optim/<key>` and `extra/<name>`, with the
 *   step and a save id in the metadata;
 * - `checkpoint-<step>.json`: the JSON state, the step, the save id, the byte size and the sha256 of the tensors
 *   file;
 * - `latest.json`: `{ "step": <step>, "checkpoint": "checkpoint-<step>" }`, the commit point of a save;
 * - `best.safetensors` / `best.json`: a copy of the checkpoint saved with `markBest`.
 *
 * Each file is written atomically (io/atomic_write.ts), the tensors first, then the JSON sidecar, then
 * `latest.json`; old checkpoints are removed only after that. A crash at any moment therefore leaves
 * `latest.json` naming a complete checkpoint.
 *
 * A checkpoint reads only if its tensors file has the size and sha256 its sidecar recorded (a bit flip or an
 * edited header is caught) and every value is finite; {@linkcode saveCheckpoint} refuses to write non-finite
 * values, so a NaN in a checkpoint means damage, and a resume from it would only fail later with a NaN loss.
 * Version-1 sidecars (written before the sha256 was recorded) are still read, without the digest check.
 *
 * Recovery policy of {@linkcode loadLatestCheckpoint}: if the checkpoint named by `latest.json` cannot be read
 * (truncated, damaged, non-finite, sidecar and tensors from different saves, deleted…), it falls back to the newest older checkpoint
 * that reads cleanly, reports each skipped file through `onWarning` and in `skipped`; `fallback: false` makes
 * it throw instead. Checkpoints newer than `latest.json` were never committed and are not used. When every
 * candidate fails, the error lists each file with its reason. A `latest.json` that does not parse is an error
 * (it is written atomically, so that means something other than a crash); a missing `latest.json` with
 * checkpoint files present (a crash during the very first save, or a deleted pointer) falls back to the
 * newest checkpoint that reads cleanly, with a warning.
 *
 * @module
 */

import { readSafetensors, type TensorToWrite, toFloat32, writeSafetensors } from "../io/safetensors.ts";
import { writeFileAtomic } from "../io/atomic_write.ts";
import type { Optimizer, TrainableParameter } from "./optimizers.ts";
import { readRegularFile } from "../io/regular_file.ts";

const FORMAT = "hyperinverter-checkpoint";
const VERSION = 2;
/** Sidecar versions this code reads: 1 has no sha256 of the tensors file. */
const READABLE_VERSIONS = [1, 2];
const LATEST = "latest.json";
const BEST = "best";

/** A float32 tensor with its shape. */
export interface CheckpointTensor {
  readonly data: Float32Array;
  readonly shape: readonly number[];
}

/** JSON-serialisable values (no `undefined`, no non-finite numbers: JSON would turn them into `null`). */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** What {@linkcode saveCheckpoint} saves. */
export interface CheckpointContents {
  /** The step the checkpoint is taken after (a non-negative integer; names the files). */
  step: number;
  /** Every parameter by name (`Trainer.parameters`). */
  parameters: ReadonlyMap<string, TrainableParameter>;
  /** The optimizer, whose {@linkcode Optimizer.state} is saved. */
  optimizer: Pick<Optimizer, "state">;
  /** Extra float32 tensors, for example EMA weights (saved as 1-D). */
  extra?: Record<string, Float32Array>;
  /** JSON state: RNG and sampler state, schedule, best validation loss… */
  state: JsonValue;
}

/** Options of {@linkcode saveCheckpoint}. */
export interface SaveCheckpointOptions {
  /**
   * How many of the newest checkpoints to keep, this one included (default 2, at least 2: the previous one is
   * the fallback when the newest turns out damaged).
   */
  keep?: number;
  /** Also copy this checkpoint to `best.safetensors` / `best.json` (default false). */
  markBest?: boolean;
}

/** A checkpoint read back. */
export interface LoadedCheckpoint {
  step: number;
  parameters: Map<string, CheckpointTensor>;
  optimizerState: Map<string, Float32Array>;
  extra: Map<string, Float32Array>;
  state: JsonValue;
  /** The tensors file read. */
  file: string;
  /** Newer checkpoints that could not be read and were skipped, with the reason (empty normally). */
  skipped: { file: string; reason: string }[];
}

/** Options of {@linkcode loadLatestCheckpoint}. */
export interface LoadCheckpointOptions {
  /** Fall back to an older checkpoint when the latest one cannot be read (default true). */
  fallback?: boolean;
  /** Receives a message for each skipped checkpoint (default `console.warn`). */
  onWarning?: (message: string) => void;
}

interface Sidecar {
  format: string;
  version: number;
  step: number;
  saveId: string;
  tensorsFile: string;
  tensorsBytes: number;
  /** Hex sha256 of the tensors file (version 2 on). */
  tensorsSha256?: string;
  savedAt: string;
  state: JsonValue;
}

/** Checks that `value` survives JSON unchanged, naming the first offending path. */
function checkJson(value: unknown, path: string): void {
  if (value === null || typeof value === "string" || typeof value === "boolean") return;
  if (typeof value === "number") {
    if (!Number.isFinite(value)) {
      throw new TypeError(`${path} is ${value}, which JSON cannot hold (store it as a string or null)`);
    }
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((item, i) => checkJson(item, `${path}[${i}]`));
    return;
  }
  if (typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
    for (const [key, item] of Object.entries(value)) checkJson(item, `${path}.${key}`);
    return;
  }
  const kind = typeof value === "object" ? Object.prototype.toString.call(value).slice(8, -1) : typeof value;
  throw new TypeError(`${path} is a ${kind}, which is not JSON-serialisable`);
}

/** Hex sha256 of some bytes. */
async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>));
  return Array.from(digest, (byte) => byte.toString(16).padStart(2, "0")).join("");
}

/**
 * Describes the non-finite values of a tensor (`2 of 12 values are not finite, the first (NaN) at index 3`),
 * or returns null when every value is finite.
 */
function nonFinite(data: Float32Array): string | null {
  let count = 0, first = -1;
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i])) {
      if (first < 0) first = i;
      count++;
    }
  }
  return count
    ? `${count} of ${data.length} values are not finite, the first (${data[first]}) at index ${first}`
    : null;
}

function checkStep(step: number): void {
  if (!Number.isSafeInteger(step) || step < 0) {
    throw new RangeError(`Checkpoint step must be a non-negative integer, got ${step}`);
  }
}

/** Steps of the `checkpoint-<step>.json` files in `directory`, newest first (empty when it does not exist). */
async function listSteps(directory: string): Promise<number[]> {
  const steps: number[] = [];
  try {
    for await (const entry of Deno.readDir(directory)) {
      const match = /^checkpoint-(\d+)\.(json|safetensors)$/.exec(entry.name);
      if (match) steps.push(Number(match[1]));
    }
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return [];
    throw error;
  }
  return [...new Set(steps)].sort((a, b) => b - a);
}

const stem = (step: number) => `checkpoint-${step}`;

/**
 * Saves a checkpoint, then makes it the latest and removes checkpoints beyond the newest `keep`. Checkpoints
 * with a step above this one (left by a run that resumed from an older checkpoint) are removed too: they
 * belong to an abandoned timeline.
 *
 * @param directory checkpoint directory (created if missing)
 * @param contents step, parameters, optimizer, extra tensors and JSON state
 * @param options `keep` (default 2), `markBest`
 * @returns the path of the tensors file written
 * @throws {TypeError} when the state is not JSON-serialisable (for example an `Infinity` best loss)
 * @throws {RangeError} for a negative or fractional step, `keep` below 2, or a tensor with a NaN or an infinity
 *   (named; nothing is written then)
 * @example
 * ```ts
 * import { Adam } from "./optimizers.ts";
 * import { loadLatestCheckpoint, saveCheckpoint } from "./checkpoint.ts";
 * const directory = await Deno.makeTempDir();
 * const parameters = new Map([["w", { data: new Float32Array([1, 2]), shape: [2] }]]);
 * await saveCheckpoint(directory, { step: 10, parameters, optimizer: new Adam(), state: { epoch: 1 } });
 * const loaded = await loadLatestCheckpoint(directory);
 * console.log(loaded?.step, loaded?.state); // 10 { epoch: 1 }
 * ```
 */
export async function saveCheckpoint(
  directory: string,
  contents: CheckpointContents,
  options: SaveCheckpointOptions = {},
): Promise<string> {
  const { step, parameters, optimizer, extra = {}, state } = contents;
  checkStep(step);
  const keep = options.keep ?? 2;
  if (!Number.isInteger(keep) || keep < 2) {
    throw new RangeError(
      `keep must be an integer ≥ 2 (the previous checkpoint is the fallback), got ${keep}`,
    );
  }
  checkJson(state, "Checkpoint state");

  const tensors: Record<string, TensorToWrite> = {};
  for (const [name, parameter] of parameters) {
    tensors[`param/${name}`] = { dtype: "F32", shape: [...parameter.shape], data: parameter.data };
  }
  for (const [key, value] of optimizer.state()) {
    tensors[`optim/${key}`] = { dtype: "F32", shape: [value.length], data: value };
  }
  for (const [name, value] of Object.entries(extra)) {
    tensors[`extra/${name}`] = { dtype: "F32", shape: [value.length], data: value };
  }
  for (const [key, tensor] of Object.entries(tensors)) {
    const problem = nonFinite(tensor.data as Float32Array);
    if (problem) {
      throw new RangeError(`Refusing to save checkpoint step ${step}: tensor "${key}": ${problem}`);
    }
  }
  await Deno.mkdir(directory, { recursive: true });
  const saveId = crypto.randomUUID();
  const bytes = writeSafetensors(tensors, { format: FORMAT, step: String(step), saveId });
  const tensorsSha256 = await sha256Hex(bytes);
  const sidecar = (tensorsFile: string): string =>
    JSON.stringify(
      {
        format: FORMAT,
        version: VERSION,
        step,
        saveId,
        tensorsFile,
        tensorsBytes: bytes.byteLength,
        tensorsSha256,
        savedAt: new Date().toISOString(),
        state,
      } satisfies Sidecar,
    ) + "\n";

  const name = stem(step);
  const tensorsPath = `${directory}/${name}.safetensors`;
  await writeFileAtomic(tensorsPath, bytes);
  await writeFileAtomic(`${directory}/${name}.json`, sidecar(`${name}.safetensors`));
  if (options.markBest) {
    // The best copy is written before the commit point too, so that it never names an uncommitted step.
    await writeFileAtomic(`${directory}/${BEST}.safetensors`, bytes);
    await writeFileAtomic(`${directory}/${BEST}.json`, sidecar(`${BEST}.safetensors`));
  }
  await writeFileAtomic(`${directory}/${LATEST}`, JSON.stringify({ step, checkpoint: name }) + "\n");

  const steps = await listSteps(directory);
  const stale = [...steps.filter((s) => s > step), ...steps.filter((s) => s < step).slice(keep - 1)];
  for (const s of stale) {
    // The sidecar goes first: a tensors file without a sidecar is never loaded.
    for (const suffix of [".json", ".safetensors"]) {
      await Deno.remove(`${directory}/${stem(s)}${suffix}`).catch((error) => {
        if (!(error instanceof Deno.errors.NotFound)) throw error;
      });
    }
  }
  return tensorsPath;
}

/** Reads one checkpoint from its sidecar, checking that both files belong to the same complete save. */
async function readCheckpoint(directory: string, sidecarName: string): Promise<LoadedCheckpoint> {
  const sidecarPath = `${directory}/${sidecarName}`;
  let sidecar: Sidecar;
  try {
    sidecar = JSON.parse(await Deno.readTextFile(sidecarPath));
  } catch (error) {
    if (error instanceof SyntaxError) {
      throw new SyntaxError(`${sidecarPath}: not valid JSON (${error.message})`);
    }
    throw error;
  }
  if (sidecar?.format !== FORMAT || typeof sidecar.tensorsFile !== "string") {
    throw new SyntaxError(`${sidecarPath}: not a checkpoint sidecar (format "${sidecar?.format}")`);
  }
  if (!READABLE_VERSIONS.includes(sidecar.version)) {
    throw new RangeError(
      `${sidecarPath}: checkpoint version ${sidecar.version}, this code reads ${
        READABLE_VERSIONS.join(" and ")
      }`,
    );
  }
  const tensorsPath = `${directory}/${sidecar.tensorsFile}`;
  const bytes = await readRegularFile(tensorsPath, { what: "Checkpoint tensors file" });
  if (bytes.byteLength !== sidecar.tensorsBytes) {
    throw new RangeError(
      `${tensorsPath}: ${bytes.byteLength} bytes, but ${sidecarName} expects ${sidecar.tensorsBytes} ` +
        `(truncated or from another save)`,
    );
  }
  if (sidecar.version >= 2) {
    const actual = await sha256Hex(bytes);
    if (actual !== sidecar.tensorsSha256) {
      throw new RangeError(
        `${tensorsPath}: sha256 ${actual} differs from ${sidecar.tensorsSha256} recorded in ${sidecarName} ` +
          `(the file is damaged)`,
      );
    }
  }
  const file = readSafetensors(bytes, { source: tensorsPath });
  if (file.metadata.saveId !== sidecar.saveId || file.metadata.step !== String(sidecar.step)) {
    throw new TypeError(
      `${tensorsPath}: step ${file.metadata.step} / save ${file.metadata.saveId} does not match ` +
        `${sidecarName} (step ${sidecar.step} / save ${sidecar.saveId})`,
    );
  }
  const loaded: LoadedCheckpoint = {
    step: sidecar.step,
    parameters: new Map(),
    optimizerState: new Map(),
    extra: new Map(),
    state: sidecar.state,
    file: tensorsPath,
    skipped: [],
  };
  for (const [key, tensor] of file.tensors) {
    const slash = key.indexOf("/");
    const group = key.slice(0, slash), name = key.slice(slash + 1);
    const data = toFloat32(tensor);
    const problem = nonFinite(data);
    if (problem) throw new RangeError(`${tensorsPath}: tensor "${key}": ${problem}`);
    if (group === "param") loaded.parameters.set(name, { data, shape: [...tensor.shape] });
    else if (group === "optim") loaded.optimizerState.set(name, data);
    else if (group === "extra") loaded.extra.set(name, data);
    else throw new SyntaxError(`${tensorsPath}: unexpected tensor "${key}"`);
  }
  return loaded;
}

/**
 * Loads the latest checkpoint of a directory, falling back to older ones when it is damaged (see the module
 * documentation for the exact policy).
 *
 * @param directory checkpoint directory
 * @param options `fallback` (default true), `onWarning`
 * @returns the checkpoint, or null when the directory holds none
 * @throws {SyntaxError} when `latest.json` does not parse
 * @throws {Error} listing every candidate file and why it failed, when none can be read (or the latest
 *   cannot and `fallback` is false)
 * @example
 * ```ts
 * import { loadLatestCheckpoint } from "./checkpoint.ts";
 * console.log(await loadLatestCheckpoint(await Deno.makeTempDir())); // null
 * ```
 */
export async function loadLatestCheckpoint(
  directory: string,
  options: LoadCheckpointOptions = {},
): Promise<LoadedCheckpoint | null> {
  const warn = options.onWarning ?? ((message: string) => console.warn(message));
  const fallback = options.fallback ?? true;
  const latestPath = `${directory}/${LATEST}`;
  let latestStep: number | undefined;
  try {
    const text = await Deno.readTextFile(latestPath);
    try {
      latestStep = JSON.parse(text).step;
    } catch (error) {
      throw new SyntaxError(`${latestPath}: not valid JSON (${(error as Error).message})`);
    }
    if (typeof latestStep !== "number") throw new SyntaxError(`${latestPath}: no numeric "step"`);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  let candidates = await listSteps(directory);
  if (latestStep === undefined) {
    if (!candidates.length) return null;
    warn(`${latestPath} is missing; looking for the newest readable checkpoint`);
  } else {
    candidates = [latestStep, ...candidates.filter((s) => s < latestStep!)];
  }
  const skipped: { file: string; reason: string }[] = [];
  for (const step of candidates) {
    try {
      const loaded = await readCheckpoint(directory, `${stem(step)}.json`);
      loaded.skipped = skipped;
      return loaded;
    } catch (error) {
      const reason = error instanceof Deno.errors.NotFound
        ? `missing (${(error as Error).message})`
        : (error as Error).message;
      const file = `${directory}/${stem(step)}.json`;
      skipped.push({ file, reason });
      if (!fallback) throw new Error(`Cannot load checkpoint ${file}: ${reason}`, { cause: error });
      warn(`Skipping checkpoint ${file}: ${reason}`);
    }
  }
  throw new Error(
    `No readable checkpoint in ${directory}:\n` + skipped.map((s) => `  ${s.file}: ${s.reason}`).join("\n"),
  );
}

/**
 * Loads the `best` copy written with `markBest`.
 *
 * @param directory checkpoint directory
 * @returns the checkpoint, or null when there is no best copy
 * @throws {Error} naming the file when it cannot be read
 */
export async function loadBestCheckpoint(directory: string): Promise<LoadedCheckpoint | null> {
  try {
    await Deno.stat(`${directory}/${BEST}.json`);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return null;
    throw error;
  }
  return await readCheckpoint(directory, `${BEST}.json`);
}

/**
 * Copies a loaded checkpoint's parameters into the trainer's arrays (in place, so a `Trainer` sees them) and,
 * when given, restores the optimizer. Every name and shape is checked first; nothing is copied unless all match.
 *
 * @param parameters the trainer's parameters (`Trainer.parameters`)
 * @param loaded a checkpoint from {@linkcode loadLatestCheckpoint}
 * @param options `optimizer`: restored with `loadState(loaded.optimizerState)`
 * @throws {TypeError} listing every missing, unexpected and mis-shaped parameter
 * @example
 * ```ts
 * import { applyCheckpoint } from "./checkpoint.ts";
 * const mine = new Map([["w", { data: new Float32Array(2), shape: [2] }]]);
 * const loaded = { parameters: new Map([["w", { data: new Float32Array([3, 4]), shape: [2] }]]), optimizerState: new Map() };
 * applyCheckpoint(mine, loaded);
 * console.log(mine.get("w")!.data); // Float32Array [3, 4]
 * ```
 */
export function applyCheckpoint(
  parameters: ReadonlyMap<string, TrainableParameter>,
  loaded: Pick<LoadedCheckpoint, "parameters" | "optimizerState"> & { file?: string },
  options: {
    optimizer?: Pick<Optimizer, "loadState">;
    /**
     * Parameters that may be missing from the checkpoint: they keep their current (initial) values, e.g. a
     * discriminator that a run extended into its adversarial phase never had before.
     */
    freshIfMissing?: (name: string) => boolean;
  } = {},
): string[] {
  const differences: string[] = [];
  const fresh: string[] = [];
  for (const [name, parameter] of parameters) {
    const saved = loaded.parameters.get(name);
    if (!saved && options.freshIfMissing?.(name)) fresh.push(name);
    else if (!saved) differences.push(`"${name}" is missing from the checkpoint`);
    else if (
      saved.shape.join(",") !== parameter.shape.join(",") || saved.data.length !== parameter.data.length
    ) {
      differences.push(
        `"${name}" is [${saved.shape.join(", ")}] in the checkpoint, [${parameter.shape.join(", ")}] here`,
      );
    }
  }
  for (const name of loaded.parameters.keys()) {
    if (!parameters.has(name)) differences.push(`"${name}" is in the checkpoint but not a parameter here`);
  }
  if (differences.length) {
    throw new TypeError(
      `Checkpoint${
        loaded.file ? ` ${loaded.file}` : ""
      } does not fit: ${differences.length} difference(s):\n  ` +
        differences.join("\n  "),
    );
  }
  for (const [name, parameter] of parameters) {
    const saved = loaded.parameters.get(name);
    if (saved) parameter.data.set(saved.data);
  }
  options.optimizer?.loadState(loaded.optimizerState);
  return fresh;
}
