/**
 * Compact inversions: ΔW is an affine function of each regressor's code v (spec §4:
 * `ΔW = view((v·w1 + b1)·w2 + b2)`), so an inversion is fully described by w and the per-layer codes v
 * (D floats per layer and refinement pass). This module finds, for any sharing strategy (built-in or plug-in),
 * the part of the hypernet between the codes `v.<regressorKey>` and the residuals `dW.<target>`, checks that it
 * is affine in the codes and depends on nothing else, and rebuilds it as a small graph (the linear mappers
 * only) that recomputes ΔW from v. A strategy whose ΔW is not affine in its codes gets the reason instead.
 *
 * ```
 * hypernet(Fw, Fx) → v.<key> [B, D] → mapper (w1, b1, w2, b2) → dW.<target> [B, O, I, k, k]
 *                    └──────────────── codeMapperGraph: inputs v.<key>, outputs dW.<target> ┘
 * ```
 *
 * @module
 */

import { GraphBuilder } from "../graph/builder.ts";
import type { Tensor } from "../graph/tensor.ts";
import { layerRegistry, targetLayers } from "../generator/registry.ts";
import { buildHypernet } from "../hypernet/hypernet.ts";
import { resolveHypernetConfig } from "../hypernet/config.ts";
import { sessionFor } from "../runtime/session.ts";
import { parameterFeeds, weightData } from "../runtime/weights.ts";
import type { HyperInverterArchitecture } from "./pipeline_graph.ts";
import { featureMapsShape } from "./stage_graphs.ts";
import type { HyperInverter, InversionResult } from "./hyperinverter.ts";
import { MODULE_NAMES, readManifest } from "./manifest.ts";
import { numWs } from "../generator/config.ts";
import { readInversionFile } from "../io/inversion_file.ts";
import { createHash } from "node:crypto";

/** Ops through which ΔW stays affine in a code, and which of their inputs may depend on it. */
const AFFINE_OPS: Readonly<Record<string, "any" | "one" | "first">> = {
  Add: "any",
  Sub: "any",
  Concat: "any",
  MatMul: "one", // linear in each factor: affine only while one factor depends on v
  Mul: "one",
  Gemm: "one",
  Div: "first",
  Neg: "first",
  Identity: "first",
  Reshape: "first",
  Transpose: "first",
  Flatten: "first",
  Squeeze: "first",
  Unsqueeze: "first",
  Expand: "first",
  Slice: "first",
  ReduceSum: "first",
  ReduceMean: "first",
};

/** The hypernet of a model split at its codes. */
export interface CodeGraphs {
  /** Inputs `Fw`, `Fx`; outputs `dW.<target>` and each distinct code `v.<key>` [B, D] (named by its first key). */
  readonly hypernet: GraphBuilder;
  /** The code input each regressor key reads (`b8_conv0_weight` → `v.b8_conv0_weight`), in target order. */
  readonly codeInputs: ReadonlyMap<string, string>;
  /** D. */
  readonly hiddenDim: number;
  /** Inputs `v.<key>` [B, D]; outputs `dW.<target>`; null when ΔW is not affine in the codes. */
  readonly mapper: GraphBuilder | null;
  /** Why there is no mapper (names the target and the op or input at fault); null when there is one. */
  readonly whyNotAffine: string | null;
}

class NotAffine extends Error {}

/**
 * Builds the hypernet at a batch size with its codes exposed, and the graph that recomputes ΔW from them.
 *
 * @param architecture resolved architecture
 * @param batch B
 * @returns the two graphs, or the reason why ΔW is not affine in the codes
 * @example
 * ```ts
 * import { resolveArchitecture } from "./architecture.ts";
 * import { CHURCH_256_D64 } from "./presets.ts";
 * import { codeGraphs } from "./compact_inversion.ts";
 * const graphs = codeGraphs(resolveArchitecture(CHURCH_256_D64), 1);
 * console.log(graphs.codeInputs.size, graphs.mapper!.inputs[0].shape, graphs.whyNotAffine); // 20 [1, 64] null
 * ```
 */
export function codeGraphs(architecture: HyperInverterArchitecture, batch: number): CodeGraphs {
  const { generator, hypernet: config } = architecture;
  const g = new GraphBuilder("hypernet_codes");
  const shape = featureMapsShape(architecture, batch);
  const fw = g.input("Fw", shape); // [B, L, C, S, S]
  const fx = g.input("Fx", shape);
  const reported = new Map<string, Tensor>();
  const registry = layerRegistry(generator);
  const residuals = g.scope("hypernet", () =>
    buildHypernet(g, config, registry, fw, fx, {
      onIntermediate: (name, tensor) => {
        if (name.startsWith("v.")) reported.set(name, tensor);
      },
    }));
  for (const [target, delta] of residuals) g.output(delta, `dW.${target}`);
  const codeName = new Map<Tensor, string>(); // a code shared by several targets is one input
  const codeInputs = new Map<string, string>();
  for (const target of targetLayers(registry, resolveHypernetConfig(config).targetSet)) {
    const code = reported.get(`v.${target.regressorKey}`);
    if (!code) continue;
    if (!codeName.has(code)) codeName.set(code, `v.${target.regressorKey}`);
    codeInputs.set(target.regressorKey, codeName.get(code)!);
  }
  for (const [code, name] of codeName) g.output(code, name);
  const hiddenDim = resolveHypernetConfig(config).hiddenDim;
  let mapper: GraphBuilder | null = null;
  let whyNotAffine: string | null = null;
  try {
    mapper = replayMapper(g, residuals, codeName);
  } catch (error) {
    if (!(error instanceof NotAffine)) throw error;
    whyNotAffine = `${error.message} (sharing strategy "${resolveHypernetConfig(config).sharing}")`;
  }
  return { hypernet: g, codeInputs, hiddenDim, mapper, whyNotAffine };
}

/** Copies the cone of every residual, cut at the codes, into a new graph; throws NotAffine when it is not. */
function replayMapper(
  g: GraphBuilder,
  residuals: ReadonlyMap<string, Tensor>,
  codeName: ReadonlyMap<Tensor, string>,
): GraphBuilder {
  if (!codeName.size) throw new NotAffine("The hypernet reports no codes v.<key>");
  const m = new GraphBuilder("code_mapper");
  const copies = new Map<Tensor, Tensor>();
  const dependent = new Set<Tensor>();
  for (const [code, name] of codeName) {
    copies.set(code, m.input(name, code.shape, code.dtype));
    dependent.add(code);
  }
  let target = "";
  const copy = (t: Tensor): Tensor => {
    const done = copies.get(t);
    if (done) return done;
    let result: Tensor;
    if (t.origin === "input") {
      throw new NotAffine(
        `ΔW of "${target}" reads the hypernet input "${t.name}" other than through a code v`,
      );
    } else if (t.origin === "parameter") result = m.parameter(t.name, t.shape, t.dtype);
    else if (t.origin === "constant") result = m.constant(g.constants.get(t)!, t.shape, t.name);
    else {
      const node = g.producer(t)!;
      const inputs = node.inputs.map(copy);
      const reads = node.inputs.map((input) => dependent.has(input));
      const count = reads.filter(Boolean).length;
      if (count) {
        const rule = AFFINE_OPS[node.op];
        const ok = rule === "any" || (rule === "one" && count === 1) ||
          (rule === "first" && count === 1 && reads[0]);
        if (!ok) {
          throw new NotAffine(`ΔW of "${target}" is not affine in its code: ${node.op} node "${node.name}"`);
        }
      }
      const outputs = m.node(node.op, inputs, { ...node.attributes });
      node.outputs.forEach((output, i) => {
        copies.set(output, outputs[i]);
        if (count) dependent.add(output);
      });
      result = outputs[node.outputs.indexOf(t)];
    }
    copies.set(t, result);
    return result;
  };
  for (const [name, delta] of residuals) {
    target = name;
    m.output(copy(delta), `dW.${name}`);
  }
  return m;
}

const plans = new WeakMap<HyperInverter, Map<number, CodeGraphs>>();

/**
 * The model's {@linkcode CodeGraphs} at a batch size (built once per model and size).
 *
 * @param model the model
 * @param batch B
 * @returns the graphs
 * @example
 * ```ts
 * import { loadHyperInverter } from "./load.ts";
 * import { codeGraphsOf } from "./compact_inversion.ts";
 * const model = await loadHyperInverter("data/models/default/model.json");
 * console.log(codeGraphsOf(model, 1).whyNotAffine); // null
 * ```
 */
export function codeGraphsOf(model: HyperInverter, batch: number): CodeGraphs {
  let perBatch = plans.get(model);
  if (!perBatch) plans.set(model, perBatch = new Map());
  let graphs = perBatch.get(batch);
  if (!graphs) perBatch.set(batch, graphs = codeGraphs(model.architecture, batch));
  return graphs;
}

/** An inversion with its codes: `codes` maps each regressor key to [B, passes, D], or is null (not affine). */
export interface CodedInversionResult extends InversionResult {
  /** Codes by regressor key, [B, P, D] row-major (P = refinement passes); null when ΔW is not affine in v. */
  codes: Map<string, Float32Array> | null;
  /** Why `codes` is null. */
  whyNotAffine: string | null;
}

/**
 * Inverts a batch as {@linkcode HyperInverter.invert} does (staged) and also returns every code v; for a model
 * whose ΔW is not affine in its codes, `model.invert` with `codes: null` and the reason.
 *
 * @param model the model
 * @param images [B, 3, R, R] in [−1, 1]
 * @param batch B
 * @returns the inversion and its codes
 * @throws {TypeError} for images of the wrong size or with NaN/infinity
 * @throws {NonFiniteOutputError} naming the stage and batch row of a non-finite output
 * @example
 * ```ts
 * import { loadHyperInverter } from "./load.ts";
 * import { invertWithCodes } from "./compact_inversion.ts";
 * const model = await loadHyperInverter("data/models/default/model.json");
 * const result = await invertWithCodes(model, new Float32Array(3 * 32 * 32), 1);
 * console.log(result.codes!.get("b4_conv1_weight")!.length); // 16
 * ```
 */
export async function invertWithCodes(
  model: HyperInverter,
  images: Float32Array,
  batch: number,
): Promise<CodedInversionResult> {
  const graphs = codeGraphsOf(model, batch);
  if (!graphs.mapper) {
    return { ...await model.invert(images, batch), codes: null, whyNotAffine: graphs.whyNotAffine };
  }
  // The staged inversion itself, with the hypernet graph that also outputs each pass's codes v.
  const { hypernetExtras, ...result } = await model.invert(images, batch, { hypernetGraph: graphs.hypernet });
  const passes = model.architecture.refinementPasses;
  const d = graphs.hiddenDim;
  const codes = new Map<string, Float32Array>();
  for (const [key, input] of graphs.codeInputs) {
    const rows = hypernetExtras!.map((extra) => extra[input].data as Float32Array); // P × [B, D]
    const code = new Float32Array(batch * passes * d); // [B, P, D]
    for (let b = 0; b < batch; b++) {
      for (let p = 0; p < passes; p++) code.set(rows[p].subarray(b * d, (b + 1) * d), (b * passes + p) * d);
    }
    codes.set(key, code);
  }
  return { ...result, codes, whyNotAffine: null };
}

/**
 * Recomputes one image's ΔW from its codes: each pass's codes through the linear mappers, summed over passes
 * (as the staged inversion accumulates them).
 *
 * @param model the model
 * @param codes by regressor key, [P, D] each (P = the model's refinement passes)
 * @returns ΔW by target, one image's worth each
 * @throws {TypeError} when the model's ΔW is not affine in its codes (with the reason), or a code is missing or
 *   has the wrong size (naming it)
 * @example
 * ```ts
 * import { loadHyperInverter } from "./load.ts";
 * import { invertWithCodes, residualsFromCodes } from "./compact_inversion.ts";
 * const model = await loadHyperInverter("data/models/default/model.json");
 * const result = await invertWithCodes(model, new Float32Array(3 * 32 * 32), 1);
 * const residuals = await residualsFromCodes(model, result.codes!);
 * const [target, delta] = [...residuals][0];
 * console.log(Math.abs(delta[0] - result.residuals.get(target)!.data[0]) < 1e-6); // true
 * ```
 */
export async function residualsFromCodes(
  model: HyperInverter,
  codes: ReadonlyMap<string, Float32Array>,
): Promise<Map<string, Float32Array>> {
  const passes = model.architecture.refinementPasses;
  const graphs = codeGraphsOf(model, passes);
  if (!graphs.mapper) {
    throw new TypeError(`This model's ΔW cannot be computed from codes: ${graphs.whyNotAffine}`);
  }
  const feeds: Record<string, Float32Array> = {};
  const size = passes * graphs.hiddenDim;
  for (const [key, input] of graphs.codeInputs) {
    const code = codes.get(key);
    if (!code) throw new TypeError(`No code "v.${key}" for the model's regressor "${key}"`);
    if (code.length !== size) {
      throw new TypeError(
        `Code "v.${key}" has ${code.length} values, expected ${passes}×${graphs.hiddenDim}`,
      );
    }
    feeds[input] ??= code;
  }
  const session = await sessionFor(graphs.mapper, { device: model.options.device ?? "cpu" });
  const result = await session.run({ ...feeds, ...parameterFeeds(graphs.mapper, model.weights) });
  const residuals = new Map<string, Float32Array>();
  for (const [name, tensor] of Object.entries(result.outputs)) {
    const data = tensor.data as Float32Array; // [P, …target shape]
    const per = data.length / passes;
    const sum = data.slice(0, per);
    for (let p = 1; p < passes; p++) {
      for (let i = 0; i < per; i++) sum[i] += data[p * per + i];
    }
    residuals.set(name.slice(3), sum);
  }
  return residuals;
}

const identities = new WeakMap<HyperInverter, Promise<string>>();

/**
 * The identity of a model (64 hex): the sha256 of its manifest's architecture, plug-in hashes and the sha256
 * of every weights file, when the manifest records them all; otherwise (reference models, older manifests) of
 * its resolved architecture and every weight's name, shape and values. Inversion files record it, and readers
 * refuse a file whose identity differs from the model given.
 *
 * @param model the loaded model
 * @param modelPath what it was loaded from (a manifest path or `reference:…`)
 * @returns the identity
 * @example
 * ```ts
 * import { loadHyperInverter } from "./load.ts";
 * import { modelIdentity } from "./compact_inversion.ts";
 * const model = await loadHyperInverter("data/models/default/model.json");
 * console.log((await modelIdentity(model, "data/models/default/model.json")).length); // 64
 * ```
 */
export function modelIdentity(model: HyperInverter, modelPath: string): Promise<string> {
  let identity = identities.get(model);
  if (!identity) {
    identity = computeIdentity(model, modelPath);
    identities.set(model, identity);
  }
  return identity;
}

async function computeIdentity(model: HyperInverter, modelPath: string): Promise<string> {
  const hash = createHash("sha256");
  if (!modelPath.startsWith("reference:")) {
    const { manifest } = await readManifest(modelPath);
    const digests = MODULE_NAMES.map((module) => manifest.sha256?.[module]);
    if (digests.every((digest) => digest !== undefined)) {
      hash.update(JSON.stringify({
        architecture: manifest.architecture,
        plugins: manifest.plugins ?? {},
        sha256: digests,
      }));
      return hash.digest("hex");
    }
  }
  hash.update(JSON.stringify(model.architecture));
  for (const name of [...model.weights.keys()].sort()) {
    const value = model.weights.get(name)!;
    const data = weightData(value);
    const shape = ArrayBuffer.isView(value) ? [data.length] : value.shape;
    hash.update(`${name}:${shape.join("x")}:`);
    hash.update(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  }
  return hash.digest("hex");
}

/** An inversion read back for a model: w, ΔW (recomputed from the codes when the file holds only those), codes. */
export interface LoadedInversion {
  /** [numWs, wDim] */
  ws: Float32Array;
  /** ΔW by target. */
  residuals: Map<string, Float32Array>;
  /** Codes by regressor key [P, D], or null when the file holds ΔW only. */
  codes: Map<string, Float32Array> | null;
  /** The inverted image, as recorded. */
  source: string;
}

/**
 * Reads an inversion file (compact or with ΔW; io/inversion_file.ts) for a model: checks that it was written
 * with this model (legacy files, which record no model, are checked by shape only) and recomputes ΔW from
 * the codes when it holds only those.
 *
 * @param path the `.safetensors` file
 * @param model the model
 * @param modelPath what the model was loaded from (for its identity and messages)
 * @returns w, ΔW and the codes
 * @throws {TypeError} naming both models when the file's model differs, or when w / a code / a ΔW does not fit
 *   the model
 * @throws {SyntaxError} when the file does not parse or is not an inversion
 * @example
 * ```ts
 * import { loadHyperInverter } from "./load.ts";
 * import { invertWithCodes, loadInversion, modelIdentity } from "./compact_inversion.ts";
 * import { writeInversionFile } from "../io/inversion_file.ts";
 * const modelPath = "data/models/default/model.json";
 * const model = await loadHyperInverter(modelPath);
 * const result = await invertWithCodes(model, new Float32Array(3 * 32 * 32), 1);
 * const path = await Deno.makeTempFile({ suffix: ".safetensors" });
 * await writeInversionFile(path, {
 *   ws: { data: result.wCodes.data, shape: result.wCodes.shape.slice(1) },
 *   codes: new Map([...result.codes!].map(([key, data]) => [key, { data, shape: [1, data.length] }])),
 *   residuals: new Map(), model: await modelIdentity(model, modelPath), modelName: modelPath, source: "zeros",
 * }, { overwrite: true });
 * const inversion = await loadInversion(path, model, modelPath);
 * console.log(inversion.residuals.size === result.residuals.size); // true
 * ```
 */
export async function loadInversion(
  path: string,
  model: HyperInverter,
  modelPath: string,
): Promise<LoadedInversion> {
  const file = await readInversionFile(path);
  if (file.model !== null) {
    const identity = await modelIdentity(model, modelPath);
    if (identity !== file.model) {
      throw new TypeError(
        `"${path}" was inverted with model "${file.modelName}" (identity ${file.model}), not with "${modelPath}" ` +
          `(identity ${identity}); invert the image again with this model`,
      );
    }
  }
  const generator = model.architecture.generator;
  const [rows, width] = file.ws.shape;
  if (rows !== numWs(generator) || width !== generator.wDim) {
    throw new TypeError(
      `"${path}": w is [${file.ws.shape.join(", ")}], the model needs [${
        numWs(generator)
      }, ${generator.wDim}]`,
    );
  }
  let codes: Map<string, Float32Array> | null = null;
  if (file.codes.size) codes = new Map([...file.codes].map(([key, code]) => [key, code.data]));
  let residuals: Map<string, Float32Array>;
  if (file.residuals.size) {
    residuals = new Map([...file.residuals].map(([target, delta]) => [target, delta.data]));
    const expected = model.stageGraph("phaseTwo", 1).inputs.filter((t) => t.name.startsWith("residual."));
    for (const t of expected) {
      const target = t.name.slice("residual.".length);
      const delta = residuals.get(target);
      if (!delta || delta.length !== t.size) {
        throw new TypeError(
          `"${path}": ΔW "${target}" is ${
            delta ? `${delta.length} values` : "missing"
          }; the model needs ${t.size}`,
        );
      }
    }
  } else {
    try {
      residuals = await residualsFromCodes(model, codes!);
    } catch (error) {
      throw new TypeError(`"${path}": ${(error as Error).message}`, { cause: error });
    }
  }
  return { ws: file.ws.data, residuals, codes, source: file.source };
}
