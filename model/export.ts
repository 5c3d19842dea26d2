/**
 * Standalone ONNX export of a model: every stage graph and the fused whole, with the weights baked in as
 * initializers (in a `<file>.data` external-data file only when they pass the 2 GB protobuf limit), and
 * `model.export.json` describing each file's inputs and outputs, the opset, the preprocessing and how the stages
 * chain, so that any ONNX runtime can run them without this project.
 *
 * | file | inputs → outputs |
 * |---|---|
 * | `encode.onnx` | `x` [1, 3, R, R] → `ws` [1, numWs, wDim] (E1 + w_avg), `Fx` [1, L, C, S, S] (E2 of x) |
 * | `e2.onnx` | `image` [1, 3, R, R] → `F` [1, L, C, S, S] (E2 of a reconstruction) |
 * | `hypernet.onnx` | `Fw`, `Fx` → `dW.<target>` [1, O, I, k, k] |
 * | `synthesis.onnx` | `ws`, `residual.<target>` → `img` [1, 3, R, R] (G(w, θ + ΔW); zero residuals give G(w)) |
 * | `code_mapper.onnx` | `v.<key>` [1, D] → `dW.<target>` (ΔW from compact inversion codes) |
 * | `hyperinverter.onnx` | `x` → `w_codes`, `w_images`, `final_images`, `dW.<target>` (the fused whole) |
 *
 * @module
 */

import type { GraphBuilder } from "../graph/builder.ts";
import type { ConstantData } from "../graph/builder.ts";
import { ONNX_IR_VERSION, ONNX_OPSET, writeOnnxModel } from "../graph/onnx_writer.ts";
import type { HyperInverter } from "./hyperinverter.ts";
import { codeGraphsOf } from "./compact_inversion.ts";
import { weightData } from "../runtime/weights.ts";

/** The files {@linkcode exportModel} writes, in order, with what each is. */
export const EXPORT_FILES = {
  "encode.onnx": "E1 + w_avg (the w code, repeated on every W+ row) and E2 of the input",
  "e2.onnx": "E2 (layer-wise features) of a reconstruction",
  "hypernet.onnx": "the hypernet: ΔW of every target from Fw (features of G(w)) and Fx (features of x)",
  "synthesis.onnx": "the generator with residual inputs: G(ws, θ + ΔW); zero residuals give phase I",
  "code_mapper.onnx": "ΔW from the per-layer codes v of a compact inversion file (the linear mappers only)",
  "hyperinverter.onnx": "the fused whole: x → w codes, phase-I image, final image, every ΔW",
} as const;

/** The description file's name. */
export const EXPORT_DESCRIPTION = "model.export.json";

/** One tensor of an exported file. */
export interface ExportedTensor {
  /** The tensor's name in the graph. */
  name: string;
  /** Its shape. */
  shape: number[];
  /** Its element type. */
  dtype: string;
}

/** What `model.export.json` holds. */
export interface ExportDescription {
  /** The format tag. */
  format: "hyperinverter-deno/onnx-export";
  /** The format version. */
  version: 1;
  /** The exported model's name. */
  model: string;
  /** The ONNX opset. */
  opset: number;
  /** The ONNX IR version. */
  irVersion: number;
  /** The batch size the graphs are built for. */
  batch: 1;
  /** The image resolution. */
  resolution: number;
  /** How many refinement passes. */
  refinementPasses: number;
  /** How to prepare an image for the first graph. */
  preprocessing: Record<string, unknown>;
  /** How to turn the last graph's output into an image. */
  postprocessing: string;
  /** The graph files in the order they run. */
  pipeline: string[];
  /** Each graph file: what it does, its inputs and outputs. */
  files: Record<string, {
    what: string;
    inputs: ExportedTensor[];
    outputs: ExportedTensor[];
    externalData: string | null;
    bytes: number;
  }>;
}

/**
 * The paths {@linkcode exportModel} writes into a folder (for checking outputs before any work).
 *
 * @param out the folder
 * @param options `codeMapper`: whether the model has one (its ΔW is affine in its codes)
 * @returns the ONNX files and the description
 * @example
 * ```ts
 * import { exportPaths } from "./export.ts";
 * console.log(exportPaths("out").at(-1)); // "out/model.export.json"
 * ```
 */
export function exportPaths(out: string, options: { codeMapper?: boolean } = {}): string[] {
  return [
    ...Object.keys(EXPORT_FILES).filter((f) => f !== "code_mapper.onnx" || options.codeMapper !== false),
    EXPORT_DESCRIPTION,
  ].map((name) => `${out}/${name}`);
}

function tensorsOf(list: GraphBuilder["inputs"]): ExportedTensor[] {
  return list.map((t) => ({ name: t.name, shape: [...t.shape], dtype: t.dtype }));
}

function initializersOf(graph: GraphBuilder, model: HyperInverter): Map<string, ConstantData> {
  const values = new Map<string, ConstantData>();
  for (const p of graph.parameters) {
    const value = model.weights.get(p.name);
    if (value === undefined) {
      throw new TypeError(`The model has no weight "${p.name}" for graph "${graph.name}"`);
    }
    values.set(p.name, weightData(value));
  }
  return values;
}

/**
 * Writes the model's ONNX files (batch 1) and `model.export.json` into a folder that exists.
 *
 * @param model the model
 * @param out the folder
 * @param options `name`: the model as given (recorded), `onFile`: told after each file
 * @returns the description written
 * @example
 * ```ts
 * import { loadHyperInverter } from "./load.ts";
 * import { exportModel } from "./export.ts";
 * const model = await loadHyperInverter("data/models/default/model.json");
 * const out = await Deno.makeTempDir();
 * const description = await exportModel(model, out, { name: "data/models/default/model.json" });
 * console.log(description.opset, description.files["synthesis.onnx"].outputs[0].name); // 17 "img"
 * ```
 */
export async function exportModel(
  model: HyperInverter,
  out: string,
  options: { name?: string; onFile?: (path: string) => void } = {},
): Promise<ExportDescription> {
  const mapper = codeGraphsOf(model, 1).mapper;
  const graphs: [keyof typeof EXPORT_FILES, GraphBuilder | null][] = [
    ["encode.onnx", model.stageGraph("encode", 1)],
    ["e2.onnx", model.stageGraph("features", 1)],
    ["hypernet.onnx", model.stageGraph("hypernet", 1)],
    ["synthesis.onnx", model.stageGraph("phaseTwo", 1)],
    ["code_mapper.onnx", mapper],
    ["hyperinverter.onnx", model.graph(1)],
  ];
  const files: ExportDescription["files"] = {};
  for (const [file, graph] of graphs) {
    if (!graph) continue;
    const path = `${out}/${file}`;
    const written = await writeOnnxModel(path, graph, { initializers: initializersOf(graph, model) });
    const bytes = (await Deno.stat(path)).size +
      (written.dataPath ? (await Deno.stat(written.dataPath)).size : 0);
    files[file] = {
      what: EXPORT_FILES[file],
      inputs: tensorsOf(graph.inputs),
      outputs: tensorsOf(graph.outputs),
      externalData: written.dataPath ? `${file}.data` : null,
      bytes,
    };
    options.onFile?.(path);
  }
  const resolution = model.resolution;
  const description: ExportDescription = {
    format: "hyperinverter-deno/onnx-export",
    version: 1,
    model: options.name ?? "(in memory)",
    opset: ONNX_OPSET,
    irVersion: ONNX_IR_VERSION,
    batch: 1,
    resolution,
    refinementPasses: model.architecture.refinementPasses,
    preprocessing: {
      resize:
        `PIL Image.resize((${resolution}, ${resolution}), Image.BILINEAR) of the RGB photo (antialiased ` +
        `bilinear: the filter support widens with the scale when shrinking)`,
      toTensor: "HWC uint8 → CHW float32, divided by 255",
      normalize: { mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5] },
      input: `x: float32 [1, 3, ${resolution}, ${resolution}], NCHW, values in [-1, 1]`,
    },
    postprocessing: "pixel = round(clamp((value + 1) / 2, 0, 1) · 255), CHW → HWC",
    pipeline: [
      "fused: hyperinverter.onnx(x) gives everything in one run",
      "staged (lower peak memory): ws, Fx = encode(x); x̂_w = synthesis(ws, residual.* = 0)",
      "then per refinement pass: F = e2(x̂); ΔW += hypernet(Fw = F, Fx); x̂ = synthesis(ws, residual.* = ΔW)",
      "compact inversion file (w, v.<key> [passes, D]): ΔW = Σ over passes of code_mapper(v.<key> = row p)",
    ],
    files,
  };
  await Deno.writeTextFile(`${out}/${EXPORT_DESCRIPTION}`, JSON.stringify(description, null, 2) + "\n");
  return description;
}
