/**
 * Reader of PyTorch files without PyTorch: the zip format of `torch.save` (torch >= 1.6), the legacy
 * (non-zip) `torch.save` stream, and plain pickles that hold tensors (the ADA / NVlabs network `.pkl`s, whose
 * storages are nested legacy blobs read through `torch.storage._load_from_bytes`). Pickles go through the
 * restricted unpickler of `./pickle.ts`: only the globals named by {@linkcode torchPickleGlobalNames} resolve.
 *
 * @module
 */

import { bfloat16ToFloat32, float16ToFloat32 } from "./float16.ts";
import {
  BASE_PICKLE_GLOBALS,
  type PickleGlobal,
  PickleGlobalRef,
  unpickle,
  unpickleAt,
  type UnpickleOptions,
} from "./pickle.ts";
import { isZip, readZip, type ZipArchive } from "./zip.ts";
import { readRegularFile } from "./regular_file.ts";

/** Element types of a {@linkcode TorchTensor}. */
export type TorchDtype =
  | "float32"
  | "float16"
  | "bfloat16"
  | "float64"
  | "int64"
  | "int32"
  | "int16"
  | "int8"
  | "uint8"
  | "bool";

/** The typed array that holds a storage: float16 and bfloat16 as raw Uint16Array, bool as Uint8Array. */
export type TorchStorageData =
  | Float32Array
  | Float64Array
  | Uint16Array
  | BigInt64Array
  | Int32Array
  | Int16Array
  | Int8Array
  | Uint8Array;

/** A flat block of elements that tensors view (shared between tensors that share it in the file). */
export interface TorchStorage {
  /** Element type. */
  dtype: TorchDtype;
  /** The elements (little-endian, as in the file). */
  data: TorchStorageData;
}

/** A tensor as PyTorch stores it: a strided view into a storage. */
export interface TorchTensor {
  /** Element type (that of the storage). */
  dtype: TorchDtype;
  /** Size of each dimension. */
  shape: number[];
  /** Step in storage elements of each dimension (not necessarily row-major: see `comp` of the GANSpace files). */
  stride: number[];
  /** Storage index of element [0, …, 0]. */
  storageOffset: number;
  /** The storage viewed. */
  storage: TorchStorage;
  /** Whether it was saved as a `torch.nn.Parameter` (through `_rebuild_parameter`). */
  isParameter?: boolean;
}

/** An object pickled by ADA's `torch_utils.persistence`, kept as data: its source is never run. */
export interface PersistentObject {
  /** The class name recorded in the pickle, for example "Generator" (the pickle holds no module name). */
  __class__: string;
  /** The `type` field ("class"). */
  type: string;
  /** The format version (6 in ADA). */
  version: number;
  /** The module source as an inert string. */
  moduleSrc: string;
  /** The object's state: for a torch module a `Map` with `_parameters`, `_buffers`, `_modules`, … */
  state: unknown;
}

/** Options of {@linkcode readTorchFile}. */
export interface ReadTorchFileOptions {
  /** Name of the file in error messages (default "torch file"). */
  source?: string;
  /** Deepest nesting accepted by the unpickler (default 1000). */
  maxDepth?: number;
}

/** Options of {@linkcode readTorchFileFromPath}. */
export interface ReadTorchFilePathOptions extends Omit<ReadTorchFileOptions, "source"> {
  /** Largest file accepted, in bytes (default 8 GiB); checked before reading. */
  maxFileBytes?: number;
}

/**
 * Most elements of one tensor (2^28: 1 GiB as float32). A tensor is a view, so a small file can declare a huge
 * one; this bounds what {@linkcode tensorToFloat32} may allocate.
 */
export const MAX_TENSOR_ELEMENTS = 2 ** 28;

/**
 * Most elements of a tensor whose strides overlap (more elements than its storage holds, as with stride 0):
 * 2^24 (64 MiB as float32). Without overlap a tensor is bounded by its storage, which is bounded by the file.
 */
export const MAX_OVERLAPPING_TENSOR_ELEMENTS = 2 ** 24;

/** Deepest nesting of `torch.save` blobs inside blobs (`_load_from_bytes`); ADA pickles nest one. */
export const MAX_BLOB_NESTING = 8;

const STORAGE_DTYPES: Record<string, TorchDtype> = {
  FloatStorage: "float32",
  HalfStorage: "float16",
  BFloat16Storage: "bfloat16",
  DoubleStorage: "float64",
  LongStorage: "int64",
  IntStorage: "int32",
  ShortStorage: "int16",
  CharStorage: "int8",
  ByteStorage: "uint8",
  BoolStorage: "bool",
};

/** Bytes of one element of each dtype. */
export const TORCH_DTYPE_BYTES: Readonly<Record<TorchDtype, number>> = {
  float32: 4,
  float16: 2,
  bfloat16: 2,
  float64: 8,
  int64: 8,
  int32: 4,
  int16: 2,
  int8: 1,
  uint8: 1,
  bool: 1,
};

const LEGACY_MAGIC = 0x1950a86a20f9469cfc6cn;
const LEGACY_PROTOCOL = 1001;

/**
 * Whether a value is a tensor as this module makes them (structurally: dtype, shape, stride, storage).
 *
 * @param value anything
 * @returns true for a {@linkcode TorchTensor}
 *
 * @example
 * ```ts
 * import { isTorchTensor } from "./torch_file.ts";
 * const storage = { dtype: "float32" as const, data: new Float32Array(2) };
 * console.log(isTorchTensor({ dtype: "float32", shape: [2], stride: [1], storageOffset: 0, storage })); // true
 * console.log(isTorchTensor(new Map())); // false
 * ```
 */
export function isTorchTensor(value: unknown): value is TorchTensor {
  if (typeof value !== "object" || value === null) return false;
  const t = value as Partial<TorchTensor>;
  return typeof t.dtype === "string" && Array.isArray(t.shape) && Array.isArray(t.stride) &&
    typeof t.storageOffset === "number" && typeof t.storage === "object" && t.storage !== null &&
    ArrayBuffer.isView(t.storage.data);
}

/** Whether a value is a {@linkcode PersistentObject}. */
export function isPersistentObject(value: unknown): value is PersistentObject {
  return typeof value === "object" && value !== null &&
    typeof (value as PersistentObject).__class__ === "string" &&
    typeof (value as PersistentObject).moduleSrc === "string" && "state" in value;
}

function typedView(dtype: TorchDtype, bytes: Uint8Array, count: number): TorchStorageData {
  const size = TORCH_DTYPE_BYTES[dtype];
  let source = bytes.subarray(0, count * size);
  // A typed array view needs an aligned offset; unaligned data (a blob inside a pickle) is copied.
  if (source.byteOffset % size !== 0) source = source.slice();
  const { buffer, byteOffset } = source;
  switch (dtype) {
    case "float32":
      return new Float32Array(buffer, byteOffset, count);
    case "float64":
      return new Float64Array(buffer, byteOffset, count);
    case "float16":
    case "bfloat16":
      return new Uint16Array(buffer, byteOffset, count);
    case "int64":
      return new BigInt64Array(buffer, byteOffset, count);
    case "int32":
      return new Int32Array(buffer, byteOffset, count);
    case "int16":
      return new Int16Array(buffer, byteOffset, count);
    case "int8":
      return new Int8Array(buffer, byteOffset, count);
    default:
      return new Uint8Array(buffer, byteOffset, count);
  }
}

function storageDtype(ref: unknown, source: string): TorchDtype {
  const dtype = ref instanceof PickleGlobalRef && ref.module === "torch"
    ? STORAGE_DTYPES[ref.qualname]
    : undefined;
  if (!dtype) {
    throw new TypeError(
      `${source}: storage type ${ref instanceof PickleGlobalRef ? ref.name : String(ref)} is not supported`,
    );
  }
  return dtype;
}

function nonNegativeInteger(value: unknown, what: string, source: string): number {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0) {
    throw new TypeError(`${source}: ${what} is ${String(value)}, not a non-negative integer`);
  }
  return value;
}

function integerList(value: unknown, what: string, source: string): number[] {
  if (!Array.isArray(value)) throw new TypeError(`${source}: tensor ${what} is not a tuple`);
  return value.map((v, i) => nonNegativeInteger(v, `tensor ${what}[${i}]`, source));
}

function rebuildTensor(args: unknown[], source: string): TorchTensor {
  const [storage, offset, size, stride] = args;
  if (
    typeof storage !== "object" || storage === null || !ArrayBuffer.isView((storage as TorchStorage).data)
  ) {
    throw new TypeError(`${source}: _rebuild_tensor_v2 needs a storage, got ${typeof storage}`);
  }
  const shape = integerList(size, "size", source);
  const strides = integerList(stride, "stride", source);
  if (shape.length !== strides.length) {
    throw new TypeError(`${source}: tensor size [${shape}] and stride [${strides}] differ in length`);
  }
  return {
    dtype: (storage as TorchStorage).dtype,
    shape,
    stride: strides,
    storageOffset: nonNegativeInteger(offset, "storage offset", source),
    storage: storage as TorchStorage,
  };
}

/** Where a legacy stream sits among nested `_load_from_bytes` blobs: the outer file's name and the depth. */
interface BlobNesting {
  root: string;
  depth: number;
}

/** The globals a torch / ADA pickle may use, beyond {@linkcode BASE_PICKLE_GLOBALS}. */
function torchGlobals(
  source: string,
  maxDepth: number | undefined,
  nesting: BlobNesting = { root: source, depth: 0 },
): Map<string, PickleGlobal> {
  const globals = new Map(BASE_PICKLE_GLOBALS);
  for (const name of Object.keys(STORAGE_DTYPES)) globals.set(`torch.${name}`, {});
  globals.set("torch._utils._rebuild_tensor_v2", { call: (args) => rebuildTensor(args, source) });
  const parameter: PickleGlobal = {
    call: (args) => {
      const data = args[0];
      if (!isTorchTensor(data)) throw new TypeError(`${source}: _rebuild_parameter needs a tensor`);
      return { ...data, isParameter: true };
    },
  };
  globals.set("torch._utils._rebuild_parameter", parameter);
  globals.set("torch._utils._rebuild_parameter_with_state", parameter);
  globals.set("torch.Size", {
    call: (args) => integerList(args[0] ?? [], "torch.Size", source),
  });
  globals.set("torch.storage._load_from_bytes", {
    call: (args) => {
      const blob = args[0];
      if (!(blob instanceof Uint8Array)) throw new TypeError(`${source}: _load_from_bytes needs bytes`);
      // Each level recurses through the unpickler: bound it before the JS stack overflows.
      const depth = nesting.depth + 1;
      if (depth > MAX_BLOB_NESTING) {
        throw new SyntaxError(
          `${nesting.root}: torch.save blobs (_load_from_bytes) nest deeper than ${MAX_BLOB_NESTING}`,
        );
      }
      const name = `${nesting.root} (${
        depth === 1 ? "nested torch.save blob" : `torch.save blob at depth ${depth}`
      })`;
      const storage = readLegacy(blob, name, maxDepth, { root: nesting.root, depth });
      if (
        typeof storage !== "object" || storage === null || !ArrayBuffer.isView((storage as TorchStorage).data)
      ) {
        throw new TypeError(`${source}: a nested torch.save blob holds no storage`);
      }
      return storage;
    },
  });
  globals.set("torch_utils.persistence._reconstruct_persistent_obj", {
    call: (args) => {
      const meta = args[0];
      if (!(meta instanceof Map)) throw new TypeError(`${source}: _reconstruct_persistent_obj needs a dict`);
      const className = meta.get("class_name"), moduleSrc = meta.get("module_src");
      if (typeof className !== "string" || typeof moduleSrc !== "string") {
        throw new TypeError(`${source}: persistent object without class_name / module_src`);
      }
      return {
        __class__: className,
        type: String(meta.get("type")),
        version: Number(meta.get("version")),
        moduleSrc,
        state: meta.get("state"),
      } satisfies PersistentObject;
    },
  });
  return globals;
}

/**
 * The names of the globals a torch file may use (everything else is refused).
 *
 * @returns sorted "module.qualname" strings
 *
 * @example
 * ```ts
 * import { torchPickleGlobalNames } from "./torch_file.ts";
 * console.log(torchPickleGlobalNames().includes("torch._utils._rebuild_tensor_v2")); // true
 * console.log(torchPickleGlobalNames().includes("os.system")); // false
 * ```
 */
export function torchPickleGlobalNames(): string[] {
  return [...torchGlobals("", undefined).keys()].sort();
}

/**
 * Checks that every element of a tensor lies inside its storage and that its element count is bounded: by
 * {@linkcode MAX_TENSOR_ELEMENTS}, and by {@linkcode MAX_OVERLAPPING_TENSOR_ELEMENTS} when it has more elements
 * than its storage (overlapping strides: stride 0 makes a [1, 1e9] tensor of a 100-element storage).
 */
function checkTensorBounds(tensor: TorchTensor, name: string): void {
  const { shape, stride, storageOffset, storage } = tensor;
  if (shape.length !== stride.length) {
    throw new TypeError(`Tensor ${name} has shape [${shape}] but stride [${stride}]`);
  }
  if (shape.some((d) => d === 0)) return;
  const numel = shape.reduce((a, b) => a * b, 1);
  const described = () => `Tensor ${name} (shape [${shape}], stride [${stride}], ${storage.dtype})`;
  if (Number.isSafeInteger(numel) && numel > storage.data.length && numel > MAX_OVERLAPPING_TENSOR_ELEMENTS) {
    throw new RangeError(
      `${described()} has ${numel} elements from a storage of ${storage.data.length}: overlapping strides ` +
        `over more than ${MAX_OVERLAPPING_TENSOR_ELEMENTS} elements are refused`,
    );
  }
  if (!Number.isSafeInteger(numel) || numel > MAX_TENSOR_ELEMENTS) {
    throw new RangeError(`${described()} has ${numel} elements, over the limit of ${MAX_TENSOR_ELEMENTS}`);
  }
  let last = storageOffset;
  for (let d = 0; d < shape.length; d++) last += (shape[d] - 1) * stride[d];
  if (storageOffset < 0 || last >= storage.data.length) {
    throw new RangeError(
      `Tensor ${name} (shape [${shape}], stride [${stride}], offset ${storageOffset}) reaches storage index ${last}, ` +
        `but its storage has ${storage.data.length} elements`,
    );
  }
}

/** Walks a loaded value (iteratively, depth-limited) and checks the bounds of every tensor, naming it by path. */
function checkAllTensors(root: unknown, source: string, maxDepth: number): void {
  const seen = new Set<object>();
  const work: Array<[unknown, string, number]> = [[root, "", 0]];
  while (work.length > 0) {
    const [value, path, depth] = work.pop()!;
    if (typeof value !== "object" || value === null || seen.has(value) || ArrayBuffer.isView(value)) continue;
    seen.add(value);
    if (depth > maxDepth) throw new RangeError(`${source}: value nests deeper than ${maxDepth} at ${path}`);
    const join = (key: unknown) => (path ? `${path}.${String(key)}` : String(key));
    if (isTorchTensor(value)) checkTensorBounds(value, `${path || "(root)"} in ${source}`);
    else if (value instanceof Map) { for (const [k, v] of value) work.push([v, join(k), depth + 1]); }
    else if (value instanceof Set) { for (const v of value) work.push([v, path, depth + 1]); }
    else if (Array.isArray(value)) value.forEach((v, i) => work.push([v, join(i), depth + 1]));
    else if (!(value instanceof PickleGlobalRef)) {
      for (const [k, v] of Object.entries(value)) work.push([v, k === "state" ? path : join(k), depth + 1]);
    }
  }
}

/** Reads a legacy (non-zip) `torch.save` stream; `nesting` says which `_load_from_bytes` blob it is, if any. */
function readLegacy(
  bytes: Uint8Array,
  source: string,
  maxDepth: number | undefined,
  nesting: BlobNesting = { root: source, depth: 0 },
): unknown {
  const base: UnpickleOptions = { source, maxDepth, globals: torchGlobals(source, maxDepth, nesting) };
  const magic = unpickleAt(bytes, 0, base);
  if (magic.value !== LEGACY_MAGIC) {
    throw new SyntaxError(`${source} does not start with the torch.save magic number`);
  }
  const protocol = unpickleAt(bytes, magic.end, base);
  if (protocol.value !== LEGACY_PROTOCOL) {
    throw new SyntaxError(
      `${source}: legacy torch.save protocol ${String(protocol.value)} is not supported (1001)`,
    );
  }
  const sysInfo = unpickleAt(bytes, protocol.end, base);
  if (sysInfo.value instanceof Map && sysInfo.value.get("little_endian") === false) {
    throw new SyntaxError(`${source} was saved on a big-endian machine`);
  }
  const roots = new Map<string, { storage: TorchStorage; numel: number }>();
  const views: Array<{ storage: TorchStorage; root: string; offset: number; numel: number }> = [];
  const object = unpickleAt(bytes, sysInfo.end, {
    ...base,
    persistentLoad: (pid) => {
      if (!Array.isArray(pid) || pid[0] !== "storage" || pid.length < 5) {
        throw new TypeError(
          `${source}: persistent id ${String(Array.isArray(pid) ? pid[0] : pid)} is not a storage`,
        );
      }
      const [, type, key, , size, viewMetadata] = pid;
      const dtype = storageDtype(type, source);
      const rootKey = String(key);
      let root = roots.get(rootKey);
      if (!root) {
        root = { storage: { dtype, data: typedView(dtype, new Uint8Array(0), 0) }, numel: -1 };
        root.numel = nonNegativeInteger(size, `storage ${rootKey} size`, source);
        roots.set(rootKey, root);
      }
      if (viewMetadata === null || viewMetadata === undefined) return root.storage;
      if (!Array.isArray(viewMetadata) || viewMetadata.length < 3) {
        throw new TypeError(`${source}: storage ${rootKey} has bad view metadata`);
      }
      const view = {
        storage: { dtype, data: typedView(dtype, new Uint8Array(0), 0) },
        root: rootKey,
        offset: nonNegativeInteger(viewMetadata[1], "storage view offset", source),
        numel: nonNegativeInteger(viewMetadata[2], "storage view size", source),
      };
      views.push(view);
      return view.storage;
    },
  });
  const keys = unpickleAt(bytes, object.end, base);
  if (!Array.isArray(keys.value)) throw new SyntaxError(`${source}: the storage key list is missing`);
  const data = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = keys.end;
  for (const key of keys.value) {
    const root = roots.get(String(key));
    if (!root) throw new SyntaxError(`${source}: storage key ${String(key)} is not used by the pickle`);
    if (at + 8 > bytes.length) throw new SyntaxError(`${source} is truncated before storage ${String(key)}`);
    const count = data.getBigInt64(at, true);
    at += 8;
    const size = TORCH_DTYPE_BYTES[root.storage.dtype];
    if (count < 0n || count * BigInt(size) > BigInt(bytes.length - at)) {
      throw new SyntaxError(
        `${source} is truncated: storage ${String(key)} declares ${count} elements but ${
          bytes.length - at
        } bytes remain`,
      );
    }
    const numel = Number(count);
    if (numel !== root.numel) {
      throw new SyntaxError(
        `${source}: storage ${String(key)} holds ${numel} elements, the pickle says ${root.numel}`,
      );
    }
    root.storage.data = typedView(root.storage.dtype, bytes.subarray(at, at + numel * size), numel);
    at += numel * size;
  }
  for (const [key, root] of roots) {
    if (root.storage.data.length !== root.numel) {
      throw new SyntaxError(`${source}: storage ${key} is used by the pickle but missing from the file`);
    }
  }
  for (const view of views) {
    const root = roots.get(view.root)!;
    if (view.offset + view.numel > root.numel) {
      throw new RangeError(
        `${source}: a view of storage ${view.root} reaches past its ${root.numel} elements`,
      );
    }
    view.storage.data = root.storage.data.subarray(view.offset, view.offset + view.numel);
  }
  return object.value;
}

/**
 * Reads the zip format: data.pkl, then only the `data/<key>` entries its persistent ids name, each inflated (when
 * deflated) only up to the bytes its storage needs; unreferenced entries are never touched.
 */
function readZipTorch(zip: ZipArchive, source: string, maxDepth?: number): unknown {
  const read = (name: string, maxBytes?: number) => zip.readSync(name, { maxBytes });
  const pickleName = [...zip.entries.keys()].find((name) => /^([^/]*\/)?data\.pkl$/.test(name));
  if (!pickleName) throw new SyntaxError(`${source}: zip archive without a data.pkl (not a torch.save file)`);
  const prefix = pickleName.slice(0, -"data.pkl".length);
  if (zip.entries.has(`${prefix}byteorder`)) {
    const order = new TextDecoder().decode(read(`${prefix}byteorder`, 64)).trim();
    if (order !== "little") throw new SyntaxError(`${source} was saved with byteorder "${order}"`);
  }
  const storages = new Map<string, TorchStorage>();
  return unpickle(read(pickleName), {
    source: `${source}: ${pickleName}`,
    maxDepth,
    globals: torchGlobals(source, maxDepth),
    persistentLoad: (pid) => {
      if (!Array.isArray(pid) || pid[0] !== "storage" || pid.length < 5) {
        throw new TypeError(
          `${source}: persistent id ${String(Array.isArray(pid) ? pid[0] : pid)} is not a storage`,
        );
      }
      const [, type, key, , size] = pid;
      const dtype = storageDtype(type, source);
      const name = `${prefix}data/${String(key)}`;
      const known = storages.get(name);
      if (known) return known;
      if (!zip.entries.has(name)) {
        throw new Error(
          `${source}: data.pkl uses storage "${String(key)}" but the archive has no entry "${name}"`,
        );
      }
      const numel = nonNegativeInteger(size, `storage ${String(key)} size`, source);
      const bytes = read(name, numel * TORCH_DTYPE_BYTES[dtype]);
      if (bytes.length < numel * TORCH_DTYPE_BYTES[dtype]) {
        throw new RangeError(
          `${source}: storage "${
            String(key)
          }" has ${bytes.length} bytes, less than ${numel} ${dtype} elements`,
        );
      }
      const storage = { dtype, data: typedView(dtype, bytes, numel) };
      storages.set(name, storage);
      return storage;
    },
  });
}

function detectFormat(bytes: Uint8Array): "zip" | "legacy" | "pickle" {
  if (isZip(bytes)) return "zip";
  // The legacy stream starts with pickle(magic, protocol 2): 80 02 8a 0a <10 bytes of the magic> 2e.
  const magic = [0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19];
  if (bytes.length >= magic.length && magic.every((b, i) => bytes[i] === b)) return "legacy";
  return "pickle";
}

/**
 * Reads a PyTorch file held in memory: the zip format of `torch.save`, the legacy `torch.save` stream, or a plain
 * pickle (an ADA network `.pkl`). Nothing in the file is executed; tensors come back as {@linkcode TorchTensor}s
 * (views of the file's bytes when aligned), dicts as `Map`s, ADA objects as {@linkcode PersistentObject}s.
 * Every tensor reachable from the result is checked to lie inside its storage and to have a bounded element
 * count ({@linkcode MAX_TENSOR_ELEMENTS}, {@linkcode MAX_OVERLAPPING_TENSOR_ELEMENTS}). In a zip file only the
 * storages that data.pkl names are read; a deflated one is inflated only up to the bytes it needs.
 *
 * @param bytes the file
 * @param options `source` (name in messages), `maxDepth`
 * @returns the unpickled object
 * @throws {SyntaxError} for a truncated or corrupt file
 * @throws {Error} for a global that is not allowed or a missing storage
 * @throws {RangeError} for a tensor that reaches past its storage or has too many elements, naming it
 *
 * @example
 * ```ts
 * import { readTorchFile, tensorToFloat32 } from "./torch_file.ts";
 * const bytes = await Deno.readFile(new URL("../../shared/fixtures/official-editings/interfacegan_directions/age.pt", import.meta.url));
 * const age = readTorchFile(bytes, { source: "age.pt" });
 * console.log((age as { shape: number[] }).shape); // [ 1, 512 ]
 * ```
 */
export function readTorchFile(bytes: Uint8Array, options: ReadTorchFileOptions = {}): unknown {
  const source = options.source ?? "torch file";
  let value: unknown;
  switch (detectFormat(bytes)) {
    case "zip": {
      value = readZipTorch(readZip(bytes, { source }), source, options.maxDepth);
      break;
    }
    case "legacy":
      value = readLegacy(bytes, source, options.maxDepth);
      break;
    default:
      value = unpickle(bytes, {
        source,
        maxDepth: options.maxDepth,
        globals: torchGlobals(source, options.maxDepth),
      });
  }
  checkAllTensors(value, source, options.maxDepth ?? 1000);
  return value;
}

/**
 * The same as {@linkcode readTorchFile} (which reads deflated zip entries too, lazily), kept for callers that
 * await it.
 *
 * @param bytes the file
 * @param options `source`, `maxDepth`
 * @returns the unpickled object
 *
 * @example
 * ```ts
 * import { readTorchFileAsync } from "./torch_file.ts";
 * // pickle.dumps({"step": 5}, protocol=2): a plain pickle without tensors.
 * const bytes = new Uint8Array([0x80, 2, 0x7d, 0x58, 4, 0, 0, 0, 0x73, 0x74, 0x65, 0x70, 0x4b, 5, 0x73, 0x2e]);
 * console.log(await readTorchFileAsync(bytes)); // Map(1) { "step" => 5 }
 * ```
 */
export function readTorchFileAsync(bytes: Uint8Array, options: ReadTorchFileOptions = {}): Promise<unknown> {
  try {
    return Promise.resolve(readTorchFile(bytes, options));
  } catch (error) {
    return Promise.reject(error);
  }
}

/**
 * Reads a PyTorch file from disk (see {@linkcode readTorchFile}); the path names it in errors. The path must be a
 * regular file of at most `maxFileBytes` (not a folder, FIFO or `/dev/zero`), checked before reading.
 *
 * @param path file path
 * @param options `maxDepth`, `maxFileBytes` (default 8 GiB)
 * @returns the unpickled object
 * @throws {TypeError} when the path is not a regular file
 * @throws {RangeError} when the file is over `maxFileBytes`
 *
 * @example
 * ```ts
 * import { flattenStateDict, readTorchFileFromPath } from "./torch_file.ts";
 * const path = new URL("../../shared/fixtures/lpips-linear/alex.pth", import.meta.url);
 * const weights = flattenStateDict(await readTorchFileFromPath(path));
 * console.log(weights.get("lin0.model.1.weight")!.shape); // [ 1, 64, 1, 1 ]
 * ```
 */
export async function readTorchFileFromPath(
  path: string | URL,
  options: ReadTorchFilePathOptions = {},
): Promise<unknown> {
  const source = typeof path === "string" ? path : decodeURIComponent(path.pathname);
  const bytes = await readRegularFile(path, { maxBytes: options.maxFileBytes, what: "Torch file" });
  return readTorchFile(bytes, { maxDepth: options.maxDepth, source });
}

/**
 * A contiguous row-major float32 copy of a tensor, honouring its shape, strides and storage offset
 * (`comp[i, 0, j] = storage[i + 80·j]` for the stride (1, 80, 80) GANSpace components).
 *
 * @param tensor any dtype; int64 is converted through Number, float16/bfloat16 exactly
 * @param name name in error messages (default "tensor")
 * @returns a new Float32Array of prod(shape) values
 * @throws {RangeError} when an element lies outside the storage
 *
 * @example
 * ```ts
 * import { tensorToFloat32 } from "./torch_file.ts";
 * const storage = { dtype: "float32" as const, data: new Float32Array([0, 1, 2, 3, 4, 5]) };
 * // The transpose of the row-major [2, 3] matrix: shape [3, 2], stride [1, 3].
 * const t = { dtype: "float32" as const, shape: [3, 2], stride: [1, 3], storageOffset: 0, storage };
 * console.log(tensorToFloat32(t)); // Float32Array(6) [ 0, 3, 1, 4, 2, 5 ]
 * ```
 */
export function tensorToFloat32(tensor: TorchTensor, name = "tensor"): Float32Array {
  checkTensorBounds(tensor, name);
  const { shape, stride, storageOffset, storage } = tensor;
  const numel = shape.reduce((a, b) => a * b, 1);
  const out = new Float32Array(numel);
  if (numel === 0) return out;
  let values: ArrayLike<number>;
  if (storage.dtype === "float16") values = float16ToFloat32(storage.data as Uint16Array);
  else if (storage.dtype === "bfloat16") values = bfloat16ToFloat32(storage.data as Uint16Array);
  else if (storage.dtype === "int64") values = Array.from(storage.data as BigInt64Array, Number);
  else values = storage.data as ArrayLike<number>;
  const rank = shape.length;
  if (rank === 0) {
    out[0] = values[storageOffset];
    return out;
  }
  const inner = shape[rank - 1], innerStride = stride[rank - 1];
  const index = new Array<number>(rank - 1).fill(0);
  let base = storageOffset;
  for (let o = 0; o < numel; o += inner) {
    for (let j = 0; j < inner; j++) out[o + j] = values[base + j * innerStride];
    // Odometer over the outer dimensions.
    for (let d = rank - 2; d >= 0; d--) {
      index[d]++;
      base += stride[d];
      if (index[d] < shape[d]) break;
      base -= stride[d] * shape[d];
      index[d] = 0;
    }
  }
  return out;
}

/**
 * Flattens a nested dict / OrderedDict tree of tensors (a state dict, or `{"g_ema": state_dict, …}`) into one map
 * with keys joined by "."; values that are not tensors or dicts are skipped.
 *
 * @param value a `Map` tree (or a plain object tree) holding tensors
 * @param prefix prepended to every key (default none)
 * @returns tensors by dotted name, in file order
 *
 * @example
 * ```ts
 * import { flattenStateDict } from "./torch_file.ts";
 * const storage = { dtype: "float32" as const, data: new Float32Array(1) };
 * const t = { dtype: "float32" as const, shape: [1], stride: [1], storageOffset: 0, storage };
 * const tree = new Map<string, unknown>([["g_ema", new Map([["style.1.bias", t]])], ["latent_avg", t]]);
 * console.log([...flattenStateDict(tree).keys()]); // [ "g_ema.style.1.bias", "latent_avg" ]
 * ```
 */
export function flattenStateDict(value: unknown, prefix = ""): Map<string, TorchTensor> {
  const out = new Map<string, TorchTensor>();
  const visit = (node: unknown, path: string, depth: number): void => {
    if (depth > 1000) throw new RangeError(`State dict nests deeper than 1000 at "${path}"`);
    if (isTorchTensor(node)) {
      out.set(path, node);
      return;
    }
    const join = (key: unknown) => (path ? `${path}.${String(key)}` : String(key));
    if (node instanceof Map) { for (const [k, v] of node) visit(v, join(k), depth + 1); }
    else if (typeof node === "object" && node !== null && !Array.isArray(node) && !ArrayBuffer.isView(node)) {
      for (const [k, v] of Object.entries(node)) visit(v, join(k), depth + 1);
    }
  };
  visit(value, prefix, 0);
  return out;
}
