import assert from "node:assert/strict";
import { prngFill } from "./prng.ts";
import { loadReferenceFixture, referenceFixturesRoot } from "./reference_fixture.ts";

const generator = await loadReferenceFixture("generator-64");

/** A fixture folder in a temporary root, with the given manifest and files. */
async function temporaryFixture(
  manifest: unknown,
  files: Record<string, Uint8Array> = {},
): Promise<{ root: string; [Symbol.asyncDispose](): Promise<void> }> {
  const root = await Deno.makeTempDir();
  await Deno.mkdir(`${root}/tiny`);
  await Deno.writeTextFile(`${root}/tiny/manifest.json`, JSON.stringify(manifest));
  for (const [name, bytes] of Object.entries(files)) await Deno.writeFile(`${root}/tiny/${name}`, bytes);
  return { root, [Symbol.asyncDispose]: () => Deno.remove(root, { recursive: true }) };
}

Deno.test("the fixtures root holds prng_check.json and the fixture folders", async () => {
  const root = referenceFixturesRoot();
  assert.ok((await Deno.stat(`${root}/prng_check.json`)).isFile);
  assert.ok((await Deno.stat(`${root}/generator-64/manifest.json`)).isFile);
  assert.equal(generator.directory, `${root}/generator-64`);
});

Deno.test("generator-64: moduleWeights(G) follows the manifest", () => {
  const entry = generator.moduleEntry("G");
  const weights = generator.moduleWeights("G");
  assert.deepEqual([...weights.keys()], entry.tensors.filter((t) => t.fill !== "skip").map((t) => t.name));

  const constant = weights.get("synthesis.b4.const")!;
  assert.deepEqual(constant.shape, [64, 4, 4]);
  assert.equal(constant.data.length, 64 * 16);
  assert.deepEqual(constant.data, prngFill(0x6a0064, 0, 64 * 16, 0, 1));

  const wAvg = weights.get("mapping.w_avg")!;
  assert.deepEqual(wAvg.shape, [512]);
  const wAvgEntry = entry.tensors.find((t) => t.name === "mapping.w_avg")!;
  assert.deepEqual(wAvg.data, prngFill(entry.seed, wAvgEntry.k, 512, 0, 0.5));
  assert.ok(wAvg.data.every((value) => value >= -0.5 && value <= 0.5));

  const taps = [1, 3, 3, 1];
  const outer = taps.flatMap((a) => taps.map((b) => (a * b) / 64));
  const filters = [...weights.entries()].filter(([name]) => name.endsWith("resample_filter"));
  assert.ok(filters.length > 0);
  for (const [name, filter] of filters) {
    assert.deepEqual(filter.shape, [4, 4], name);
    assert.deepEqual([...filter.data], outer, name);
  }
});

Deno.test("generator-64: ws is the stored file, and regenerating it from its prng recipe gives the same bits", async () => {
  const ws = await generator.readTensor("inputs", "ws");
  assert.equal(ws.dtype, "float32");
  assert.deepEqual(ws.shape, [2, 10, 512]);
  const stored = await Deno.readFile(`${generator.directory}/ws.bin`);
  assert.deepEqual(new Uint8Array(ws.data.buffer, ws.data.byteOffset, ws.data.byteLength), stored);

  const recipe = generator.tensorEntry("inputs", "ws").prng!;
  assert.equal(recipe.seed, 0x6a1001);
  assert.equal(typeof recipe.k, "number");
  const regenerated = prngFill(recipe.seed, recipe.k as number, 2 * 10 * 512, recipe.offset, recipe.scale);
  assert.deepEqual(new Uint8Array(regenerated.buffer), stored);
});

Deno.test("generator-64: typed accessors", async () => {
  assert.deepEqual(generator.tensorNames("inputs"), ["ws", "z"]);
  assert.ok(generator.tensorNames("intermediates").includes("layer.b64.img"));
  assert.deepEqual(generator.moduleNames(), ["G"]);
  const img = await generator.readFloat32("outputs", "img");
  assert.deepEqual(img.shape, [2, 3, 64, 64]);
  assert.ok(img.data.every(Number.isFinite));
  assert.throws(() => generator.tensorEntry("outputs", "nope"), {
    name: "RangeError",
    message: /Fixture generator-64 has no tensor "nope" in outputs \(it has img, img_added/,
  });
  assert.throws(() => generator.moduleEntry("H"), {
    name: "RangeError",
    message: /Fixture generator-64 has no module "H" \(it has G\)/,
  });
});

Deno.test("hyperinverter-ffhq1024: modules E1, E2, H, G; G has 182 tensors; input_u8 is uint8", async () => {
  const fixture = await loadReferenceFixture("hyperinverter-ffhq1024");
  assert.deepEqual(fixture.moduleNames(), ["E1", "E2", "H", "G"]);
  assert.equal(fixture.moduleEntry("G").tensors.length, 182);
  assert.equal(fixture.moduleEntry("G").seed, 0xff060003);
  const image = await fixture.readTensor("inputs", "input_u8");
  assert.equal(image.dtype, "uint8");
  assert.equal(image.data.length, 1024 * 1024 * 3);
  await assert.rejects(fixture.readFloat32("inputs", "input_u8"), {
    name: "TypeError",
    message: /input_u8 is uint8, not float32/,
  });
});

Deno.test("a missing fixture says where it looked and mentions HYPERINVERTER_FIXTURES", async () => {
  await assert.rejects(loadReferenceFixture("no-such-fixture"), (error: Error) => {
    assert.ok(error instanceof Deno.errors.NotFound);
    assert.match(
      error.message,
      /Reference fixture "no-such-fixture" not found: looked for .*no-such-fixture\/manifest\.json/,
    );
    assert.match(error.message, /HYPERINVERTER_FIXTURES/);
    return true;
  });
  await assert.rejects(loadReferenceFixture("x", { root: "/nonexistent/root" }), {
    message: /looked for \/nonexistent\/root\/x\/manifest\.json .*HYPERINVERTER_FIXTURES/,
  });
  await assert.rejects(loadReferenceFixture("../generator-64"), {
    name: "TypeError",
    message: /not a plain folder/,
  });
});

Deno.test("HYPERINVERTER_FIXTURES overrides the default root", async () => {
  const previous = Deno.env.get("HYPERINVERTER_FIXTURES");
  Deno.env.set("HYPERINVERTER_FIXTURES", "/somewhere/else/");
  try {
    assert.equal(referenceFixturesRoot(), "/somewhere/else");
    await assert.rejects(loadReferenceFixture("generator-64"), {
      message: /looked for \/somewhere\/else\/generator-64/,
    });
  } finally {
    if (previous === undefined) Deno.env.delete("HYPERINVERTER_FIXTURES");
    else Deno.env.set("HYPERINVERTER_FIXTURES", previous);
  }
});

Deno.test("a .bin of the wrong byte length gives a clear error", async () => {
  const truncated = (await Deno.readFile(`${generator.directory}/z.bin`)).subarray(0, 1000);
  const manifest = { inputs: { z: generator.tensorEntry("inputs", "z") } };
  await using fixture = await temporaryFixture(manifest, { "z.bin": truncated });
  const tiny = await loadReferenceFixture("tiny", { root: fixture.root });
  await assert.rejects(tiny.readTensor("inputs", "z"), {
    name: "TypeError",
    message: /Fixture tiny tensor inputs\.z: .*tiny\/z\.bin has 1000 bytes, but float32 \[2,512\] needs 4096/,
  });
});

Deno.test("a temporary fixture: prng-only tensors, int32 files, keep, skip and bad entries", async () => {
  const manifest = {
    inputs: {
      noise: { shape: [3, 2], prng: { seed: 7, k: 1, offset: 0.5, scale: 2 } },
      family: {
        shape: "[2,O,I,k,k] of each layer",
        prng: { seed: 7, k: "layer index", offset: 0, scale: 1 },
      },
      perLayer: { shape: [2], prng: { seed: 7, k: "layer index", offset: 0, scale: 1 } },
      nothing: { shape: [2] },
      sneaky: { file: "../escape.bin", dtype: "uint8", shape: [1] },
    },
    outputs: {
      pos: { file: "pos.bin", dtype: "int32", shape: [2], note: "" },
      half: { file: "half.bin", dtype: "float16", shape: [1] },
      missing: { file: "missing.bin", dtype: "float32", shape: [1] },
    },
    modules: {
      M: {
        seed: 99,
        tensors: [
          {
            k: 0,
            name: "w",
            shape: [2, 3],
            dtype: "float32",
            rule: "r",
            fill: "prng",
            offset: 1,
            scale: 0.1,
          },
          { k: 1, name: "count", shape: [], dtype: "int64", rule: "skip", fill: "skip" },
          { k: 2, name: "f", shape: [2], dtype: "float32", rule: "keep", fill: "keep", values: [0.25, 0.75] },
          { k: 3, name: "s", shape: [], dtype: "float32", rule: "r", fill: "prng", offset: 0, scale: 1 },
        ],
      },
      BadKeep: {
        seed: 1,
        tensors: [{ k: 0, name: "f", shape: [3], dtype: "float32", rule: "keep", fill: "keep", values: [1] }],
      },
      BadFill: {
        seed: 1,
        tensors: [{ k: 0, name: "g", shape: [1], dtype: "float32", rule: "r", fill: "zeros" }],
      },
      BadPrng: {
        seed: 1,
        tensors: [{ k: 0, name: "h", shape: [1], dtype: "float32", rule: "r", fill: "prng" }],
      },
    },
  };
  await using fixture = await temporaryFixture(manifest, {
    "pos.bin": new Uint8Array(new Int32Array([-5, 1 << 30]).buffer),
    "half.bin": new Uint8Array(2),
  });
  const tiny = await loadReferenceFixture("tiny", { root: fixture.root });

  const noise = await tiny.readTensor("inputs", "noise");
  assert.equal(noise.dtype, "float32");
  assert.deepEqual(noise.shape, [3, 2]);
  assert.deepEqual(noise.data, prngFill(7, 1, 6, 0.5, 2));

  const pos = await tiny.readTensor("outputs", "pos");
  assert.equal(pos.dtype, "int32");
  assert.deepEqual([...pos.data], [-5, 1 << 30]);

  await assert.rejects(tiny.readTensor("inputs", "family"), {
    name: "TypeError",
    message: /inputs\.family: shape "\[2,O,I,k,k\] of each layer" is not a list of sizes/,
  });
  await assert.rejects(tiny.readTensor("inputs", "perLayer"), {
    name: "TypeError",
    message: /inputs\.perLayer: the prng recipe \(k "layer index", dtype float32\) is not one float32 tensor/,
  });
  await assert.rejects(tiny.readTensor("inputs", "nothing"), { message: /neither a file nor a prng recipe/ });
  await assert.rejects(tiny.readTensor("inputs", "sneaky"), {
    message: /"\.\.\/escape\.bin" is not a plain file/,
  });
  await assert.rejects(tiny.readTensor("outputs", "half"), { message: /unknown dtype "float16"/ });
  await assert.rejects(tiny.readTensor("outputs", "missing"), Deno.errors.NotFound);
  await assert.rejects(tiny.readTensor("intermediates", "x"), {
    name: "RangeError",
    message: /Fixture tiny has no section "intermediates"/,
  });

  const weights = tiny.moduleWeights("M");
  assert.deepEqual([...weights.keys()], ["w", "f", "s"]);
  assert.deepEqual(weights.get("w")!.data, prngFill(99, 0, 6, 1, 0.1));
  assert.deepEqual([...weights.get("f")!.data], [0.25, 0.75]);
  assert.deepEqual(weights.get("s")!.shape, []);
  assert.deepEqual(weights.get("s")!.data, prngFill(99, 3, 1, 0, 1));
  assert.throws(() => tiny.moduleWeights("BadKeep"), {
    name: "RangeError",
    message: /module BadKeep tensor "f": kept values \(1\) do not match shape \[3\] \(3\)/,
  });
  assert.throws(() => tiny.moduleWeights("BadFill"), { name: "TypeError", message: /unknown fill "zeros"/ });
  assert.throws(() => tiny.moduleWeights("BadPrng"), {
    name: "TypeError",
    message: /"h": a prng entry needs/,
  });
});

Deno.test("a manifest that is not JSON is a SyntaxError naming the file", async () => {
  await using fixture = await temporaryFixture({});
  await Deno.writeTextFile(`${fixture.root}/tiny/manifest.json`, "{ nope");
  await assert.rejects(loadReferenceFixture("tiny", { root: fixture.root }), {
    name: "SyntaxError",
    message: /Manifest .*tiny\/manifest\.json is not JSON/,
  });
});
