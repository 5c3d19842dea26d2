import assert from "node:assert/strict";
import { readWeights, type Weight, writeWeights } from "../io/weights_file.ts";
import { TINY_ARCHITECTURE, writeTinyModel } from "../tests/_tiny_model.ts";
import { loadHyperInverter } from "./load.ts";
import { resolveArchitecture } from "./architecture.ts";
import { HyperInverter } from "./hyperinverter.ts";
import { FUSION_NAMES, SHARING_NAMES } from "../hypernet/mod.ts";
import { prngFill } from "../io/prng.ts";
import { writeModelFolder } from "./model_folder.ts";
import { NonFiniteOutputError } from "./output_checks.ts";

Deno.test("a model folder loads and inverts a batch; ΔW, images and w codes have the documented shapes", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const model = await loadHyperInverter(await writeTinyModel(dir));
    const images = prngFill(3, 0, 2 * 3 * 64 * 64, 0, 0.9);
    const result = await model.invert(images, 2);
    assert.deepEqual(result.wCodes.shape, [2, 10, 512]);
    assert.deepEqual(result.finalImages.shape, [2, 3, 64, 64]);
    assert.deepEqual(result.residuals.get("b8.conv0.weight")!.shape, [2, 64, 64, 3, 3]);
    assert.ok(result.finalImages.data.every(Number.isFinite));
    // Batch rows are independent: the second image alone gives the same outputs.
    const alone = await model.invert(images.subarray(3 * 64 * 64), 1);
    const perImage = 3 * 64 * 64;
    const second = result.finalImages.data.subarray(perImage);
    assert.ok(second.every((v, i) => Math.abs(v - alone.finalImages.data[i]) < 1e-4));
    await assert.rejects(() => model.invert(new Float32Array(10), 1), /Expected 1 image\(s\) of 3×64×64/);
    const bad = new Float32Array(perImage);
    bad[5] = NaN;
    await assert.rejects(() => model.invert(bad, 1), /Image values must be finite; value 5 is NaN/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a checkpoint with a missing or mis-shaped tensor is rejected with every problem named", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const manifest = await writeTinyModel(dir);
    const { weights } = await readWeights(`${dir}/hypernet.safetensors`);
    weights.delete("weight_regressors.b8_conv0_weight.w1");
    const w2 = weights.get("weight_regressors.b4_conv1_weight.w2")!;
    weights.set("weight_regressors.b4_conv1_weight.w2", { data: w2.data, shape: [w2.shape[1], w2.shape[0]] });
    await writeWeights(`${dir}/hypernet.safetensors`, weights, { overwrite: true });
    await assert.rejects(
      () => loadHyperInverter(manifest),
      (e: Error) =>
        /missing 1 weight\(s\): hypernet\.weight_regressors\.b8_conv0_weight\.w1 \[8, 512\]/.test(
          e.message,
        ) &&
        /"hypernet\.weight_regressors\.b4_conv1_weight\.w2" has shape \[576, 8\], expected \[8, 576\]/.test(
          e.message,
        ),
    );
    const bytes = await Deno.readFile(`${dir}/generator.safetensors`);
    await Deno.writeFile(`${dir}/generator.safetensors`, bytes.subarray(0, 1000));
    await assert.rejects(
      () => loadHyperInverter(manifest),
      /Cannot read the generator weights ".*generator\.safetensors"/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("inconsistent architectures are rejected with every mismatch listed", () => {
  assert.throws(
    () =>
      resolveArchitecture({
        ...TINY_ARCHITECTURE,
        layerWiseEncoder: { preset: "tiny64", nStyles: 8 },
        hypernet: { hiddenDim: 8, featureChannels: 32, featureSize: 4 },
      }),
    (e: Error) =>
      /nStyles 8 must equal the generator's 10 w rows/.test(e.message) &&
      /hypernet\.featureChannels 32 must equal layerWiseEncoder\.featureChannels 64/.test(e.message),
  );
  assert.throws(
    () => resolveArchitecture({ ...TINY_ARCHITECTURE, hypernet: { fusion: "concat" } }),
    /architecture\.hypernet: Unknown HypernetConfig\.fusion "concat"/,
  );
  assert.throws(
    () => resolveArchitecture({ ...TINY_ARCHITECTURE, generator: { resolution: 48 } }),
    /architecture\.generator/,
  );
});

Deno.test("every fusion operator × sharing strategy, and two refinement passes, run through the whole pipeline", async () => {
  const images = prngFill(4, 0, 3 * 64 * 64, 0, 0.9);
  for (const fusion of FUSION_NAMES) {
    for (const sharing of SHARING_NAMES) {
      const architecture = resolveArchitecture({
        ...TINY_ARCHITECTURE,
        hypernet: { ...TINY_ARCHITECTURE.hypernet, fusion, sharing },
        refinementPasses: fusion === "concatConv" && sharing === "perLayer" ? 2 : 1,
      });
      const probe = new HyperInverter(architecture, new Map());
      const weights = new Map(
        probe.graphWithoutChecks(1).parameters.map((
          p,
          k,
        ) => [p.name, prngFill(9, k, p.size, p.name.endsWith("running_var") ? 1.5 : 0, 0.2)]),
      );
      const result = await new HyperInverter(architecture, weights).invert(images, 1);
      assert.deepEqual(result.finalImages.shape, [1, 3, 64, 64], `${fusion}/${sharing}`);
      assert.equal(result.residuals.size, 14, `${fusion}/${sharing}`);
      assert.ok(result.finalImages.data.every(Number.isFinite), `${fusion}/${sharing}`);
    }
  }
});

/** Rewrites a safetensors file with every tensor's dtype replaced (the bytes unchanged): a mislabelled file. */
async function relabelDtype(path: string, dtype: string): Promise<void> {
  const bytes = await Deno.readFile(path);
  const length = Number(new DataView(bytes.buffer).getBigUint64(0, true));
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + length)));
  for (const [name, entry] of Object.entries(header)) {
    if (name !== "__metadata__") (entry as { dtype: string }).dtype = dtype;
  }
  const text = new TextEncoder().encode(JSON.stringify(header).padEnd(Math.ceil((length + 64) / 8) * 8));
  const out = new Uint8Array(8 + text.length + bytes.length - 8 - length);
  new DataView(out.buffer).setBigUint64(0, BigInt(text.length), true);
  out.set(text, 8);
  out.set(bytes.subarray(8 + length), 8 + text.length);
  await Deno.writeFile(path, out);
}

Deno.test("a NaN in a weights file stops the load, naming the file and the tensor", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const manifest = await writeTinyModel(dir);
    const path = `${dir}/hypernet.safetensors`;
    const { weights } = await readWeights(path);
    weights.get("weight_regressors.b8_conv0_weight.w1")!.data[3] = NaN;
    await writeWeights(path, weights, { overwrite: true });
    await assert.rejects(() => loadHyperInverter(manifest), (error: Error) => {
      assert.match(error.message, /Cannot read the hypernet weights ".*hypernet\.safetensors"/);
      assert.match(
        error.message,
        /tensor "weight_regressors\.b8_conv0_weight\.w1" holds 1 non-finite value\(s\), the first NaN at index 3/,
      );
      assert.ok(error.cause instanceof RangeError);
      return true;
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a BF16 header over float16 bytes is caught: by the recorded sha256, and without one by the magnitudes", async () => {
  const source = await Deno.makeTempDir();
  const dir = await Deno.makeTempDir();
  try {
    const tiny = await loadHyperInverter(await writeTinyModel(source));
    const manifest = await writeModelFolder(dir, {
      name: "f16",
      architecture: TINY_ARCHITECTURE,
      weights: tiny.weights as Map<string, Weight>,
    });
    const written = JSON.parse(await Deno.readTextFile(manifest));
    assert.match(written.sha256.hypernet, /^[0-9a-f]{64}$/);
    assert.equal((await loadHyperInverter(manifest)).resolution, 64, "an intact folder loads");

    await relabelDtype(`${dir}/hypernet.safetensors`, "BF16");
    await assert.rejects(() => loadHyperInverter(manifest), (error: Error) => {
      assert.match(
        error.message,
        /hypernet\.safetensors: sha256 [0-9a-f]{64} differs from [0-9a-f]{64} recorded in the manifest/,
      );
      assert.ok(error.cause instanceof SyntaxError);
      return true;
    });

    // A manifest without digests (an older one): the misread values are implausibly small.
    delete written.sha256;
    await Deno.writeTextFile(manifest, JSON.stringify(written));
    await assert.rejects(
      () => loadHyperInverter(manifest),
      /hypernet\.safetensors: tensor "[^"]+" holds \d+ value\(s\) of implausible magnitude.*mislabelled/,
    );
  } finally {
    await Deno.remove(source, { recursive: true });
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("an inversion with a non-finite output throws, naming the stage and the input", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const loaded = await loadHyperInverter(await writeTinyModel(dir));
    const perImage = 3 * 64 * 64;
    const images = prngFill(3, 0, 2 * perImage, 0, 0.9);

    // Weights damaged after loading (or given to the constructor unchecked): NaN in the hypernet.
    const weights = new Map(loaded.weights);
    const w1 = weights.get("hypernet.weight_regressors.b8_conv0_weight.w1") as Weight;
    const poisoned = w1.data.slice();
    poisoned[0] = NaN;
    weights.set("hypernet.weight_regressors.b8_conv0_weight.w1", { data: poisoned, shape: w1.shape });
    const damaged = new HyperInverter(loaded.architecture, weights);
    await assert.rejects(() => damaged.invert(images, 2), (error: Error) => {
      assert.ok(error instanceof NonFiniteOutputError && error instanceof RangeError);
      assert.equal(error.stage, "residuals");
      assert.equal(error.index, 0);
      assert.match(
        error.message,
        /The residuals \(ΔW "b8\.conv0\.weight"\) of input 0 of the batch hold a non-finite value/,
      );
      return true;
    });

    // Finite but overflowing input in the second image only: that input is named.
    const overflow = images.slice();
    overflow.fill(3e38, perImage);
    await assert.rejects(() => loaded.invert(overflow, 2), (error: Error) => {
      assert.ok(error instanceof NonFiniteOutputError);
      assert.equal(error.index, 1);
      return true;
    });
    await assert.rejects(
      () => damaged.synthesize(new Float32Array(10 * 512).fill(Infinity), null, 1),
      /The synthesis of input 0 of the batch hold a non-finite value/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a manifest or weights path that is not a regular file is refused by name, not read forever", async () => {
  await assert.rejects(loadHyperInverter("/dev/zero"), /Model manifest "\/dev\/zero" is a character device/);
  const dir = await Deno.makeTempDir();
  try {
    const manifestPath = await writeTinyModel(dir);
    const manifest = JSON.parse(await Deno.readTextFile(manifestPath));
    manifest.weights.generator = "/dev/zero";
    delete manifest.sha256;
    await Deno.writeTextFile(manifestPath, JSON.stringify(manifest));
    await assert.rejects(loadHyperInverter(manifestPath), /Weights file "\/dev\/zero" is a character device/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
