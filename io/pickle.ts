/**
 * A restricted unpickler for Python pickles (protocols 0–5), enough for PyTorch checkpoints, NVlabs/ADA network
 * pickles and numpy scalars. **No code from the file is ever run**: `GLOBAL` / `STACK_GLOBAL` resolve only names in
 * an explicit allow-list to TypeScript stand-ins ({@linkcode PickleGlobal}); any other name is an `Error` naming it.
 *
 * Python values become: `None` → `null`, bool → boolean, int → number (bigint beyond ±2^53), float → number,
 * str → string, bytes / bytearray → Uint8Array, list and tuple → array, dict → `Map` (insertion order kept),
 * set / frozenset → `Set`. What an allowed global returns is up to its stand-in (an `OrderedDict` is a `Map`,
 * a numpy scalar is a number, an `argparse.Namespace` or `EasyDict` is a plain object).
 *
 * @module
 */

/** The TypeScript stand-in of one allowed Python global. */
export interface PickleGlobal {
  /**
   * What `REDUCE` / `NEWOBJ` / `NEWOBJ_EX` / `OBJ` / `INST` with this global as the callable produce.
   * Absent: the global may only appear as a value (for example a storage type inside a persistent id).
   */
  call?: (args: unknown[], kwargs: Map<unknown, unknown> | undefined) => unknown;
  /** `BUILD` on a value that `call` returned (Python's `__setstate__`); returns the value to keep. */
  setState?: (target: unknown, state: unknown) => unknown;
}

/** A reference to an allowed global, as pushed by `GLOBAL` / `STACK_GLOBAL` (for example `torch.FloatStorage`). */
export class PickleGlobalRef {
  /**
   * @param module Python module, for example "torch"
   * @param qualname name inside the module, for example "FloatStorage"
   * @param handler its stand-in
   */
  /** Registers `handler` for the global `module.qualname`. */
  constructor(readonly module: string, readonly qualname: string, readonly handler: PickleGlobal) {}
  /** "module.qualname". */
  get name(): string {
    return `${this.module}.${this.qualname}`;
  }
}

/** Options of {@linkcode unpickle} and {@linkcode unpickleAt}. */
export interface UnpickleOptions {
  /** Allowed globals by "module.qualname" (default {@linkcode BASE_PICKLE_GLOBALS}); nothing else resolves. */
  globals?: ReadonlyMap<string, PickleGlobal>;
  /** Resolves a persistent id (`PERSID` / `BINPERSID`); without it a persistent id is an error. */
  persistentLoad?: (pid: unknown) => unknown;
  /** Deepest allowed nesting of MARKs and of containers (default 1000; real checkpoints nest < 50). */
  maxDepth?: number;
  /** Most items allowed on the stack at once (default 10,000,000). */
  maxStack?: number;
  /**
   * Most bytes an integer may take in the pickle (LONG4, text INT / LONG); default {@linkcode MAX_INT_BYTES}.
   * Python itself refuses text integers above 4300 digits; PyTorch files need at most 10 bytes (the magic number).
   */
  maxIntBytes?: number;
  /**
   * Budget, in bytes, of what allowed globals and BUILD may copy out of values already built (a memoized
   * string encoded or a memoized dict copied again and again), default 64 MiB + 4 × the pickle's bytes. Values
   * read from the data itself are bounded by its size and are not counted.
   */
  maxBuildBytes?: number;
  /** Name of the data in error messages (default "pickle"). */
  source?: string;
}

/** Where {@linkcode unpickleAt} stopped. */
export interface UnpickleResult {
  /** The unpickled value. */
  value: unknown;
  /** Offset just past the STOP opcode. */
  end: number;
}

const textDecoder = new TextDecoder();
const latin1Decoder = new TextDecoder("latin1");

function defineKey(target: Record<string, unknown>, key: string, value: unknown): void {
  // defineProperty, not assignment: a key "__proto__" must stay an own property.
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** Copies a dict state (or a `(dict, slots)` pair) into a plain object, as Python's default `__setstate__`. */
function assignState(target: Record<string, unknown>, state: unknown, what: string): void {
  if (state === null || state === undefined) return;
  // (dict_state, slots_state), as written for classes with __slots__.
  if (Array.isArray(state) && state.length === 2) {
    assignState(target, state[0], what);
    assignState(target, state[1], what);
    return;
  }
  if (!(state instanceof Map)) {
    throw new TypeError(`BUILD of ${what} needs a dict state, got ${describe(state)}`);
  }
  for (const [key, value] of state) defineKey(target, String(key), value);
}

function describe(value: unknown): string {
  if (value === null) return "None";
  if (Array.isArray(value)) return `tuple/list of ${value.length}`;
  if (value instanceof Map) return "dict";
  if (value instanceof PickleGlobalRef) return `global ${value.name}`;
  if (value instanceof Uint8Array) return `bytes of ${value.length}`;
  return typeof value;
}

/** numpy dtype stand-in: the type string ("f8", "<f4", …) and the byte order set by BUILD. */
export interface NumpyDtype {
  /** Always "numpy.dtype". */
  __class__: "numpy.dtype";
  /** Type string without byte order, for example "f8". */
  kind: string;
  /** "<", ">", "|" or "=". */
  byteorder: string;
}

function numpyScalar(args: unknown[]): number | bigint | boolean {
  const [dtype, raw] = args;
  if (typeof dtype !== "object" || dtype === null || (dtype as NumpyDtype).__class__ !== "numpy.dtype") {
    throw new TypeError(`numpy scalar needs a numpy.dtype, got ${describe(dtype)}`);
  }
  const bytes = typeof raw === "string" ? Uint8Array.from(raw, (c) => c.charCodeAt(0) & 0xff) : raw;
  if (!(bytes instanceof Uint8Array)) throw new TypeError(`numpy scalar needs bytes, got ${describe(raw)}`);
  const { kind, byteorder } = dtype as NumpyDtype;
  const little = byteorder !== ">";
  const sizes: Record<string, number> = {
    f8: 8,
    f4: 4,
    f2: 2,
    i8: 8,
    i4: 4,
    i2: 2,
    i1: 1,
    u8: 8,
    u4: 4,
    u2: 2,
    u1: 1,
    b1: 1,
  };
  const size = sizes[kind];
  if (size === undefined) throw new TypeError(`numpy scalar of dtype "${kind}" is not supported`);
  if (bytes.length !== size) {
    throw new SyntaxError(`numpy scalar of dtype "${kind}" has ${bytes.length} bytes`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  switch (kind) {
    case "f8":
      return view.getFloat64(0, little);
    case "f4":
      return view.getFloat32(0, little);
    case "f2": {
      const h = view.getUint16(0, little);
      const exponent = (h >> 10) & 0x1f, mantissa = h & 0x3ff, sign = h & 0x8000 ? -1 : 1;
      if (exponent === 0) return sign * mantissa * 2 ** -24;
      if (exponent === 31) return mantissa ? NaN : sign * Infinity;
      return sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
    }
    case "i8":
    case "u8": {
      const value = kind === "i8" ? view.getBigInt64(0, little) : view.getBigUint64(0, little);
      return value >= -(2n ** 53n) && value <= 2n ** 53n ? Number(value) : value;
    }
    case "i4":
      return view.getInt32(0, little);
    case "u4":
      return view.getUint32(0, little);
    case "i2":
      return view.getInt16(0, little);
    case "u2":
      return view.getUint16(0, little);
    case "i1":
      return view.getInt8(0);
    case "u1":
      return view.getUint8(0);
    default:
      return view.getUint8(0) !== 0; // b1
  }
}

const numpyDtypeGlobal: PickleGlobal = {
  call: (args) => {
    const spec = args[0];
    if (typeof spec !== "string") {
      throw new TypeError(`numpy.dtype needs a type string, got ${describe(spec)}`);
    }
    const order = /^[<>|=]/.test(spec) ? spec[0] : "=";
    return {
      __class__: "numpy.dtype",
      kind: spec.replace(/^[<>|=]/, ""),
      byteorder: order,
    } satisfies NumpyDtype;
  },
  // numpy's __setstate__: (version, byteorder, subarray, names, fields, elsize, alignment, flags[, metadata]).
  setState: (target, state) => {
    const dtype = target as NumpyDtype;
    if (Array.isArray(state) && typeof state[1] === "string") dtype.byteorder = state[1];
    return dtype;
  },
};

const orderedDictGlobal: PickleGlobal = {
  call: (args) => {
    const out = new Map<unknown, unknown>();
    const items = args[0];
    if (items instanceof Map) { for (const [k, v] of items) out.set(k, v); }
    else if (Array.isArray(items)) {
      for (const pair of items) {
        if (!Array.isArray(pair) || pair.length !== 2) {
          throw new TypeError("OrderedDict needs (key, value) pairs");
        }
        out.set(pair[0], pair[1]);
      }
    } else if (items !== undefined && items !== null) {
      throw new TypeError(`OrderedDict cannot be built from ${describe(items)}`);
    }
    return out;
  },
  // torch attaches `_metadata` (version numbers of each module) to a state dict; it carries no weights.
  setState: (target) => target,
};

const plainObjectGlobal = (className: string): PickleGlobal => ({
  call: (args) => {
    const out: Record<string, unknown> = {};
    if (args[0] instanceof Map) assignState(out, args[0], className);
    return out;
  },
  setState: (target, state) => {
    assignState(target as Record<string, unknown>, state, className);
    return target;
  },
});

const setGlobal: PickleGlobal = {
  call: (args) => {
    const items = args[0];
    if (items === undefined) return new Set();
    if (Array.isArray(items) || items instanceof Set) return new Set(items);
    throw new TypeError(`set cannot be built from ${describe(items)}`);
  },
};

/**
 * The allowed globals that hold no tensors: `collections.OrderedDict`, `builtins.set` / `frozenset`,
 * `_codecs.encode` (Latin-1 only), `numpy.core.multiarray.scalar` + `numpy.dtype` (also under `numpy._core`),
 * `argparse.Namespace` and `dnnlib.util.EasyDict` (as plain objects). `io/torch_file.ts` adds the torch ones.
 */
export const BASE_PICKLE_GLOBALS: ReadonlyMap<string, PickleGlobal> = new Map<string, PickleGlobal>([
  ["collections.OrderedDict", orderedDictGlobal],
  ["builtins.set", setGlobal],
  ["builtins.frozenset", setGlobal],
  ["__builtin__.set", setGlobal],
  ["_codecs.encode", {
    call: (args) => {
      const [text, encoding] = args;
      if (typeof text !== "string" || (encoding !== "latin1" && encoding !== "latin-1")) {
        throw new TypeError(
          `_codecs.encode is allowed only as encode(str, "latin1"), got ${describe(encoding)}`,
        );
      }
      const out = new Uint8Array(text.length);
      for (let i = 0; i < text.length; i++) {
        const code = text.charCodeAt(i);
        if (code > 0xff) throw new RangeError(`_codecs.encode: character ${code} is not Latin-1`);
        out[i] = code;
      }
      return out;
    },
  }],
  ["numpy.core.multiarray.scalar", { call: numpyScalar }],
  ["numpy._core.multiarray.scalar", { call: numpyScalar }],
  ["numpy.dtype", numpyDtypeGlobal],
  ["argparse.Namespace", plainObjectGlobal("argparse.Namespace")],
  ["dnnlib.util.EasyDict", plainObjectGlobal("dnnlib.util.EasyDict")],
]);

const OPCODE_NAMES: Record<number, string> = {
  0x28: "MARK",
  0x2e: "STOP",
  0x30: "POP",
  0x31: "POP_MARK",
  0x32: "DUP",
  0x46: "FLOAT",
  0x49: "INT",
  0x4a: "BININT",
  0x4b: "BININT1",
  0x4c: "LONG",
  0x4d: "BININT2",
  0x4e: "NONE",
  0x50: "PERSID",
  0x51: "BINPERSID",
  0x52: "REDUCE",
  0x53: "STRING",
  0x54: "BINSTRING",
  0x55: "SHORT_BINSTRING",
  0x56: "UNICODE",
  0x58: "BINUNICODE",
  0x61: "APPEND",
  0x62: "BUILD",
  0x63: "GLOBAL",
  0x64: "DICT",
  0x7d: "EMPTY_DICT",
  0x65: "APPENDS",
  0x67: "GET",
  0x68: "BINGET",
  0x69: "INST",
  0x6a: "LONG_BINGET",
  0x6c: "LIST",
  0x5d: "EMPTY_LIST",
  0x6f: "OBJ",
  0x70: "PUT",
  0x71: "BINPUT",
  0x72: "LONG_BINPUT",
  0x73: "SETITEM",
  0x74: "TUPLE",
  0x29: "EMPTY_TUPLE",
  0x75: "SETITEMS",
  0x47: "BINFLOAT",
  0x80: "PROTO",
  0x81: "NEWOBJ",
  0x85: "TUPLE1",
  0x86: "TUPLE2",
  0x87: "TUPLE3",
  0x88: "NEWTRUE",
  0x89: "NEWFALSE",
  0x8a: "LONG1",
  0x8b: "LONG4",
  0x42: "BINBYTES",
  0x43: "SHORT_BINBYTES",
  0x8c: "SHORT_BINUNICODE",
  0x8d: "BINUNICODE8",
  0x8e: "BINBYTES8",
  0x8f: "EMPTY_SET",
  0x90: "ADDITEMS",
  0x91: "FROZENSET",
  0x92: "NEWOBJ_EX",
  0x93: "STACK_GLOBAL",
  0x94: "MEMOIZE",
  0x95: "FRAME",
  0x96: "BYTEARRAY8",
};

/**
 * Default {@linkcode UnpickleOptions.maxIntBytes}: 1024 bytes of LONG4, or 4300 digits of text INT / LONG
 * (Python's own limit on int from str).
 */
export const MAX_INT_BYTES = 1024;
const MAX_INT_DIGITS = 4300;

/** Decodes a little-endian two's-complement integer (LONG1 / LONG4), in time linear in its length. */
function decodeLong(bytes: Uint8Array): number | bigint {
  if (bytes.length === 0) return 0;
  let hex = "";
  for (let i = bytes.length - 1; i >= 0; i--) hex += bytes[i].toString(16).padStart(2, "0");
  let value = BigInt(`0x${hex}`);
  if (bytes[bytes.length - 1] & 0x80) value -= 1n << BigInt(8 * bytes.length);
  return toIntValue(value);
}

/** Bytes a value takes at its top level (a string or bytes its length, a container 8 per item). */
function shallowBytes(value: unknown): number {
  if (typeof value === "string") return value.length;
  if (value instanceof Uint8Array) return value.length;
  if (Array.isArray(value)) return 8 * value.length;
  if (value instanceof Map) return 16 * value.size;
  if (value instanceof Set) return 8 * value.size;
  return 8;
}

function toIntValue(value: bigint): number | bigint {
  return value >= -(2n ** 53n) && value <= 2n ** 53n ? Number(value) : value;
}

/** Python 2 `repr`-style string body (STRING opcode) to bytes, then to a string. */
function decodeEscapedString(text: string, what: string): string {
  const quote = text[0];
  if ((quote !== "'" && quote !== '"') || text[text.length - 1] !== quote || text.length < 2) {
    throw new SyntaxError(`${what}: STRING argument ${JSON.stringify(text)} is not quoted`);
  }
  const body = text.slice(1, -1);
  const simple: Record<string, string> = {
    n: "\n",
    r: "\r",
    t: "\t",
    "\\": "\\",
    "'": "'",
    '"': '"',
    "0": "\0",
  };
  return body.replace(/\\(x[0-9a-fA-F]{2}|.)/g, (_, escape: string) => {
    if (escape[0] === "x" && escape.length === 3) return String.fromCharCode(parseInt(escape.slice(1), 16));
    return simple[escape] ?? `\\${escape}`;
  });
}

/** raw-unicode-escape (UNICODE opcode): only \uXXXX and \UXXXXXXXX are escapes. */
function decodeRawUnicodeEscape(bytes: Uint8Array): string {
  return latin1Decoder.decode(bytes).replace(
    /\\u([0-9a-fA-F]{4})|\\U([0-9a-fA-F]{8})/g,
    (_, four?: string, eight?: string) => String.fromCodePoint(parseInt(four ?? eight!, 16)),
  );
}

/** Decodes Python 2 `str` bytes: UTF-8 when valid (as torch.load does), else Latin-1. */
function decodeBinString(bytes: Uint8Array): string {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return latin1Decoder.decode(bytes);
  }
}

/**
 * Unpickles the pickle that starts at `offset` and says where it stopped; use it to read a stream of several
 * pickles (the legacy `torch.save` format).
 *
 * @param bytes the data
 * @param offset where the pickle starts
 * @param options allowed globals, persistent loader, limits, source name
 * @returns the value and the offset just past its STOP
 * @throws {SyntaxError} for a truncated or malformed pickle, an unknown opcode or a missing memo key
 * @throws {Error} for a global that is not allowed, or a persistent id without a loader
 * @throws {RangeError} when the nesting or stack limit is passed
 *
 * @example
 * ```ts
 * import { unpickleAt } from "./pickle.ts";
 * // pickle.dumps(7, protocol=2) + pickle.dumps("a", protocol=2)
 * const bytes = new Uint8Array([0x80, 2, 0x4b, 7, 0x2e, 0x80, 2, 0x58, 1, 0, 0, 0, 0x61, 0x71, 0, 0x2e]);
 * const first = unpickleAt(bytes, 0);
 * console.log(first.value, first.end, unpickleAt(bytes, first.end).value); // 7 5 a
 * ```
 */
export function unpickleAt(bytes: Uint8Array, offset: number, options: UnpickleOptions = {}): UnpickleResult {
  const globals = options.globals ?? BASE_PICKLE_GLOBALS;
  const maxDepth = options.maxDepth ?? 1000;
  const maxStack = options.maxStack ?? 10_000_000;
  const maxIntBytes = options.maxIntBytes ?? MAX_INT_BYTES;
  const maxIntDigits = options.maxIntBytes === undefined ? MAX_INT_DIGITS : Math.ceil(maxIntBytes * 2.41);
  const maxBuildBytes = options.maxBuildBytes ?? 2 ** 26 + 4 * (bytes.length - offset);
  let buildBytes = 0;
  const source = options.source ?? "pickle";
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const memo = new Map<number, unknown>();
  // Nesting depth of each container built here (1 + deepest item); primitives count 0.
  const depths = new WeakMap<object, number>();
  const built = new WeakMap<object, PickleGlobal>();
  let stack: unknown[] = [];
  const metastack: unknown[][] = [];
  let pos = offset;
  let opcodeAt = offset;
  let opcode = 0;

  const opName = () => OPCODE_NAMES[opcode] ?? `0x${opcode.toString(16)}`;
  const need = (n: number): number => {
    if (n < 0 || pos + n > bytes.length) {
      throw new SyntaxError(
        `${source} is truncated: ${opName()} at offset ${opcodeAt} needs ${n} bytes at offset ${pos}, but the data ends at ${bytes.length}`,
      );
    }
    const at = pos;
    pos += n;
    return at;
  };
  const take = (n: number): Uint8Array => {
    const at = need(n);
    return bytes.subarray(at, at + n);
  };
  const readLine = (): string => {
    const end = bytes.indexOf(0x0a, pos);
    if (end < 0) {
      throw new SyntaxError(`${source} is truncated: ${opName()} at offset ${opcodeAt} has no newline`);
    }
    const line = latin1Decoder.decode(bytes.subarray(pos, end));
    pos = end + 1;
    return line;
  };
  const readU32 = () => view.getUint32(need(4), true);
  const readU64 = (): number => {
    const value = view.getBigUint64(need(8), true);
    if (value > BigInt(bytes.length)) {
      throw new SyntaxError(
        `${source} is truncated: ${opName()} at offset ${opcodeAt} declares ${value} bytes, more than the data`,
      );
    }
    return Number(value);
  };

  const depthOf = (value: unknown): number =>
    typeof value === "object" && value !== null ? (depths.get(value) ?? 1) : 0;
  /** Records that `container` holds `items`; refuses nesting deeper than maxDepth. */
  const nest = (container: object, items: Iterable<unknown>): void => {
    let depth = depths.get(container) ?? 1;
    for (const item of items) depth = Math.max(depth, depthOf(item) + 1);
    if (depth > maxDepth) {
      throw new RangeError(`${source}: nesting deeper than ${maxDepth} at offset ${opcodeAt} (${opName()})`);
    }
    depths.set(container, depth);
  };
  /** Counts bytes copied out of values already built; refuses to pass maxBuildBytes. */
  const charge = (...values: unknown[]): void => {
    for (const value of values) {
      buildBytes += Array.isArray(value)
        ? value.reduce((n: number, v) => n + shallowBytes(v), 0)
        : shallowBytes(value);
    }
    if (buildBytes > maxBuildBytes) {
      throw new RangeError(
        `${source}: ${opName()} at offset ${opcodeAt} builds more than ${maxBuildBytes} bytes from values already built`,
      );
    }
  };
  /** Text INT / LONG digits, refused past maxIntDigits before BigInt parses them. */
  const textInteger = (line: string): bigint => {
    if (line.length > maxIntDigits + 1) {
      throw new RangeError(
        `${source}: ${opName()} at offset ${opcodeAt} has ${line.length} digits, over the limit of ${maxIntDigits}`,
      );
    }
    return BigInt(line);
  };
  const push = (value: unknown): void => {
    if (stack.length >= maxStack) throw new RangeError(`${source}: more than ${maxStack} items on the stack`);
    stack.push(value);
  };
  const pop = (): unknown => {
    if (stack.length === 0) {
      throw new SyntaxError(`${source}: ${opName()} at offset ${opcodeAt} on an empty stack`);
    }
    return stack.pop();
  };
  const top = (): unknown => {
    if (stack.length === 0) {
      throw new SyntaxError(`${source}: ${opName()} at offset ${opcodeAt} on an empty stack`);
    }
    return stack[stack.length - 1];
  };
  const popMark = (): unknown[] => {
    const items = stack;
    const previous = metastack.pop();
    if (!previous) throw new SyntaxError(`${source}: ${opName()} at offset ${opcodeAt} without a MARK`);
    stack = previous;
    return items;
  };
  const resolveGlobal = (module: string, qualname: string): PickleGlobalRef => {
    const name = `${module}.${qualname}`;
    const handler = globals.get(name);
    if (!handler) {
      throw new Error(
        `Pickle global "${name}" is not allowed (allowed: ${
          [...globals.keys()].sort().join(", ")
        }) in ${source}`,
      );
    }
    return new PickleGlobalRef(module, qualname, handler);
  };
  const callGlobal = (callable: unknown, args: unknown, kwargs?: Map<unknown, unknown>): unknown => {
    if (!(callable instanceof PickleGlobalRef)) {
      throw new SyntaxError(
        `${source}: ${opName()} at offset ${opcodeAt} calls ${describe(callable)}, not a global`,
      );
    }
    if (!Array.isArray(args)) {
      throw new SyntaxError(`${source}: ${opName()} at offset ${opcodeAt} needs an args tuple`);
    }
    if (!callable.handler.call) {
      throw new Error(`Pickle global "${callable.name}" cannot be called (${source})`);
    }
    charge(args, kwargs);
    const result = callable.handler.call(args, kwargs);
    if (typeof result === "object" && result !== null) {
      built.set(result, callable.handler);
      nest(result, [args, kwargs]);
    }
    return result;
  };
  const setItems = (target: unknown, items: unknown[]): void => {
    if (items.length % 2 !== 0) {
      throw new SyntaxError(`${source}: SETITEMS at offset ${opcodeAt} has an odd count`);
    }
    if (target instanceof Map) {
      for (let i = 0; i < items.length; i += 2) target.set(items[i], items[i + 1]);
    } else if (typeof target === "object" && target !== null && !Array.isArray(target) && built.has(target)) {
      for (let i = 0; i < items.length; i += 2) {
        defineKey(target as Record<string, unknown>, String(items[i]), items[i + 1]);
      }
    } else {throw new SyntaxError(
        `${source}: SETITEM(S) at offset ${opcodeAt} on ${describe(target)}, not a dict`,
      );}
    nest(target, items);
  };
  const appendItems = (target: unknown, items: unknown[]): void => {
    if (Array.isArray(target)) { for (const item of items) target.push(item); }
    else if (target instanceof Set) { for (const item of items) target.add(item); }
    else throw new SyntaxError(`${source}: APPEND(S)/ADDITEMS at offset ${opcodeAt} on ${describe(target)}`);
    nest(target, items);
  };
  const tuple = (items: unknown[]): unknown[] => {
    nest(items, items);
    return items;
  };

  for (;;) {
    opcodeAt = pos;
    if (pos >= bytes.length) {
      throw new SyntaxError(`${source} is truncated: no STOP opcode before the end (offset ${pos})`);
    }
    opcode = bytes[pos++];
    switch (opcode) {
      case 0x80: // PROTO
        if (bytes[need(1)] > 5) {
          throw new SyntaxError(`${source}: unsupported pickle protocol ${bytes[pos - 1]}`);
        }
        break;
      case 0x95: // FRAME: a length hint only
        readU64();
        break;
      case 0x2e: // STOP
        if (metastack.length !== 0) {
          throw new SyntaxError(`${source}: STOP at offset ${opcodeAt} inside a MARK`);
        }
        return { value: pop(), end: pos };
      case 0x28: // MARK
        if (metastack.length >= maxDepth) {
          throw new RangeError(`${source}: more than ${maxDepth} nested MARKs at offset ${opcodeAt}`);
        }
        metastack.push(stack);
        stack = [];
        break;
      case 0x30: // POP
        if (stack.length === 0) popMark();
        else stack.pop();
        break;
      case 0x31: // POP_MARK
        popMark();
        break;
      case 0x32: // DUP
        push(top());
        break;
      case 0x4e: // NONE
        push(null);
        break;
      case 0x88: // NEWTRUE
        push(true);
        break;
      case 0x89: // NEWFALSE
        push(false);
        break;
      case 0x4a: // BININT
        push(view.getInt32(need(4), true));
        break;
      case 0x4b: // BININT1
        push(bytes[need(1)]);
        break;
      case 0x4d: // BININT2
        push(view.getUint16(need(2), true));
        break;
      case 0x8a: // LONG1
        push(decodeLong(take(bytes[need(1)])));
        break;
      case 0x8b: { // LONG4
        const n = view.getInt32(need(4), true);
        if (n < 0) throw new SyntaxError(`${source}: LONG4 at offset ${opcodeAt} has a negative length`);
        if (n > maxIntBytes) {
          throw new RangeError(
            `${source}: LONG4 at offset ${opcodeAt} is an integer of ${n} bytes, over the limit of ${maxIntBytes}`,
          );
        }
        push(decodeLong(take(n)));
        break;
      }
      case 0x49: { // INT (text): "01"/"00" are True/False
        const line = readLine().trim();
        if (line === "01") push(true);
        else if (line === "00") push(false);
        else if (/^[-+]?\d+$/.test(line)) push(toIntValue(textInteger(line)));
        else throw new SyntaxError(`${source}: INT at offset ${opcodeAt} has a bad argument "${line}"`);
        break;
      }
      case 0x4c: { // LONG (text)
        const line = readLine().trim().replace(/L$/, "");
        if (!/^[-+]?\d+$/.test(line)) {
          throw new SyntaxError(`${source}: LONG at offset ${opcodeAt} is "${line}"`);
        }
        push(toIntValue(textInteger(line)));
        break;
      }
      case 0x46: { // FLOAT (text)
        const line = readLine().trim();
        const value = Number(line);
        if (Number.isNaN(value) && !/^[-+]?nan$/i.test(line)) {
          throw new SyntaxError(`${source}: FLOAT at offset ${opcodeAt} is "${line}"`);
        }
        push(value);
        break;
      }
      case 0x47: // BINFLOAT (big-endian)
        push(view.getFloat64(need(8), false));
        break;
      case 0x58: // BINUNICODE
        push(textDecoder.decode(take(readU32())));
        break;
      case 0x8c: // SHORT_BINUNICODE
        push(textDecoder.decode(take(bytes[need(1)])));
        break;
      case 0x8d: // BINUNICODE8
        push(textDecoder.decode(take(readU64())));
        break;
      case 0x56: { // UNICODE (text, raw-unicode-escape)
        const end = bytes.indexOf(0x0a, pos);
        if (end < 0) {
          throw new SyntaxError(`${source} is truncated: UNICODE at offset ${opcodeAt} has no newline`);
        }
        push(decodeRawUnicodeEscape(bytes.subarray(pos, end)));
        pos = end + 1;
        break;
      }
      case 0x53: // STRING (text)
        push(decodeEscapedString(readLine().trim(), source));
        break;
      case 0x54: { // BINSTRING
        const n = view.getInt32(need(4), true);
        if (n < 0) throw new SyntaxError(`${source}: BINSTRING at offset ${opcodeAt} has a negative length`);
        push(decodeBinString(take(n)));
        break;
      }
      case 0x55: // SHORT_BINSTRING
        push(decodeBinString(take(bytes[need(1)])));
        break;
      case 0x42: // BINBYTES
        push(take(readU32()));
        break;
      case 0x43: // SHORT_BINBYTES
        push(take(bytes[need(1)]));
        break;
      case 0x8e: // BINBYTES8
      case 0x96: // BYTEARRAY8
        push(take(readU64()));
        break;
      case 0x29: // EMPTY_TUPLE
        push([]);
        break;
      case 0x85: // TUPLE1
        push(tuple([pop()]));
        break;
      case 0x86: { // TUPLE2
        const b = pop(), a = pop();
        push(tuple([a, b]));
        break;
      }
      case 0x87: { // TUPLE3
        const c = pop(), b = pop(), a = pop();
        push(tuple([a, b, c]));
        break;
      }
      case 0x74: // TUPLE
      case 0x6c: // LIST
        push(tuple(popMark()));
        break;
      case 0x5d: // EMPTY_LIST
        push([]);
        break;
      case 0x7d: // EMPTY_DICT
        push(new Map());
        break;
      case 0x64: { // DICT
        const items = popMark();
        const dict = new Map();
        setItems(dict, items);
        push(dict);
        break;
      }
      case 0x8f: // EMPTY_SET
        push(new Set());
        break;
      case 0x91: { // FROZENSET
        const set = new Set(popMark());
        nest(set, set);
        push(set);
        break;
      }
      case 0x90: { // ADDITEMS
        const items = popMark();
        appendItems(top(), items);
        break;
      }
      case 0x61: { // APPEND
        const item = pop();
        appendItems(top(), [item]);
        break;
      }
      case 0x65: { // APPENDS
        const items = popMark();
        appendItems(top(), items);
        break;
      }
      case 0x73: { // SETITEM
        const value = pop(), key = pop();
        setItems(top(), [key, value]);
        break;
      }
      case 0x75: { // SETITEMS
        const items = popMark();
        setItems(top(), items);
        break;
      }
      case 0x63: { // GLOBAL
        const module = readLine(), qualname = readLine();
        push(resolveGlobal(module, qualname));
        break;
      }
      case 0x93: { // STACK_GLOBAL
        const qualname = pop(), module = pop();
        if (typeof module !== "string" || typeof qualname !== "string") {
          throw new SyntaxError(`${source}: STACK_GLOBAL at offset ${opcodeAt} needs two strings`);
        }
        push(resolveGlobal(module, qualname));
        break;
      }
      case 0x52: { // REDUCE
        const args = pop();
        const callable = pop();
        push(callGlobal(callable, args));
        break;
      }
      case 0x81: { // NEWOBJ: cls.__new__(cls, *args)
        const args = pop();
        const cls = pop();
        push(callGlobal(cls, args));
        break;
      }
      case 0x92: { // NEWOBJ_EX
        const kwargs = pop();
        const args = pop();
        const cls = pop();
        if (!(kwargs instanceof Map)) {
          throw new SyntaxError(`${source}: NEWOBJ_EX at offset ${opcodeAt} needs kwargs`);
        }
        push(callGlobal(cls, args, kwargs));
        break;
      }
      case 0x6f: { // OBJ: MARK cls args... OBJ
        const items = popMark();
        if (items.length === 0) throw new SyntaxError(`${source}: OBJ at offset ${opcodeAt} without a class`);
        push(callGlobal(items[0], items.slice(1)));
        break;
      }
      case 0x69: { // INST: MARK args... INST module\nname\n
        const module = readLine(), qualname = readLine();
        const args = popMark();
        push(callGlobal(resolveGlobal(module, qualname), args));
        break;
      }
      case 0x62: { // BUILD
        const state = pop();
        const target = pop();
        const handler = typeof target === "object" && target !== null ? built.get(target) : undefined;
        charge(state);
        if (handler?.setState) push(handler.setState(target, state));
        else if (handler && typeof target === "object" && target !== null && !Array.isArray(target)) {
          assignState(target as Record<string, unknown>, state, describe(target));
          push(target);
        } else {
          throw new SyntaxError(
            `${source}: BUILD at offset ${opcodeAt} on ${describe(target)} is not supported`,
          );
        }
        if (typeof target === "object" && target !== null) nest(target, [state]);
        break;
      }
      case 0x50: // PERSID
      case 0x51: { // BINPERSID
        const pid = opcode === 0x50 ? readLine() : pop();
        if (!options.persistentLoad) {
          throw new Error(
            `${source}: persistent id at offset ${opcodeAt} but no persistent loader was given`,
          );
        }
        push(options.persistentLoad(pid));
        break;
      }
      case 0x70: { // PUT
        const key = Number(readLine());
        if (!Number.isSafeInteger(key)) {
          throw new SyntaxError(`${source}: PUT at offset ${opcodeAt} has a bad key`);
        }
        memo.set(key, top());
        break;
      }
      case 0x71: // BINPUT
        memo.set(bytes[need(1)], top());
        break;
      case 0x72: // LONG_BINPUT
        memo.set(readU32(), top());
        break;
      case 0x94: // MEMOIZE
        memo.set(memo.size, top());
        break;
      case 0x67: // GET
      case 0x68: // BINGET
      case 0x6a: { // LONG_BINGET
        const key = opcode === 0x67 ? Number(readLine()) : opcode === 0x68 ? bytes[need(1)] : readU32();
        if (!memo.has(key)) {
          throw new SyntaxError(
            `${source}: ${opName()} at offset ${opcodeAt} reads memo key ${key}, which was never set`,
          );
        }
        push(memo.get(key));
        break;
      }
      default:
        throw new SyntaxError(
          `${source}: unknown or unsupported pickle opcode 0x${opcode.toString(16).padStart(2, "0")}${
            OPCODE_NAMES[opcode] ? ` (${OPCODE_NAMES[opcode]})` : ""
          } at offset ${opcodeAt}`,
        );
    }
  }
}

/**
 * Unpickles one pickle (from offset 0) with the allowed globals only; no code in the data is ever run.
 *
 * @param bytes the pickle
 * @param options allowed globals (default {@linkcode BASE_PICKLE_GLOBALS}), persistent loader, limits
 * @returns the value
 *
 * @example
 * ```ts
 * import { unpickle } from "./pickle.ts";
 * // pickle.dumps({"a": [1, 2.5, None]}, protocol=2)
 * const bytes = new Uint8Array([
 *   0x80, 2, 0x7d, 0x71, 0, 0x58, 1, 0, 0, 0, 0x61, 0x71, 1, 0x5d, 0x71, 2, 0x28, 0x4b, 1,
 *   0x47, 0x40, 4, 0, 0, 0, 0, 0, 0, 0x4e, 0x65, 0x73, 0x2e,
 * ]);
 * console.log(unpickle(bytes)); // Map(1) { "a" => [ 1, 2.5, null ] }
 * ```
 */
export function unpickle(bytes: Uint8Array, options: UnpickleOptions = {}): unknown {
  return unpickleAt(bytes, 0, options).value;
}
