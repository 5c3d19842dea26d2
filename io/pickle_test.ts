import assert from "node:assert/strict";
import { BASE_PICKLE_GLOBALS, unpickle, unpickleAt } from "./pickle.ts";
import { bytesOf, fromHex } from "./_test_bytes.ts";

Deno.test("unpickle reads what CPython's pickle writes (protocols 0, 2, 4)", () => {
  // pickle.dumps({"a": (1, -2, 2**70, 1.5), "b": [True, None, b"xy"], 3: {"s"}}, protocol=4)
  const p4 = fromHex(
    "80049540000000000000007d94288c016194284b014afeffffff8a09000000000000000040473ff800000000000074948c016294" +
      "5d9428884e4302787994654b038f94288c01739490752e",
  );
  const value = unpickle(p4) as Map<unknown, unknown>;
  assert.deepEqual([...value.keys()], ["a", "b", 3]);
  assert.deepEqual(value.get("a"), [1, -2, 2n ** 70n, 1.5]);
  assert.deepEqual(value.get("b"), [true, null, new Uint8Array([0x78, 0x79])]);
  assert.deepEqual(value.get(3), new Set(["s"]));
  // pickle.dumps([1, "h\u00e9", 2.5, -7, 10**20], protocol=0)
  const p0 = bytesOf("(lp0\nI1\naVh\u00e9\np1\naF2.5\naI-7\naL100000000000000000000L\na.");
  assert.deepEqual(unpickle(p0), [1, "h\u00e9", 2.5, -7, 10n ** 20n]);
});

Deno.test("unpickleAt reads a stream of pickles", () => {
  const stream = bytesOf(0x80, 2, "K", 7, ".", 0x80, 2, "N.");
  const first = unpickleAt(stream, 0);
  assert.deepEqual(first, { value: 7, end: 5 });
  assert.deepEqual(unpickleAt(stream, first.end), { value: null, end: stream.length });
});

Deno.test("allowed stand-ins: OrderedDict, numpy scalar, EasyDict, Namespace, _codecs.encode", () => {
  // collections.OrderedDict([("x", 1)])
  const ordered = bytesOf(
    0x80,
    2,
    "ccollections\nOrderedDict\n",
    "]",
    "X",
    1,
    0,
    0,
    0,
    "x",
    "K",
    1,
    0x86,
    "a",
    0x85,
    "R.",
  );
  assert.deepEqual(unpickle(ordered), new Map([["x", 1]]));
  // numpy.float64(0.25) as pickled by numpy (protocol 4): scalar(dtype("f8", False, True) + BUILD, bytes)
  const scalar = bytesOf(
    0x80,
    4,
    0x8c,
    21,
    "numpy.core.multiarray",
    0x8c,
    6,
    "scalar",
    0x93,
    0x8c,
    5,
    "numpy",
    0x8c,
    5,
    "dtype",
    0x93,
    0x8c,
    2,
    "f8",
    0x89,
    0x88,
    0x87,
    "R",
    "(",
    "K",
    3,
    0x8c,
    1,
    "<",
    "NNNJ",
    0xff,
    0xff,
    0xff,
    0xff,
    "J",
    0xff,
    0xff,
    0xff,
    0xff,
    "K",
    0,
    "tb",
    "C",
    8,
    new Uint8Array(Float64Array.of(0.25).buffer),
    0x86,
    "R.",
  );
  assert.equal(unpickle(scalar), 0.25);
  // dnnlib.util.EasyDict(lr=0.5) (a dict subclass: NEWOBJ, SETITEMS, BUILD of an empty __dict__)
  const easy = bytesOf(
    0x80,
    2,
    "cdnnlib.util\nEasyDict\n)",
    0x81,
    "(X",
    2,
    0,
    0,
    0,
    "lr",
    "G?",
    0xe0,
    0,
    0,
    0,
    0,
    0,
    0,
    "u}b.",
  );
  assert.deepEqual({ ...(unpickle(easy) as object) }, { lr: 0.5 });
  // argparse.Namespace(x=1) (NEWOBJ then BUILD with the __dict__)
  const ns = bytesOf(0x80, 2, "cargparse\nNamespace\n)", 0x81, "}(X", 1, 0, 0, 0, "xK", 1, "ub.");
  assert.deepEqual({ ...(unpickle(ns) as object) }, { x: 1 });
  // _codecs.encode("\u00ff\u0001", "latin1"): bytes under protocol 2
  const encoded = bytesOf(
    0x80,
    2,
    "c_codecs\nencode\n",
    "X",
    3,
    0,
    0,
    0,
    0xc3,
    0xbf,
    1,
    "X",
    6,
    0,
    0,
    0,
    "latin1",
    0x86,
    "R.",
  );
  assert.deepEqual(unpickle(encoded), Uint8Array.of(0xff, 1));
  // A key "__proto__" stays an own property.
  const proto = bytesOf(0x80, 2, "cargparse\nNamespace\n)", 0x81, "}(X", 9, 0, 0, 0, "__proto__K", 1, "ub.");
  const object = unpickle(proto) as Record<string, unknown>;
  assert.ok(Object.hasOwn(object, "__proto__"));
  assert.equal(Object.getPrototypeOf(object), Object.prototype);
});

Deno.test("globals outside the allow-list are refused by name", () => {
  for (
    const [module, name] of [["os", "system"], ["builtins", "eval"], ["subprocess", "Popen"], [
      "evil_module",
      "x",
    ]]
  ) {
    const viaGlobal = bytesOf(0x80, 2, `c${module}\n${name}\n`, ")R.");
    assert.throws(() => unpickle(viaGlobal), (error: Error) => {
      assert.match(
        error.message,
        new RegExp(`^Pickle global "${module}\\.${name}" is not allowed \\(allowed: `),
      );
      assert.match(error.message, /collections\.OrderedDict/);
      return true;
    });
    const viaStack = bytesOf(0x80, 4, 0x8c, module.length, module, 0x8c, name.length, name, 0x93, ")R.");
    assert.throws(() => unpickle(viaStack), new RegExp(`"${module}\\.${name}" is not allowed`));
  }
  // A global that is allowed but only as a value cannot be called through a non-global either.
  assert.throws(() => unpickle(bytesOf(0x80, 2, "K", 1, ")R.")), /calls number, not a global/);
  assert.ok(!BASE_PICKLE_GLOBALS.has("os.system"));
});

Deno.test("malformed pickles are refused", () => {
  // unknown opcode
  assert.throws(
    () => unpickle(bytesOf(0x80, 2, 0xff)),
    /unknown or unsupported pickle opcode 0xff at offset 2/,
  );
  assert.throws(() => unpickle(bytesOf(0x80, 5, 0x97, ".")), /opcode 0x97 at offset 2/); // NEXT_BUFFER
  // memo get of a missing key
  assert.throws(
    () => unpickle(bytesOf(0x80, 2, "h", 5, ".")),
    /BINGET at offset 2 reads memo key 5, which was never set/,
  );
  assert.throws(() => unpickle(bytesOf(0x80, 2, "j", 1, 0, 1, 0, ".")), /memo key 65537/);
  // persistent id without a loader
  assert.throws(
    () => unpickle(bytesOf(0x80, 2, "K", 1, "Q.")),
    /persistent id at offset 4 but no persistent loader/,
  );
  // truncated data: every proper prefix of a valid pickle fails with a SyntaxError
  const whole = bytesOf(
    0x80,
    2,
    "}q",
    0,
    "(X",
    3,
    0,
    0,
    0,
    "abcJ",
    1,
    2,
    3,
    4,
    "X",
    3,
    0,
    0,
    0,
    "defG",
    1,
    2,
    3,
    4,
    5,
    6,
    7,
    8,
    "u.",
  );
  unpickle(whole);
  for (let cut = 0; cut < whole.length; cut++) {
    assert.throws(() => unpickle(whole.subarray(0, cut)), SyntaxError, `prefix of ${cut}`);
  }
  assert.throws(
    () => unpickle(bytesOf(0x80, 2, "X", 0xff, 0xff, 0, 0, "ab")),
    /truncated: BINUNICODE at offset 2/,
  );
  assert.throws(() => unpickle(bytesOf(0x80, 4, 0x8e, 0, 0, 0, 0, 0, 0, 0, 1, ".")), /declares .* bytes/);
  // stack misuse
  assert.throws(() => unpickle(bytesOf(0x80, 2, "t.")), /without a MARK/);
  assert.throws(() => unpickle(bytesOf(0x80, 2, "a.")), /empty stack/);
  assert.throws(() => unpickle(bytesOf(0x80, 2, "(.")), SyntaxError);
});

Deno.test("nesting beyond the limit is refused", () => {
  const marks = bytesOf(0x80, 2, "(".repeat(1001));
  assert.throws(
    () => unpickle(marks),
    (error: Error) => error instanceof RangeError && /1000 nested MARKs/.test(error.message),
  );
  // [[[...]]] built with EMPTY_LIST ... APPEND, no MARK at all.
  const lists = bytesOf(0x80, 2, "]".repeat(1002), "a".repeat(1001), ".");
  assert.throws(() => unpickle(lists), /nesting deeper than 1000/);
  // Tuples of tuples.
  const tuples = bytesOf(0x80, 2, "N", ...Array(1001).fill(0x85), ".");
  assert.throws(() => unpickle(tuples), RangeError);
  // Within the limit, and with a custom limit.
  assert.equal((unpickle(bytesOf(0x80, 2, "]".repeat(50), "a".repeat(49), "."))) instanceof Array, true);
  assert.throws(
    () => unpickle(bytesOf(0x80, 2, "]".repeat(11), "a".repeat(10), "."), { maxDepth: 10 }),
    RangeError,
  );
});

Deno.test("a 250 KB LONG4 is refused at once, and integers up to the limit decode exactly", () => {
  const huge = 250_000;
  const long4 = (n: number, fill: number) =>
    bytesOf(
      0x80,
      2,
      0x8b,
      n & 0xff,
      (n >> 8) & 0xff,
      (n >> 16) & 0xff,
      n >>> 24,
      new Uint8Array(n).fill(fill),
      ".",
    );
  assert.throws(
    () => unpickle(long4(huge, 1), { source: "big.pkl" }),
    new RangeError(`big.pkl: LONG4 at offset 2 is an integer of ${huge} bytes, over the limit of 1024`),
  );
  // Within the limit: -1 (all 0xff) and 2^(8·1023)·1 + … decode exactly, in linear time.
  assert.equal(unpickle(long4(1024, 0xff)), -1);
  const ones = unpickle(long4(1024, 0x01)) as bigint;
  assert.equal(ones % 256n, 1n);
  assert.equal(ones >> 8184n, 1n);
  assert.equal(unpickle(long4(300, 0x7f), { maxIntBytes: 300 }) as bigint > 0n, true);
  // LONG1 as before: pickle.dumps(-2**70, protocol=2).
  assert.equal(unpickle(fromHex("80028a090000000000000000c02e")), -(2n ** 70n));
  // Text INT / LONG past Python's 4300-digit limit.
  assert.throws(
    () => unpickle(bytesOf("I", "7".repeat(5000), "\n.")),
    /INT at offset 0 has 5000 digits, over the limit of 4300/,
  );
  assert.throws(
    () => unpickle(bytesOf("L", "7".repeat(250_000), "L\n.")),
    /LONG at offset 0 has 250000 digits/,
  );
  assert.equal(unpickle(bytesOf("L", "9".repeat(4300), "L\n.")), 10n ** 4300n - 1n);
});

Deno.test("copying a memoized value again and again is refused past the build budget", () => {
  // s = "x" * 2**20; [codecs.encode(s, "latin1") for _ in range(300)]: 300 MiB built from a 1 MiB pickle.
  const calls = Array.from({ length: 300 }, () => bytesOf("h", 1, "h", 0, "h", 2, 0x86, "Ra"));
  const pickle = bytesOf(
    0x80,
    2,
    "]q",
    3,
    "X",
    0,
    0,
    0x10,
    0,
    "x".repeat(2 ** 20),
    "q",
    0,
    "0",
    "c_codecs\nencode\nq",
    1,
    "0X",
    6,
    0,
    0,
    0,
    "latin1q",
    2,
    "0",
    ...calls,
    ".",
  );
  assert.throws(
    () => unpickle(pickle, { source: "amplify.pkl" }),
    (error: Error) =>
      error instanceof RangeError &&
      /amplify\.pkl: REDUCE at offset \d+ builds more than \d+ bytes/.test(error.message),
  );
  // A few copies stay within the budget.
  const few = bytesOf(pickle.subarray(0, pickle.length - 1 - 290 * calls[0].length), ".");
  assert.equal((unpickle(few) as Uint8Array[]).length, 10);
});
