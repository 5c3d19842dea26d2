/**
 * Writes a {@linkcode GraphBuilder} graph as an ONNX model (opset 17, IR version 8) with a hand-rolled
 * protobuf encoder. Parameters become graph inputs unless their values are given, in which case they are
 * baked in as initializers; models whose initializers exceed the 2 GB protobuf limit put them in an external
 * data file beside the model.
 *
 * @module
 */

import type { ConstantData, GraphBuilder, GraphNode } from "./builder.ts";
import { OP_SET } from "./ops.ts";
import { ProtoWriter } from "./_protobuf.ts";
import { type DType, dtypeOfArray, formatShape, numel, ONNX_DTYPE_CODE, type Tensor } from "./tensor.ts";

/** The ONNX opset the writer targets. */
export const ONNX_OPSET = 17;
/** The ONNX IR version of opset 17. */
export const ONNX_IR_VERSION = 8;
/** Protobuf messages cannot exceed 2 GiB; above this many initializer bytes, data must go external. */
export const PROTOBUF_LIMIT_BYTES = 2 ** 31 - 1;

/** Options of {@linkcode encodeOnnxModel}. */
export interface OnnxEncodeOptions {
  /** Values of parameters to bake in as initializers; parameters without a value stay graph inputs. */
  initializers?: ReadonlyMap<string, ConstantData>;
  /**
   * File name (relative to the model) for initializer data stored outside the protobuf. When set, every
   * baked parameter larger than `externalThresholdBytes` is written to it and returned as `externalData`.
   */
  externalDataLocation?: string;
  /** Minimum size of an initializer that goes to the external file (default 1024 bytes). */
  externalThresholdBytes?: number;
}

/** The encoded model, and the external data file's bytes when one was asked for. */
export interface EncodedOnnxModel {
  /** The ModelProto bytes. */
  model: Uint8Array;
  /** The external data file's parts, in order (concatenate them), when initializers went outside. */
  externalData?: Uint8Array[];
}

const ATTRIBUTE_TYPE = { FLOAT: 1, INT: 2, STRING: 3, FLOATS: 6, INTS: 7 } as const;

function rawBytes(data: ConstantData): Uint8Array {
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

function tensorProto(
  name: string,
  shape: readonly number[],
  dtype: DType,
  data: ConstantData,
  external?: { location: string; offset: number },
): ProtoWriter {
  const t = new ProtoWriter();
  t.packedInts(1, shape);
  t.int(2, ONNX_DTYPE_CODE[dtype]);
  t.string(8, name);
  if (external) {
    const entry = (key: string, value: string) => new ProtoWriter().string(1, key).string(2, value);
    t.message(13, entry("location", external.location));
    t.message(13, entry("offset", String(external.offset)));
    t.message(13, entry("length", String(data.byteLength)));
    t.int(14, 1); // DataLocation.EXTERNAL
  } else {
    t.bytes(9, rawBytes(data));
  }
  return t;
}

function valueInfo(t: Tensor): ProtoWriter {
  const shape = new ProtoWriter();
  for (const d of t.shape) shape.message(1, new ProtoWriter().int(1, d));
  const tensorType = new ProtoWriter().int(1, ONNX_DTYPE_CODE[t.dtype]).message(2, shape);
  return new ProtoWriter().string(1, t.name).message(2, new ProtoWriter().message(1, tensorType));
}

function attributeProto(name: string, value: unknown, isFloat: boolean): ProtoWriter {
  const a = new ProtoWriter().string(1, name);
  if (typeof value === "string") return a.string(4, value).int(20, ATTRIBUTE_TYPE.STRING);
  if (typeof value === "number") {
    return isFloat
      ? a.float(2, value).int(20, ATTRIBUTE_TYPE.FLOAT)
      : a.int(3, value).int(20, ATTRIBUTE_TYPE.INT);
  }
  const list = value as number[];
  return isFloat
    ? a.packedFloats(7, list).int(20, ATTRIBUTE_TYPE.FLOATS)
    : a.packedInts(8, list).int(20, ATTRIBUTE_TYPE.INTS);
}

/** Node inputs and extra initializers for the IR attributes that ONNX takes as inputs. */
function nodeProto(
  node: GraphNode,
  extraInitializers: ProtoWriter[],
  renamed: ReadonlyMap<string, string>,
): ProtoWriter {
  const definition = OP_SET[node.op];
  const n = new ProtoWriter();
  for (const t of node.inputs) n.string(1, renamed.get(t.name) ?? t.name);
  const asInputs = definition.attributesAsInputs ?? [];
  for (const key of asInputs) {
    if (key === "" || node.attributes[key] === undefined) {
      n.string(1, ""); // an omitted optional input
      continue;
    }
    const value = node.attributes[key];
    const name = `${node.name}/${key}`;
    if (definition.floatAttributes?.includes(key)) {
      const data = new Float32Array([value as number]);
      extraInitializers.push(tensorProto(name, [], "float32", data));
    } else {
      const list = value as number[];
      const data = BigInt64Array.from(list.map((v) => BigInt(v)));
      extraInitializers.push(tensorProto(name, [list.length], "int64", data));
    }
    n.string(1, name);
  }
  for (const t of node.outputs) n.string(2, renamed.get(t.name) ?? t.name);
  n.string(3, node.name);
  n.string(4, node.op);
  for (const [key, value] of Object.entries(node.attributes)) {
    if (asInputs.includes(key)) continue;
    n.message(5, attributeProto(key, value, definition.floatAttributes?.includes(key) ?? false));
  }
  return n;
}

/**
 * The Identity nodes that only rename a node's result to a graph output's name are not written: the producing
 * node writes the output name itself. ONNX Runtime keeps such an Identity as a copy when the renamed tensor has
 * other consumers (an optimizer's new moments feed the parameter update and are outputs: 42 of 226 ms of an
 * Adam update over 40 M values). Inputs, parameters, constants and tensors that are outputs themselves keep
 * their Identity.
 */
function outputRenames(graph: GraphBuilder): { renamed: Map<string, string>; elided: Set<GraphNode> } {
  const renamed = new Map<string, string>();
  const elided = new Set<GraphNode>();
  const outputs = new Set(graph.outputs);
  for (const node of graph.nodes) {
    const [source] = node.inputs;
    const [out] = node.outputs;
    if (node.op !== "Identity" || !outputs.has(out) || outputs.has(source) || renamed.has(source.name)) {
      continue;
    }
    if (source.origin !== "node") continue;
    renamed.set(source.name, out.name);
    elided.add(node);
  }
  return { renamed, elided };
}

/**
 * Encodes a graph as ONNX `ModelProto` bytes.
 *
 * @param graph the graph
 * @param options initializers to bake, external data
 * @returns the model bytes (and external data chunks if asked for)
 * @throws {TypeError} when a baked parameter's value does not match its declared shape or dtype
 * @throws {RangeError} when the model would exceed the protobuf limit without external data
 * @example
 * ```ts
 * import { GraphBuilder } from "./builder.ts";
 * import { encodeOnnxModel } from "./onnx_writer.ts";
 * const g = new GraphBuilder("double");
 * const x = g.input("x", [3]);
 * g.output(g.scale(x, 2), "y");
 * const { model } = encodeOnnxModel(g);
 * console.log(model.length > 0); // true
 * ```
 */
export function encodeOnnxModel(graph: GraphBuilder, options: OnnxEncodeOptions = {}): EncodedOnnxModel {
  const initializers = options.initializers ?? new Map<string, ConstantData>();
  const threshold = options.externalThresholdBytes ?? 1024;
  const g = new ProtoWriter();
  const extraInitializers: ProtoWriter[] = [];
  const { renamed, elided } = outputRenames(graph);
  for (const node of graph.nodes) {
    if (!elided.has(node)) g.message(1, nodeProto(node, extraInitializers, renamed));
  }
  g.string(2, graph.name);

  const externalData: Uint8Array[] = [];
  let externalOffset = 0;
  let inlineBytes = 0;
  const initializer = (t: Tensor, data: ConstantData) => {
    if (data.length !== numel(t.shape) || dtypeOfArray(data) !== t.dtype) {
      throw new TypeError(
        `Value of "${t.name}" is ${dtypeOfArray(data)}[${data.length}] but the graph declares ${t.dtype} ${
          formatShape(t.shape)
        }`,
      );
    }
    if (options.externalDataLocation && data.byteLength >= threshold) {
      const padding = (64 - (externalOffset % 64)) % 64; // keep each tensor aligned for mmap
      if (padding) externalData.push(new Uint8Array(padding));
      externalOffset += padding;
      g.message(
        5,
        tensorProto(t.name, t.shape, t.dtype, data, {
          location: options.externalDataLocation,
          offset: externalOffset,
        }),
      );
      externalData.push(rawBytes(data));
      externalOffset += data.byteLength;
    } else {
      inlineBytes += data.byteLength;
      g.message(5, tensorProto(t.name, t.shape, t.dtype, data));
    }
  };
  for (const [t, data] of graph.constants) initializer(t, data);
  for (const p of graph.parameters) {
    const data = initializers.get(p.name);
    if (data) initializer(p, data);
  }
  for (const extra of extraInitializers) g.message(5, extra);
  for (const name of initializers.keys()) {
    if (!graph.parameters.some((p) => p.name === name)) {
      throw new TypeError(`Initializer "${name}" is not a parameter of graph "${graph.name}"`);
    }
  }

  for (const t of graph.inputs) g.message(11, valueInfo(t));
  for (const p of graph.parameters) if (!initializers.has(p.name)) g.message(11, valueInfo(p));
  for (const t of graph.outputs) g.message(12, valueInfo(t));

  if (inlineBytes + g.length > PROTOBUF_LIMIT_BYTES) {
    throw new RangeError(
      `Model "${graph.name}" has ${inlineBytes} bytes of inline initializers, over the 2 GB protobuf limit; ` +
        `pass externalDataLocation`,
    );
  }
  const model = new ProtoWriter()
    .int(1, ONNX_IR_VERSION)
    .string(2, "hyperinverter-deno")
    .message(7, g)
    .message(8, new ProtoWriter().string(1, "").int(2, ONNX_OPSET));
  return { model: model.finish(), externalData: options.externalDataLocation ? externalData : undefined };
}

/**
 * Writes a graph to `path` (and, for large baked weights, `path + ".data"`), atomically: each file is written
 * under a temporary name and renamed, so an existing model is never left half-written.
 *
 * @param path output `.onnx` path
 * @param graph the graph
 * @param options initializers to bake; `external` forces ("always") or forbids ("never") external data,
 *   the default ("auto") uses it when the initializers exceed the protobuf limit
 * @returns the written paths
 */
export async function writeOnnxModel(
  path: string,
  graph: GraphBuilder,
  options: { initializers?: ReadonlyMap<string, ConstantData>; external?: "auto" | "always" | "never" } = {},
): Promise<{ modelPath: string; dataPath?: string }> {
  const initializerBytes = [...(options.initializers?.values() ?? [])].reduce((s, d) => s + d.byteLength, 0) +
    [...graph.constants.values()].reduce((s, d) => s + d.byteLength, 0);
  const mode = options.external ?? "auto";
  const useExternal = mode === "always" ||
    (mode === "auto" && initializerBytes > PROTOBUF_LIMIT_BYTES - 2 ** 24);
  const location = `${path.split("/").pop()}.data`;
  const encoded = encodeOnnxModel(graph, {
    initializers: options.initializers,
    externalDataLocation: useExternal ? location : undefined,
  });
  const dataPath = useExternal ? `${path}.data` : undefined;
  if (dataPath) await writeChunksAtomic(dataPath, encoded.externalData ?? []);
  await writeChunksAtomic(path, [encoded.model]);
  return { modelPath: path, dataPath };
}

async function writeChunksAtomic(path: string, chunks: Uint8Array[]): Promise<void> {
  const temporary = `${path}.tmp-${Deno.pid}-${crypto.randomUUID().slice(0, 8)}`;
  try {
    const file = await Deno.open(temporary, { write: true, create: true, truncate: true });
    try {
      for (const chunk of chunks) {
        let written = 0;
        while (written < chunk.length) written += await file.write(chunk.subarray(written));
      }
      await file.sync();
    } finally {
      file.close();
    }
    await Deno.rename(temporary, path);
  } catch (error) {
    await Deno.remove(temporary).catch(() => {});
    throw new Error(`Could not write ONNX file "${path}": ${(error as Error).message}`, { cause: error });
  }
}
