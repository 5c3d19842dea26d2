/**
 * The inversion file `<name>.safetensors` that `invert` writes: the w code `w` [numWs, wDim] and either the
 * per-layer codes `v.<regressorKey>` [passes, D] (compact, the default: ΔW is affine in v, so a few KB describe
 * it) or every residual `dW.<target>` [O, I, k, k] (`--save-delta-weights`, or a model whose ΔW is not affine in
 * its codes; `whyDeltaWeights` then says why), or both. The metadata names the model it belongs to by
 * identity (model/compact_inversion.ts `modelIdentity`), so that a reader refuses a file of another model.
 *
 * Metadata (all strings): `format` = `hyperinverter-deno/inversion`, `version` = `1`, `model` (64 hex),
 * `modelName`, `source` (the image), `passes`, and `whyDeltaWeights` when the codes could not be used. Files
 * written before the format (only `w`, `dW.*` and `source`) read as `legacy`, without a model identity.
 *
 * @module
 */

import { readWeights, type Weight, writeWeights } from "./weights_file.ts";

/** The `format` metadata of an inversion file. */
export const INVERSION_FORMAT = "hyperinverter-deno/inversion";
/** The version this code reads and writes. */
export const INVERSION_VERSION = 1;

/** What an inversion file holds. */
export interface InversionFile {
  /** w [numWs, wDim]. */
  readonly ws: Weight;
  /** Codes by regressor key, [passes, D] each (empty when not stored). */
  readonly codes: ReadonlyMap<string, Weight>;
  /** ΔW by target name (empty when not stored). */
  readonly residuals: ReadonlyMap<string, Weight>;
  /** The model's identity (64 hex), or null for a legacy file. */
  readonly model: string | null;
  /** The model as it was named when inverting (a path or `reference:…`), for messages. */
  readonly modelName: string;
  /** The inverted image. */
  readonly source: string;
  /** Why ΔW is stored instead of the codes, when it is. */
  readonly whyDeltaWeights?: string;
  /** True for a file written before this format (no identity, w and dW only). */
  readonly legacy: boolean;
}

/**
 * Writes an inversion file, atomically.
 *
 * @param path the `.safetensors` path
 * @param file what to store (`legacy` is ignored)
 * @param options `overwrite` an existing file (default false)
 * @returns when written
 * @throws {TypeError} when neither codes nor residuals are given, or no model identity
 * @example
 * ```ts
 * import { readInversionFile, writeInversionFile } from "./inversion_file.ts";
 * const path = await Deno.makeTempFile({ suffix: ".safetensors" });
 * await writeInversionFile(path, {
 *   ws: { data: new Float32Array(4), shape: [2, 2] },
 *   codes: new Map([["b4_conv1_weight", { data: new Float32Array([1, 2]), shape: [1, 2] }]]),
 *   residuals: new Map(), model: "0".repeat(64), modelName: "m.json", source: "a.png", legacy: false,
 * }, { overwrite: true });
 * const file = await readInversionFile(path);
 * console.log(file.codes.get("b4_conv1_weight")!.data, file.modelName); // Float32Array [1, 2] "m.json"
 * ```
 */
export async function writeInversionFile(
  path: string,
  file: Omit<InversionFile, "legacy"> & { legacy?: boolean },
  options: { overwrite?: boolean } = {},
): Promise<void> {
  if (!file.codes.size && !file.residuals.size) {
    throw new TypeError(`Inversion file "${path}": give the codes v or the residuals ΔW`);
  }
  if (!file.model) throw new TypeError(`Inversion file "${path}": the model identity is missing`);
  const tensors = new Map<string, Weight>([["w", file.ws]]);
  for (const [key, code] of file.codes) tensors.set(`v.${key}`, code);
  for (const [target, delta] of file.residuals) tensors.set(`dW.${target}`, delta);
  const metadata: Record<string, string> = {
    format: INVERSION_FORMAT,
    version: String(INVERSION_VERSION),
    model: file.model,
    modelName: file.modelName,
    source: file.source,
  };
  if (file.whyDeltaWeights) metadata.whyDeltaWeights = file.whyDeltaWeights;
  await writeWeights(path, tensors, { overwrite: options.overwrite, metadata });
}

/**
 * Reads an inversion file (or a legacy one: `w` and `dW.*` without format metadata).
 *
 * @param path the `.safetensors` path
 * @returns its contents
 * @throws {SyntaxError} when it is not a safetensors file, or names another format or a newer version
 * @throws {TypeError} when `w` is missing or not 2-D, a tensor is neither `w`, `v.*` nor `dW.*`, or it holds
 *   neither codes nor residuals
 */
export async function readInversionFile(path: string): Promise<InversionFile> {
  const { weights, metadata } = await readWeights(path, { maxFileBytes: 2 ** 33 });
  const legacy = metadata.format === undefined;
  if (!legacy && metadata.format !== INVERSION_FORMAT) {
    throw new SyntaxError(`"${path}" is a "${metadata.format}" file, not an inversion (${INVERSION_FORMAT})`);
  }
  if (!legacy && Number(metadata.version) > INVERSION_VERSION) {
    throw new SyntaxError(
      `"${path}" is inversion format version ${metadata.version}; this code reads up to ${INVERSION_VERSION}`,
    );
  }
  if (!legacy && !/^[0-9a-f]{64}$/.test(metadata.model ?? "")) {
    throw new SyntaxError(`"${path}" does not record its model's identity (metadata "model")`);
  }
  const ws = weights.get("w");
  if (!ws || ws.shape.length !== 2) {
    throw new TypeError(`"${path}" has no w code [numWs, wDim] (tensor "w")`);
  }
  const codes = new Map<string, Weight>();
  const residuals = new Map<string, Weight>();
  for (const [name, weight] of weights) {
    if (name === "w") continue;
    if (name.startsWith("v.") && weight.shape.length === 2) codes.set(name.slice(2), weight);
    else if (name.startsWith("dW.")) residuals.set(name.slice(3), weight);
    else {throw new TypeError(
        `"${path}": tensor "${name}" is neither w, a code v.<key> [P, D] nor dW.<target>`,
      );}
  }
  if (!codes.size && !residuals.size) {
    throw new TypeError(`"${path}" holds neither codes v.<key> nor residuals dW.<target>`);
  }
  return {
    ws,
    codes,
    residuals,
    model: legacy ? null : metadata.model,
    modelName: metadata.modelName ?? "(unknown)",
    source: metadata.source ?? "",
    whyDeltaWeights: metadata.whyDeltaWeights,
    legacy,
  };
}
