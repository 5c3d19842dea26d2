import assert from "node:assert/strict";
import { bfloat16ToFloat32, float16ToFloat32, float32ToBfloat16, float32ToFloat16 } from "./float16.ts";
import { readSafetensors, type TensorToWrite, toFloat32, writeSafetensors } from "./safetensors.ts";

function fromHex(hex: string): Uint8Array {
  return Uint8Array.from(hex.match(/../g)!, (pair) => parseInt(pair, 16));
}

/** A file with the given header (JSON-encoded unless it is a string) and a zeroed buffer of `bufferBytes`. */
function fileWith(header: unknown, bufferBytes = 0): Uint8Array {
  const json = new TextEncoder().encode(typeof header === "string" ? header : JSON.stringify(header));
  const out = new Uint8Array(8 + json.byteLength + bufferBytes);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.byteLength), true);
  out.set(json, 8);
  return out;
}

// Made by the reference implementation (safetensors 0.8.0, Python):
// save({"w": float32 [[1,2,3],[4,5,6]], "b": uint8 [1,2,3], "s": int64 7 (shape []), "h": float16 [1,-2],
//       "e": float32 zeros (0,3)}, metadata={"format": "np"})
const REFERENCE_FIVE_TENSORS = fromHex(
  "30010000000000007b225f5f6d657461646174615f5f223a7b22666f726d6174223a226e70227d2c2273223a7b226474797065" +
    "223a22493634222c227368617065223a5b5d2c22646174615f6f666673657473223a5b302c385d7d2c2265223a7b226474797065" +
    "223a22463332222c227368617065223a5b302c335d2c22646174615f6f666673657473223a5b382c385d7d2c2277223a7b2264" +
    "74797065223a22463332222c227368617065223a5b322c335d2c22646174615f6f666673657473223a5b382c33325d7d2c2268" +
    "223a7b226474797065223a22463136222c227368617065223a5b325d2c22646174615f6f666673657473223a5b33322c33365d" +
    "7d2c2262223a7b226474797065223a225538222c227368617065223a5b335d2c22646174615f6f666673657473223a5b33362c" +
    "33395d7d7d07000000000000000000803f0000004000004040000080400000a0400000c040003c00c0010203",
);
// save({"x": float32 [0.5]}): the 54-byte header is padded with two spaces.
const REFERENCE_PADDED = fromHex(
  "38000000000000007b2278223a7b226474797065223a22463332222c227368617065223a5b315d2c22646174615f6f66667365" +
    "7473223a5b302c345d7d7d20200000003f",
);

Deno.test("writeSafetensors produces the reference implementation's bytes", () => {
  const five = writeSafetensors({
    w: { dtype: "F32", shape: [2, 3], data: new Float32Array([1, 2, 3, 4, 5, 6]) },
    b: { dtype: "U8", shape: [3], data: new Uint8Array([1, 2, 3]) },
    s: { dtype: "I64", shape: [], data: new BigInt64Array([7n]) },
    h: { dtype: "F16", shape: [2], data: float32ToFloat16(new Float32Array([1, -2])) },
    e: { dtype: "F32", shape: [0, 3], data: new Float32Array(0) },
  }, { format: "np" });
  assert.deepEqual(five, REFERENCE_FIVE_TENSORS);
  assert.deepEqual(
    writeSafetensors({ x: { dtype: "F32", shape: [1], data: new Float32Array([0.5]) } }),
    REFERENCE_PADDED,
  );
});

Deno.test("readSafetensors reads a file of the reference implementation", () => {
  const file = readSafetensors(REFERENCE_FIVE_TENSORS);
  assert.deepEqual(file.metadata, { format: "np" });
  assert.deepEqual([...file.tensors.keys()], ["s", "e", "w", "h", "b"]);
  const w = file.tensors.get("w")!;
  assert.equal(w.dtype, "F32");
  assert.deepEqual(w.shape, [2, 3]);
  assert.deepEqual([...toFloat32(w)], [1, 2, 3, 4, 5, 6]);
  assert.deepEqual([...toFloat32(file.tensors.get("h")!)], [1, -2]);
  assert.deepEqual(file.tensors.get("s")!.shape, []);
  assert.equal(new DataView(file.tensors.get("s")!.bytes.buffer).getBigInt64(8 + 0x130, true), 7n);
  assert.deepEqual(file.tensors.get("e")!.shape, [0, 3]);
  assert.equal(toFloat32(file.tensors.get("e")!).length, 0);
  assert.deepEqual([...file.tensors.get("b")!.bytes], [1, 2, 3]);
  assert.deepEqual(readSafetensors(REFERENCE_PADDED).metadata, {});
});

Deno.test("every dtype round-trips, with scalars and empty tensors", () => {
  const tensors: Record<string, TensorToWrite> = {
    f32: { dtype: "F32", shape: [2, 2], data: new Float32Array([0.25, -1, 3.5, 1e-30]) },
    f64: { dtype: "F64", shape: [3], data: new Float64Array([Math.PI, -0, 1e300]) },
    f16: { dtype: "F16", shape: [2], data: new Uint16Array([0x3c00, 0x7bff]) },
    bf16: { dtype: "BF16", shape: [1, 2], data: new Uint16Array([0x3f80, 0xc049]) },
    i64: { dtype: "I64", shape: [2], data: new BigInt64Array([-(2n ** 62n), 5n]) },
    u64: { dtype: "U64", shape: [], data: new BigUint64Array([2n ** 64n - 1n]) },
    i32: { dtype: "I32", shape: [], data: new Int32Array([-7]) },
    u32: { dtype: "U32", shape: [1], data: new Uint32Array([4e9]) },
    i16: { dtype: "I16", shape: [1], data: new Int16Array([-300]) },
    u16: { dtype: "U16", shape: [1], data: new Uint16Array([65535]) },
    i8: { dtype: "I8", shape: [2], data: new Int8Array([-128, 127]) },
    u8: { dtype: "U8", shape: [3], data: new Uint8Array([0, 128, 255]) },
    bool: { dtype: "BOOL", shape: [2], data: new Uint8Array([1, 0]) },
    empty: { dtype: "F32", shape: [0], data: new Float32Array(0) },
    emptyMiddle: { dtype: "I64", shape: [4, 0, 2], data: new BigInt64Array(0) },
    scalar: { dtype: "F32", shape: [], data: new Float32Array([42]) },
  };
  const bytes = writeSafetensors(tensors, { author: "test", note: "é ✓" });
  assert.equal(Number(new DataView(bytes.buffer).getBigUint64(0, true)) % 8, 0);
  const file = readSafetensors(bytes);
  assert.deepEqual(file.metadata, { author: "test", note: "é ✓" });
  assert.equal(file.tensors.size, Object.keys(tensors).length);
  for (const [name, tensor] of Object.entries(tensors)) {
    const stored = file.tensors.get(name)!;
    assert.equal(stored.dtype, tensor.dtype, name);
    assert.deepEqual(stored.shape, tensor.shape, name);
    const expected = new Uint8Array(tensor.data.buffer, tensor.data.byteOffset, tensor.data.byteLength);
    assert.deepEqual(stored.bytes, expected, name);
    // Every tensor is aligned to its item size, since the layout sorts by item size.
    assert.equal(stored.bytes.byteOffset % tensor.data.BYTES_PER_ELEMENT, 0, name);
  }
  assert.deepEqual([...toFloat32(file.tensors.get("f64")!)], [Math.fround(Math.PI), -0, Infinity]);
  assert.deepEqual([...toFloat32(file.tensors.get("bf16")!)], [1, -3.140625]);
  assert.deepEqual([...toFloat32(file.tensors.get("scalar")!)], [42]);
});

Deno.test("toFloat32 is a view for aligned F32 and a copy otherwise", () => {
  const bytes = writeSafetensors({ x: { dtype: "F32", shape: [2], data: new Float32Array([1.5, -2.5]) } });
  const aligned = readSafetensors(bytes).tensors.get("x")!;
  const view = toFloat32(aligned);
  assert.equal(view.buffer, bytes.buffer);
  assert.deepEqual([...view], [1.5, -2.5]);

  const shifted = new Uint8Array(bytes.byteLength + 1);
  shifted.set(bytes, 1);
  const unaligned = readSafetensors(shifted.subarray(1)).tensors.get("x")!;
  assert.equal(unaligned.bytes.byteOffset % 4, 1);
  const copy = toFloat32(unaligned);
  assert.notEqual(copy.buffer, shifted.buffer);
  assert.deepEqual([...copy], [1.5, -2.5]);

  const oddHalf = { dtype: "F16" as const, shape: [1], bytes: new Uint8Array([0, 0x00, 0x3c]).subarray(1) };
  assert.deepEqual([...toFloat32(oddHalf)], [1]);

  const ints = { dtype: "I64" as const, shape: [1], bytes: new Uint8Array(8) };
  assert.throws(() => toFloat32(ints), {
    name: "TypeError",
    message: /Cannot convert the I64 tensor of shape \[1\]/,
  });
});

Deno.test("F16 decodes known values", () => {
  const cases: [number, number][] = [
    [0x3c00, 1],
    [0xc000, -2],
    [0x7bff, 65504],
    [0x0400, 2 ** -14], // smallest normal
    [0x0001, 2 ** -24], // smallest subnormal
    [0x03ff, 1023 * 2 ** -24], // largest subnormal
    [0x3555, 0.333251953125],
    [0x0000, 0],
    [0x7c00, Infinity],
    [0xfc00, -Infinity],
  ];
  const decoded = float16ToFloat32(new Uint16Array(cases.map(([bits]) => bits)));
  cases.forEach(([bits, value], i) => assert.equal(decoded[i], value, `0x${bits.toString(16)}`));
  const [negativeZero, nan, negativeNan, signalingNan] = float16ToFloat32(
    new Uint16Array([0x8000, 0x7e00, 0xfe00, 0x7c01]),
  );
  assert.ok(Object.is(negativeZero, -0));
  assert.ok(Number.isNaN(nan) && Number.isNaN(negativeNan) && Number.isNaN(signalingNan));
});

Deno.test("F16 encoding rounds to nearest even and matches Math.f16round", () => {
  const encode = (value: number) => float32ToFloat16(new Float32Array([value]))[0];
  assert.equal(encode(1), 0x3c00);
  assert.equal(encode(-2), 0xc000);
  assert.equal(encode(65504), 0x7bff);
  assert.equal(encode(65519.99), 0x7bff); // below the midpoint to 65536
  assert.equal(encode(65520), 0x7c00); // the tie rounds to even, which is infinity
  assert.equal(encode(1 + 2 ** -11), 0x3c00); // tie, down to even
  assert.equal(encode(1 + 3 * 2 ** -11), 0x3c02); // tie, up to even
  assert.equal(encode(2 ** -25), 0x0000); // tie between 0 and the smallest subnormal
  assert.equal(encode(1.5 * 2 ** -25), 0x0001);
  assert.equal(encode(2 ** -24), 0x0001);
  assert.equal(encode(-0), 0x8000);
  assert.equal(encode(1e-10), 0x0000);
  assert.equal(encode(-Infinity), 0xfc00);
  assert.ok(Number.isNaN(float16ToFloat32(new Uint16Array([encode(NaN)]))[0]));

  // Every half value survives a round trip (NaNs stay NaN).
  const all = Uint16Array.from({ length: 65536 }, (_, i) => i);
  const back = float32ToFloat16(float16ToFloat32(all));
  for (let bits = 0; bits < 65536; bits++) {
    const isNan = (bits & 0x7c00) === 0x7c00 && (bits & 0x3ff) !== 0;
    if (isNan) assert.ok((back[bits] & 0x7c00) === 0x7c00 && (back[bits] & 0x3ff) !== 0);
    else if (back[bits] !== bits) {
      assert.fail(`0x${bits.toString(16)} came back as 0x${back[bits].toString(16)}`);
    }
  }

  // Random float32 bit patterns against the engine's own rounding.
  const f16round = (Math as unknown as { f16round?: (x: number) => number }).f16round;
  if (f16round) {
    const randomBits = new Uint32Array(200_000);
    for (let i = 0; i < randomBits.length; i += 16_384) {
      crypto.getRandomValues(randomBits.subarray(i, i + 16_384));
    }
    // Also the range of values that land near the half range.
    for (let i = 0; i < 50_000; i++) randomBits[i] = (0x33000000 + i * 0x1e01) >>> 0;
    const values = new Float32Array(randomBits.buffer);
    const decoded = float16ToFloat32(float32ToFloat16(values));
    for (let i = 0; i < values.length; i++) {
      const expected: number = f16round(values[i]);
      if (!Object.is(decoded[i], expected) && !(Number.isNaN(expected) && Number.isNaN(decoded[i]))) {
        assert.fail(`f16(${values[i]}) = ${decoded[i]}, Math.f16round gives ${expected}`);
      }
    }
  }
});

Deno.test("BF16 decodes and encodes with round to nearest even", () => {
  assert.deepEqual([...bfloat16ToFloat32(new Uint16Array([0x3f80, 0xc000, 0x7f80, 0x0001, 0x8000]))], [
    1,
    -2,
    Infinity,
    2 ** -133,
    -0,
  ]);
  const encode = (value: number) => float32ToBfloat16(new Float32Array([value]))[0];
  assert.equal(encode(1), 0x3f80);
  assert.equal(encode(1 + 2 ** -8), 0x3f80); // tie, down to even
  assert.equal(encode(1 + 3 * 2 ** -8), 0x3f82); // tie, up to even
  assert.equal(encode(1 + 2 ** -8 + 2 ** -20), 0x3f81);
  assert.equal(encode(3.4e38), 0x7f80); // rounds up to infinity
  assert.ok(Number.isNaN(bfloat16ToFloat32(new Uint16Array([encode(NaN)]))[0]));
  const payloadNan = new Float32Array(new Uint32Array([0x7f800001]).buffer);
  assert.ok(Number.isNaN(bfloat16ToFloat32(float32ToBfloat16(payloadNan))[0]));
});

const validEntry = { dtype: "F32", shape: [1], data_offsets: [0, 4] };

Deno.test("hostile files are rejected with a message naming the problem", () => {
  const cases: [string, Uint8Array, string, RegExp][] = [
    ["too short", new Uint8Array(5), "SyntaxError", /5 bytes is shorter than the 8-byte header length/],
    [
      "header beyond the file",
      fileWith({}).subarray(0, 9),
      "RangeError",
      /header length 2 goes beyond the end/,
    ],
    [
      "header above 100 MB",
      (() => {
        const bytes = new Uint8Array(16);
        new DataView(bytes.buffer).setBigUint64(0, 2n ** 40n, true);
        return bytes;
      })(),
      "RangeError",
      /header length 1099511627776 is above the limit of 100000000 bytes/,
    ],
    ["header not JSON", fileWith("{not json"), "SyntaxError", /header is not JSON/],
    ["header not an object", fileWith("[1,2]"), "SyntaxError", /header is not a JSON object/],
    [
      "header not UTF-8",
      (() => {
        const bytes = fileWith("{}  ");
        bytes[9] = 0xff;
        return bytes;
      })(),
      "SyntaxError",
      /header is not valid UTF-8/,
    ],
    ["entry not an object", fileWith({ x: 3 }), "TypeError", /tensor "x": entry is not an object/],
    [
      "unknown dtype",
      fileWith({ x: { ...validEntry, dtype: "F7" } }, 4),
      "TypeError",
      /tensor "x": unknown dtype "F7"/,
    ],
    [
      "missing dtype",
      fileWith({ x: { shape: [1], data_offsets: [0, 4] } }, 4),
      "TypeError",
      /"x": unknown dtype/,
    ],
    [
      "non-integer dimension",
      fileWith({ x: { ...validEntry, shape: [1.5] } }, 4),
      "TypeError",
      /tensor "x": shape \[1\.5\] has a non-integer dimension 1\.5/,
    ],
    [
      "string dimension",
      fileWith({ x: { ...validEntry, shape: ["1"] } }, 4),
      "TypeError",
      /tensor "x": shape \["1"\] has a non-integer dimension/,
    ],
    [
      "shape not a list",
      fileWith({ x: { ...validEntry, shape: 4 } }, 4),
      "TypeError",
      /tensor "x": shape 4 is not an array/,
    ],
    [
      "negative dimension",
      fileWith({ x: { ...validEntry, shape: [-1] } }, 4),
      "RangeError",
      /tensor "x": shape \[-1\] has a negative dimension -1/,
    ],
    [
      "offsets not a pair",
      fileWith({ x: { ...validEntry, data_offsets: [0] } }, 4),
      "TypeError",
      /tensor "x": data_offsets \[0\] is not a pair of integers/,
    ],
    [
      "offsets do not match the shape",
      fileWith({ x: { ...validEntry, data_offsets: [0, 8] } }, 8),
      "TypeError",
      /tensor "x": data_offsets \[0, 8\] hold 8 bytes, but F32 \[1\] needs 4/,
    ],
    [
      "offsets outside the buffer",
      fileWith({ x: { ...validEntry, data_offsets: [4, 8] } }, 4),
      "RangeError",
      /tensor "x": data_offsets \[4, 8\] lie outside the 4-byte buffer/,
    ],
    [
      "negative offset",
      fileWith({ x: { ...validEntry, data_offsets: [-4, 0] } }, 4),
      "RangeError",
      /tensor "x": data_offsets \[-4, 0\] lie outside/,
    ],
    [
      "end before begin",
      fileWith({ x: { ...validEntry, data_offsets: [4, 0] } }, 4),
      "RangeError",
      /tensor "x": data_offsets \[4, 0\] lie outside/,
    ],
    [
      "overlapping ranges",
      fileWith({
        a: { ...validEntry, shape: [2], data_offsets: [0, 8] },
        b: { ...validEntry, data_offsets: [4, 8] },
      }, 8),
      "RangeError",
      /tensor "b" at \[4, 8\] overlaps tensor "a", which ends at 8/,
    ],
    [
      "a hole between tensors",
      fileWith({ a: validEntry, b: { ...validEntry, data_offsets: [8, 12] } }, 12),
      "RangeError",
      /tensor "b" starts at 8, leaving a hole of 4 bytes after tensor "a"/,
    ],
    [
      "a hole before the first tensor",
      fileWith({ a: { ...validEntry, data_offsets: [4, 8] } }, 8),
      "RangeError",
      /tensor "a" starts at 4, leaving a hole of 4 bytes after the header/,
    ],
    [
      "trailing bytes",
      fileWith({ a: validEntry }, 6),
      "RangeError",
      /the tensors cover 4 of the 6 buffer bytes; 2 trailing bytes belong to no tensor/,
    ],
    [
      "metadata value not a string",
      fileWith({ __metadata__: { epoch: 3 }, a: validEntry }, 4),
      "TypeError",
      /__metadata__ value of "epoch" is 3, not a string/,
    ],
    ["metadata not an object", fileWith({ __metadata__: "x" }), "TypeError", /__metadata__ is not an object/],
  ];
  for (const [what, bytes, name, message] of cases) {
    assert.throws(() => readSafetensors(bytes), { name, message }, what);
  }
  assert.throws(
    () => readSafetensors(new Uint8Array(3), { source: "weights.safetensors" }),
    { name: "SyntaxError", message: /^weights\.safetensors: 3 bytes/ },
  );
});

Deno.test("a file of only empty tensors, and an empty file, are valid", () => {
  const file = readSafetensors(
    fileWith({ a: { dtype: "F32", shape: [0], data_offsets: [0, 0] }, b: validEntry }, 4),
  );
  assert.equal(file.tensors.get("a")!.bytes.byteLength, 0);
  assert.equal(readSafetensors(writeSafetensors({})).tensors.size, 0);
});

Deno.test("writeSafetensors rejects data that do not fit", () => {
  const write = (tensor: TensorToWrite) => () => writeSafetensors({ t: tensor });
  assert.throws(write({ dtype: "F32", shape: [2], data: new Float32Array(3) }), {
    name: "TypeError",
    message: /Tensor "t": F32 \[2\] needs 8 bytes, but the data hold 12/,
  });
  assert.throws(write({ dtype: "F32", shape: [2], data: new Int32Array(2) }), {
    name: "TypeError",
    message: /Tensor "t": F32 data must be a Float32Array or raw bytes in a Uint8Array, not Int32Array/,
  });
  assert.throws(write({ dtype: "F32", shape: [-2], data: new Float32Array(0) }), {
    name: "RangeError",
    message: /Tensor "t": shape \[-2\] has a negative dimension/,
  });
  assert.throws(write({ dtype: "Q4" as "F32", shape: [1], data: new Float32Array(1) }), {
    name: "TypeError",
    message: /Tensor "t": unknown dtype "Q4"/,
  });
  assert.throws(
    () => writeSafetensors({ __metadata__: { dtype: "U8", shape: [0], data: new Uint8Array(0) } }),
    {
      name: "TypeError",
      message: /reserved/,
    },
  );
  // Raw bytes fit any dtype.
  const raw = writeSafetensors({ t: { dtype: "F32", shape: [1], data: new Uint8Array([0, 0, 0x80, 0x3f]) } });
  assert.deepEqual([...toFloat32(readSafetensors(raw).tensors.get("t")!)], [1]);
  // A tensor named __proto__ is an ordinary key.
  const proto = readSafetensors(
    writeSafetensors({ ["__proto__"]: { dtype: "U8", shape: [1], data: new Uint8Array([9]) } }),
  );
  assert.deepEqual([...proto.tensors.keys()], ["__proto__"]);
});
