import assert from "node:assert/strict";
import { adaModuleStateDict } from "./ada_pickle.ts";
import { prngFill } from "./prng.ts";
import { referenceFixturesRoot } from "./reference_fixture.ts";
import { bytesOf } from "./_test_bytes.ts";
import {
  flattenStateDict,
  isPersistentObject,
  isTorchTensor,
  readTorchFile,
  readTorchFileAsync,
  readTorchFileFromPath,
  tensorToFloat32,
  type TorchTensor,
} from "./torch_file.ts";
import { crc32 } from "./zip.ts";
import { deflateRawSync } from "node:zlib";
import { deflateBomb, zipOf } from "./_test_zip.ts";

const FIXTURES = referenceFixturesRoot().replace(/\/reference$/, "");
const EDITINGS = `${FIXTURES}/official-editings`;

interface TensorValues {
  shape: number[];
  stride: number[];
  storage_offset: number;
  storage_numel: number;
  first5_logical: number[];
  last5_logical: number[];
  first5_storage: number[];
  stats_float64: { sum: number; abs_sum: number; numel: number };
}
interface FileValues {
  sha256: string;
  bytes: number;
  structure: { type: "Tensor"; tensor: TensorValues } | {
    type: "dict";
    key_order: string[];
    tensors: Record<string, TensorValues>;
  };
}

async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

function checkTensor(tensor: unknown, expected: TensorValues, name: string): Float32Array {
  assert.ok(isTorchTensor(tensor), `${name} is a tensor`);
  assert.equal(tensor.dtype, "float32");
  assert.deepEqual(tensor.shape, expected.shape, `${name} shape`);
  assert.deepEqual(tensor.stride, expected.stride, `${name} stride`);
  assert.equal(tensor.storageOffset, expected.storage_offset);
  assert.equal(tensor.storage.data.length, expected.storage_numel);
  const values = tensorToFloat32(tensor, name);
  assert.equal(values.length, expected.stats_float64.numel);
  assert.deepEqual(Array.from(values.subarray(0, 5)), expected.first5_logical, `${name} first5`);
  assert.deepEqual(Array.from(values.subarray(values.length - 5)), expected.last5_logical, `${name} last5`);
  assert.deepEqual(Array.from(tensor.storage.data.subarray(0, 5) as Float32Array), expected.first5_storage);
  let sum = 0, absSum = 0;
  for (const v of values) {
    sum += v;
    absSum += Math.abs(v);
  }
  // Summation order may differ from numpy's pairwise sum: allow float64 rounding only.
  assert.ok(
    Math.abs(sum - expected.stats_float64.sum) <= 1e-12 * expected.stats_float64.abs_sum + 1e-12,
    name,
  );
  assert.ok(Math.abs(absSum - expected.stats_float64.abs_sum) <= 1e-12 * absSum, name);
  return values;
}

Deno.test("the five official editing files parse to the tensors of values.json", async () => {
  const values = JSON.parse(await Deno.readTextFile(`${EDITINGS}/values.json`)) as {
    files: Record<string, FileValues>;
  };
  assert.equal(Object.keys(values.files).length, 5);
  for (const [file, expected] of Object.entries(values.files)) {
    const bytes = await Deno.readFile(`${EDITINGS}/${file}`);
    assert.equal(bytes.length, expected.bytes);
    assert.equal(await sha256Hex(bytes), expected.sha256, file);
    const value = readTorchFile(bytes, { source: file });
    if (expected.structure.type === "Tensor") {
      checkTensor(value, expected.structure.tensor, file);
      continue;
    }
    assert.ok(value instanceof Map);
    assert.deepEqual([...value.keys()], expected.structure.key_order, `${file} key order`);
    for (const [key, tensorValues] of Object.entries(expected.structure.tensors)) {
      const tensor = value.get(key) as TorchTensor;
      const logical = checkTensor(tensor, tensorValues, `${file}:${key}`);
      if (key === "comp") {
        // stride (1, 80, 80): comp[i, 0, j] = storage[i + 80 j].
        const storage = tensor.storage.data as Float32Array;
        for (const [i, j] of [[0, 0], [0, 1], [1, 0], [54, 7], [79, 511], [37, 300]]) {
          assert.equal(logical[i * 512 + j], storage[i + 80 * j], `comp[${i},0,${j}]`);
        }
        // Every component has unit norm.
        for (let i = 0; i < 80; i++) {
          let l2 = 0;
          for (let j = 0; j < 512; j++) l2 += logical[i * 512 + j] ** 2;
          assert.ok(Math.abs(Math.sqrt(l2) - 1) < 1e-5, `comp[${i}] norm`);
        }
      }
    }
  }
});

Deno.test("the LPIPS legacy files parse to lin{k}.model.1.weight [1, C, 1, 1]", async () => {
  const channels: Record<string, number[]> = {
    alex: [64, 192, 384, 256, 256],
    vgg: [64, 128, 256, 512, 512],
    squeeze: [64, 128, 256, 384, 384, 512, 512],
  };
  for (const [net, counts] of Object.entries(channels)) {
    const value = await readTorchFileFromPath(`${FIXTURES}/lpips-linear/${net}.pth`);
    assert.ok(value instanceof Map);
    const weights = flattenStateDict(value);
    assert.deepEqual([...weights.keys()], counts.map((_, k) => `lin${k}.model.1.weight`));
    counts.forEach((c, k) => {
      const weight = weights.get(`lin${k}.model.1.weight`)!;
      assert.deepEqual(weight.shape, [1, c, 1, 1], `${net} lin${k}`);
      assert.ok(tensorToFloat32(weight).every((v) => v >= 0), `${net} lin${k} is non-negative`);
    });
  }
});

interface ManifestTensor {
  k: number;
  name: string;
  shape: number[];
  fill: "prng" | "keep" | "skip";
  offset?: number;
  scale?: number;
  values?: number[];
}
interface GeneratorManifest {
  modules: { G: { seed: number; tensors: ManifestTensor[] } };
  real_format_files: { "rosinality_g_ema.pt": { keys: [string, number[]][] } };
}

async function generatorManifest(): Promise<GeneratorManifest> {
  return JSON.parse(await Deno.readTextFile(`${referenceFixturesRoot()}/generator-64/manifest.json`));
}

function expectedValues(entry: ManifestTensor, seed: number): Float32Array {
  const n = entry.shape.reduce((a, b) => a * b, 1);
  if (entry.fill === "keep") return Float32Array.from(entry.values!);
  return prngFill(seed, entry.k, n, entry.offset!, entry.scale!);
}

Deno.test("generator-64 G_ema.pkl gives the manifest's state dict, bit for bit", async () => {
  const manifest = await generatorManifest();
  const { seed, tensors } = manifest.modules.G;
  const file = await readTorchFileFromPath(`${referenceFixturesRoot()}/generator-64/G_ema.pkl`);
  assert.ok(file instanceof Map);
  assert.deepEqual([...file.keys()], ["G_ema"]);
  const g = file.get("G_ema");
  assert.ok(isPersistentObject(g));
  assert.equal(g.__class__, "Generator");
  assert.equal(g.version, 6);
  assert.match(g.moduleSrc, /from models\.stylegan2_ada import/); // kept as an inert string
  const state = g.state as Map<string, unknown>;
  assert.equal(state.get("num_ws"), 10);
  const mapping = (state.get("_modules") as Map<string, unknown>).get("mapping");
  assert.ok(isPersistentObject(mapping) && mapping.__class__ === "MappingNetwork");
  const fc0 = ((mapping.state as Map<string, unknown>).get("_modules") as Map<string, unknown>).get("fc0");
  assert.ok(isPersistentObject(fc0));
  // weight_gain = lr_multiplier / sqrt(in_features), pickled as a numpy float64 scalar.
  assert.equal((fc0.state as Map<string, unknown>).get("weight_gain"), 0.01 / Math.sqrt(512));

  const stateDict = adaModuleStateDict(g);
  assert.deepEqual([...stateDict.keys()], tensors.map((t) => t.name), "state_dict() order");
  for (const entry of tensors) {
    const tensor = stateDict.get(entry.name)!;
    assert.deepEqual(tensor.shape, entry.shape, entry.name);
    if (entry.fill === "skip") continue;
    const actual = tensorToFloat32(tensor, entry.name);
    const expected = expectedValues(entry, seed);
    assert.ok(
      actual.length === expected.length && actual.every((v, i) => Object.is(v, expected[i])),
      `${entry.name} equals the PRNG fill bit for bit`,
    );
  }
  assert.equal(stateDict.get("synthesis.b4.conv1.weight")!.isParameter, true);
  assert.notEqual(stateDict.get("synthesis.b4.resample_filter")!.isParameter, true);
});

Deno.test("generator-64 rosinality_g_ema.pt gives g_ema.* with the manifest's names and shapes", async () => {
  const manifest = await generatorManifest();
  const file = await readTorchFileFromPath(`${referenceFixturesRoot()}/generator-64/rosinality_g_ema.pt`);
  const flat = flattenStateDict(file);
  const keys = manifest.real_format_files["rosinality_g_ema.pt"].keys;
  assert.deepEqual(
    [...flat.keys()],
    [...keys.map(([name]) => `g_ema.${name}`), "latent_avg"],
  );
  for (const [name, shape] of keys) assert.deepEqual(flat.get(`g_ema.${name}`)!.shape, shape, name);
  const { seed, tensors } = manifest.modules.G;
  const byName = new Map(tensors.map((t) => [t.name, t]));
  const wAvg = byName.get("mapping.w_avg")!;
  assert.deepEqual(flat.get("latent_avg")!.shape, [512]);
  assert.deepEqual(tensorToFloat32(flat.get("latent_avg")!), expectedValues(wAvg, seed));
  // input.input [1, 64, 4, 4] is synthesis.b4.const [64, 4, 4].
  assert.deepEqual(
    tensorToFloat32(flat.get("g_ema.input.input")!),
    expectedValues(byName.get("synthesis.b4.const")!, seed),
  );
});

// ---- hand-made hostile files ----

const u32 = (n: number) => Uint8Array.of(n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, n >>> 24);
const u16 = (n: number) => Uint8Array.of(n & 0xff, n >>> 8);
const unicode = (s: string) => bytesOf("X", u32(s.length), s);
const binint = (n: number) => bytesOf("J", u32(n));

/** A stored zip (no compression) of the given entries, as torch writes them. */
function storedZip(entries: Array<[string, Uint8Array]>): Uint8Array {
  const locals: Uint8Array[] = [], centrals: Uint8Array[] = [];
  let offset = 0;
  for (const [name, data] of entries) {
    const crc = crc32(data);
    const local = bytesOf(
      u32(0x04034b50),
      u16(20),
      u16(0),
      u16(0),
      u32(0),
      u32(crc),
      u32(data.length),
      u32(data.length),
      u16(name.length),
      u16(0),
      name,
      data,
    );
    centrals.push(bytesOf(
      u32(0x02014b50),
      u16(20),
      u16(20),
      u16(0),
      u16(0),
      u32(0),
      u32(crc),
      u32(data.length),
      u32(data.length),
      u16(name.length),
      u16(0),
      u16(0),
      u16(0),
      u16(0),
      u32(0),
      u32(offset),
      name,
    ));
    locals.push(local);
    offset += local.length;
  }
  const directory = bytesOf(...centrals);
  return bytesOf(
    ...locals,
    directory,
    u32(0x06054b50),
    u16(0),
    u16(0),
    u16(entries.length),
    u16(entries.length),
    u32(directory.length),
    u32(offset),
    u16(0),
  );
}

/** data.pkl of a zip torch.save of one float32 tensor on storage "0" (numel 4). */
function tensorPickle(offset: number, shape: number[], stride: number[], key = "0"): Uint8Array {
  const tuple = (values: number[]) => bytesOf("(", ...values.map(binint), "t");
  return bytesOf(
    0x80,
    2,
    "ctorch._utils\n_rebuild_tensor_v2\n",
    "(",
    "(",
    unicode("storage"),
    "ctorch\nFloatStorage\n",
    unicode(key),
    unicode("cpu"),
    binint(4),
    "tQ",
    binint(offset),
    tuple(shape),
    tuple(stride),
    0x89,
    "ccollections\nOrderedDict\n)R",
    "tR.",
  );
}

const FOUR_FLOATS = new Uint8Array(Float32Array.of(1, 2, 3, 4).buffer);

Deno.test("a hand-made zip torch file reads, sync and async", async () => {
  const zip = storedZip([
    ["t/data.pkl", tensorPickle(1, [3], [1])],
    ["t/data/0", FOUR_FLOATS],
    ["t/version", bytesOf("3\n")],
  ]);
  const tensor = readTorchFile(zip) as TorchTensor;
  assert.deepEqual(tensorToFloat32(tensor), Float32Array.of(2, 3, 4));
  assert.deepEqual(tensorToFloat32(await readTorchFileAsync(zip) as TorchTensor), Float32Array.of(2, 3, 4));
});

Deno.test("a zip whose data.pkl uses a missing storage key is refused", () => {
  const zip = storedZip([["t/data.pkl", tensorPickle(0, [4], [1], "7")], ["t/data/0", FOUR_FLOATS]]);
  assert.throws(() => readTorchFile(zip, { source: "bad.pt" }), /storage "7".*no entry "t\/data\/7"/);
});

Deno.test("a tensor reaching past its storage is a RangeError naming it", () => {
  for (const [offset, shape, stride] of [[1, [4], [1]], [5, [1], [1]], [0, [2, 2], [3, 1]]]) {
    const zip = storedZip([
      ["t/data.pkl", tensorPickle(offset as number, shape as number[], stride as number[])],
      ["t/data/0", FOUR_FLOATS],
    ]);
    assert.throws(() => readTorchFile(zip, { source: "past.pt" }), (error: Error) => {
      assert.ok(error instanceof RangeError);
      assert.match(error.message, /Tensor \(root\) in past\.pt .*storage has 4 elements/);
      return true;
    });
  }
  const storage = { dtype: "float32" as const, data: new Float32Array(4) };
  assert.throws(
    () => tensorToFloat32({ dtype: "float32", shape: [2], stride: [1], storageOffset: 3, storage }, "w.bias"),
    /Tensor w\.bias/,
  );
});

Deno.test("truncated zip and legacy files are refused", async () => {
  const age = await Deno.readFile(`${EDITINGS}/interfacegan_directions/age.pt`);
  for (const cut of [age.length - 5, age.length - 30, 1500, 100]) {
    assert.throws(() => readTorchFile(age.subarray(0, cut), { source: "age.pt" }), SyntaxError);
  }
  const church = await Deno.readFile(`${EDITINGS}/ganspace_pca/church_pca.pt`);
  for (const cut of [church.length - 1, church.length - 40000, 1000, 300, 20]) {
    assert.throws(() => readTorchFile(church.subarray(0, cut), { source: "church_pca.pt" }), SyntaxError);
  }
  // A flipped data byte fails the CRC.
  const corrupt = age.slice();
  corrupt[1000] ^= 0xff;
  assert.throws(() => readTorchFile(corrupt), /CRC-32/);
});

Deno.test("REDUCE of os.system / builtins.eval / subprocess.Popen is refused with no side effect", async () => {
  const dir = await Deno.makeTempDir();
  const marker = `${dir}/marker`;
  const command = unicode(`touch ${marker}`);
  const attacks: Array<[string, Uint8Array]> = [
    ["os.system", bytesOf(0x80, 2, "cos\nsystem\n", command, 0x85, "R.")],
    [
      "builtins.eval",
      bytesOf(0x80, 4, unicode("builtins"), unicode("eval"), 0x93, unicode("print(1)"), 0x85, "R."),
    ],
    ["subprocess.Popen", bytesOf(0x80, 2, "csubprocess\nPopen\n", "(", command, "tR.")],
    ["posix.system", bytesOf(0x80, 2, "cposix\nsystem\n", command, 0x85, "R.")],
  ];
  for (const [name, pickle] of attacks) {
    assert.throws(() => readTorchFile(pickle, { source: "evil.pkl" }), (error: Error) => {
      assert.ok(error.message.includes(`Pickle global "${name}" is not allowed`), error.message);
      assert.match(error.message, /allowed: .*torch\._utils\._rebuild_tensor_v2/);
      return true;
    });
    // The same inside a zip torch file.
    const zip = storedZip([["a/data.pkl", pickle], ["a/version", bytesOf("3\n")]]);
    assert.throws(() => readTorchFile(zip), new RegExp(name.replace(".", "\\.")));
  }
  await assert.rejects(Deno.stat(marker), Deno.errors.NotFound);
  await Deno.remove(dir, { recursive: true });
});

// ---- bounded work and memory (issue 16, item 6) ----

/** `{name: tensor}` as a data.pkl: the tensor of tensorPickle under one dict key. */
function namedTensorPickle(name: string, shape: number[], stride: number[], key = "0"): Uint8Array {
  const tensor = tensorPickle(0, shape, stride, key);
  return bytesOf(0x80, 2, "}", unicode(name), tensor.subarray(2, tensor.length - 1), "s.");
}

Deno.test("an unreferenced 3.5 GB deflated entry is never inflated; a referenced bomb is refused by name", async () => {
  const bomb = deflateBomb(3500);
  const pt = zipOf([
    { name: "t/data.pkl", data: namedTensorPickle("w", [4], [1]) },
    { name: "t/data/0", data: FOUR_FLOATS },
    { name: "t/data/99", data: bomb, method: 8, uncompressedSize: 3500 * 2 ** 20 },
    { name: "t/version", data: bytesOf("3\n") },
  ]);
  assert.ok(pt.length < 4_000_000);
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeFile(`${dir}/bomb.pt`, pt);
    const value = await readTorchFileFromPath(`${dir}/bomb.pt`) as Map<string, TorchTensor>;
    assert.deepEqual(tensorToFloat32(value.get("w")!), Float32Array.of(1, 2, 3, 4));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
  // The same bomb as the storage a tensor uses: refused before inflating (it declares more than 4 floats), or
  // stopped past its declared 16 bytes when it lies.
  const referenced = (uncompressedSize: number) =>
    zipOf([
      { name: "t/data.pkl", data: namedTensorPickle("w", [4], [1]) },
      { name: "t/data/0", data: bomb, method: 8, uncompressedSize },
    ]);
  assert.throws(
    () => readTorchFile(referenced(3500 * 2 ** 20), { source: "bomb.pt" }),
    new RangeError(`bomb.pt: entry "t/data/0" declares ${3500 * 2 ** 20} bytes, over the limit of 16`),
  );
  await assert.rejects(
    readTorchFileAsync(referenced(16), { source: "bomb.pt" }),
    new SyntaxError(`bomb.pt: entry "t/data/0" inflates to more than its declared 16 bytes`),
  );
  // A deflated storage that is what it says reads (torch never writes one, a re-zipped file may).
  const deflated = zipOf([
    { name: "t/data.pkl", data: namedTensorPickle("w", [4], [1]) },
    {
      name: "t/data/0",
      data: deflateRawSync(FOUR_FLOATS),
      method: 8,
      uncompressedSize: 16,
      crc: crc32(FOUR_FLOATS),
    },
  ]);
  assert.deepEqual(
    tensorToFloat32((readTorchFile(deflated) as Map<string, TorchTensor>).get("w")!),
    Float32Array.of(1, 2, 3, 4),
  );
});

Deno.test("a stride-0 tensor of shape [1, 1e9] on a 4-float storage is refused by name", () => {
  const zip = zipOf([
    { name: "t/data.pkl", data: namedTensorPickle("layer.weight", [1, 1e9], [0, 0]) },
    { name: "t/data/0", data: FOUR_FLOATS },
  ]);
  assert.throws(() => readTorchFile(zip, { source: "stride0.pt" }), (error: Error) => {
    assert.ok(error instanceof RangeError);
    assert.equal(
      error.message,
      "Tensor layer.weight in stride0.pt (shape [1,1000000000], stride [0,0], float32) has 1000000000 elements " +
        "from a storage of 4: overlapping strides over more than 16777216 elements are refused",
    );
    return true;
  });
  // Too many elements even without overlap, and a shape whose product is not a safe integer.
  // (A stand-in storage of 2^30 elements: the check reads only its length.)
  const storage = { dtype: "uint8" as const, data: { length: 2 ** 30 } as unknown as Uint8Array };
  assert.throws(
    () => tensorToFloat32({ dtype: "uint8", shape: [2 ** 29], stride: [1], storageOffset: 0, storage }, "x"),
    /Tensor x .* has 536870912 elements, over the limit of 268435456/,
  );
  assert.throws(
    () =>
      tensorToFloat32({ dtype: "uint8", shape: [1e9, 1e9], stride: [0, 0], storageOffset: 0, storage }, "y"),
    /Tensor y .* elements, over the limit/,
  );
  // A small broadcast (stride 0 within the limit) still reads.
  const small = zipOf([
    { name: "t/data.pkl", data: namedTensorPickle("b", [2, 3], [0, 1]) },
    { name: "t/data/0", data: FOUR_FLOATS },
  ]);
  const b = (readTorchFile(small) as Map<string, TorchTensor>).get("b")!;
  assert.deepEqual(tensorToFloat32(b), Float32Array.of(1, 2, 3, 1, 2, 3));
});

/** A legacy torch.save stream: magic, protocol, sys info, the object pickle, the key list, then the storages. */
function legacyStream(object: Uint8Array, keys: string[], storages: Uint8Array[]): Uint8Array {
  return bytesOf(
    0x80,
    2,
    0x8a,
    0x0a,
    0x6c,
    0xfc,
    0x9c,
    0x46,
    0xf9,
    0x20,
    0x6a,
    0xa8,
    0x50,
    0x19,
    ".",
    0x80,
    2,
    "M",
    0xe9,
    0x03,
    ".",
    0x80,
    2,
    "}.",
    object,
    keys.length ? bytesOf(0x80, 2, "](", ...keys.map(unicode), "e.") : bytesOf(0x80, 2, "]."),
    ...storages,
  );
}

Deno.test("torch.save blobs nested 1000 deep are refused with a clear error, not a stack overflow", () => {
  const innermost = legacyStream(
    bytesOf(
      0x80,
      2,
      "(",
      unicode("storage"),
      "ctorch\nFloatStorage\n",
      unicode("0"),
      unicode("cpu"),
      "K",
      4,
      "NtQ.",
    ),
    ["0"],
    [bytesOf(u32(4), u32(0), FOUR_FLOATS)],
  );
  const wrap = (inner: Uint8Array) =>
    legacyStream(
      bytesOf(0x80, 2, "ctorch.storage\n_load_from_bytes\n", "B", u32(inner.length), inner, 0x85, "R."),
      [],
      [],
    );
  let blob = innermost;
  for (let level = 1; level <= 3; level++) blob = wrap(blob);
  const storage = readTorchFile(blob, { source: "nested.pkl" }) as { data: Float32Array };
  assert.deepEqual(storage.data, Float32Array.of(1, 2, 3, 4));
  for (let level = 4; level <= 1000; level++) blob = wrap(blob);
  assert.throws(
    () => readTorchFile(blob, { source: "nested.pkl" }),
    new SyntaxError("nested.pkl: torch.save blobs (_load_from_bytes) nest deeper than 8"),
  );
});

Deno.test("readTorchFileFromPath refuses /dev/zero, a folder and a file over the limit, naming the path", async () => {
  await assert.rejects(
    readTorchFileFromPath("/dev/zero"),
    new TypeError('Torch file "/dev/zero" is a character device, not a regular file'),
  );
  const dir = await Deno.makeTempDir();
  try {
    await assert.rejects(
      readTorchFileFromPath(dir),
      new TypeError(`Torch file "${dir}" is a folder, not a regular file`),
    );
    await Deno.writeFile(`${dir}/w.pt`, new Uint8Array(100));
    await assert.rejects(
      readTorchFileFromPath(`${dir}/w.pt`, { maxFileBytes: 99 }),
      new RangeError(`Torch file "${dir}/w.pt" has 100 bytes, over the limit of 99`),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("reading a 3.5 GB zip bomb .pt and a stride-0 [1, 1e9] .pt peaks under 1 GiB (in a subprocess)", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeFile(
      `${dir}/bomb.pt`,
      zipOf([
        { name: "t/data.pkl", data: namedTensorPickle("w", [4], [1]) },
        { name: "t/data/0", data: FOUR_FLOATS },
        { name: "t/data/99", data: deflateBomb(3500), method: 8, uncompressedSize: 3500 * 2 ** 20 },
      ]),
    );
    await Deno.writeFile(
      `${dir}/stride0.pt`,
      zipOf([
        { name: "t/data.pkl", data: namedTensorPickle("w", [1, 1e9], [0, 0]) },
        { name: "t/data/0", data: FOUR_FLOATS },
      ]),
    );
    const reader = new URL("./torch_file.ts", import.meta.url).href;
    const script = `
      import { flattenStateDict, readTorchFileFromPath, tensorToFloat32 } from "${reader}";
      for (const name of ["bomb.pt", "stride0.pt"]) {
        try {
          for (const t of flattenStateDict(await readTorchFileFromPath("${dir}/" + name)).values()) tensorToFloat32(t);
          console.log(name, "read");
        } catch (error) {
          console.log(name, error.name);
        }
      }
      const status = await Deno.readTextFile("/proc/self/status").catch(() => "");
      const peak = Number(/VmHWM:\\s*(\\d+) kB/.exec(status)?.[1] ?? Deno.memoryUsage().rss / 1024);
      console.log("peak", peak);`;
    const { stdout, success } = await new Deno.Command(Deno.execPath(), {
      args: ["eval", "--no-check", script],
      stderr: "inherit",
    }).output();
    assert.ok(success);
    const lines = new TextDecoder().decode(stdout).trim().split("\n");
    assert.deepEqual(lines.slice(0, 2), ["bomb.pt read", "stride0.pt RangeError"]);
    const peakKiB = Number(lines[2].split(" ")[1]);
    assert.ok(peakKiB > 0 && peakKiB < 2 ** 20, `peak RSS ${peakKiB} KiB`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
