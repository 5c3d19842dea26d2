import assert from "node:assert/strict";
import { prngFill } from "../io/prng.ts";
import { readInversionFile, writeInversionFile } from "../io/inversion_file.ts";
import { interpolateAt, interpolateCodesAt } from "../editing/interpolate.ts";
import { resolveHypernetPlugins } from "../hypernet/plugins.ts";
import { TINY_ARCHITECTURE, writeTinyModel } from "../tests/_tiny_model.ts";
import { resolveArchitecture } from "./architecture.ts";
import { loadHyperInverter } from "./load.ts";
import type { HyperInverter } from "./hyperinverter.ts";
import {
  type CodedInversionResult,
  codeGraphs,
  invertWithCodes,
  loadInversion,
  modelIdentity,
  residualsFromCodes,
} from "./compact_inversion.ts";

const DEFAULT_MODEL = "data/models/default/model.json";

function maxAbs(a: Float32Array, b: Float32Array): number {
  assert.equal(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** Writes one image's inversion compactly (w, codes, identity), as `invert` does. */
async function writeCompact(
  path: string,
  model: HyperInverter,
  modelPath: string,
  result: CodedInversionResult,
) {
  const passes = model.architecture.refinementPasses;
  await writeInversionFile(path, {
    ws: { data: result.wCodes.data, shape: result.wCodes.shape.slice(1) },
    codes: new Map(
      [...result.codes!].map(([key, data]) => [key, { data, shape: [passes, data.length / passes] }]),
    ),
    residuals: new Map(),
    model: await modelIdentity(model, modelPath),
    modelName: modelPath,
    source: "test image",
  });
}

const wrap = (residuals: ReadonlyMap<string, Float32Array>) =>
  new Map([...residuals].map(([name, data]) => [name, { data }]));

Deno.test("every built-in sharing strategy is affine in its codes; a non-affine plug-in gets the reason", async () => {
  for (const sharing of ["perLayer", "perResolution", "sharedCode", "sharedWeights"]) {
    const architecture = resolveArchitecture({
      ...TINY_ARCHITECTURE,
      hypernet: { ...TINY_ARCHITECTURE.hypernet, sharing },
    });
    const graphs = codeGraphs(architecture, 2);
    assert.equal(graphs.whyNotAffine, null, sharing);
    assert.equal(graphs.codeInputs.size, 14, sharing);
    // The mapper reads only codes and mapper parameters (w1, b1, w2, b2 or a sharedWeights head).
    assert.ok(graphs.mapper!.inputs.every((t) => t.name.startsWith("v.")), sharing);
    assert.ok(
      graphs.mapper!.parameters.every((p) => /\.(w1|b1|w2|b2|head\.weight|head\.bias)$/.test(p.name)),
    );
  }
  assert.equal(
    new Set(
      codeGraphs(
        resolveArchitecture({
          ...TINY_ARCHITECTURE,
          hypernet: { ...TINY_ARCHITECTURE.hypernet, sharing: "sharedCode" },
        }),
        1,
      ).codeInputs.values(),
    ).size,
    1,
  ); // one code shared by all targets: one mapper input
  const dir = await Deno.makeTempDir({ prefix: "compact-plugin-" });
  try {
    const perLayer = new URL("../hypernet/sharing/per_layer.ts", import.meta.url).href;
    await Deno.writeTextFile(
      `${dir}/squash.ts`,
      `import { perLayer } from "${perLayer}";\n` +
        `export const squashed = { name: "squashed", description: "tanh(ΔW)",\n` +
        `  build: (g, targets, context) => new Map([...perLayer.build(g, targets, context)].map(([k, v]) => [k, g.tanh(v)])) };\n`,
    );
    const { config } = await resolveHypernetPlugins({
      ...TINY_ARCHITECTURE.hypernet,
      sharing: `file://${dir}/squash.ts#squashed`,
    });
    const graphs = codeGraphs(resolveArchitecture({ ...TINY_ARCHITECTURE, hypernet: { ...config } }), 1);
    assert.equal(graphs.mapper, null);
    assert.match(graphs.whyNotAffine!, /ΔW of "b4\.conv1\.weight" is not affine in its code: Tanh node/);
    assert.match(graphs.whyNotAffine!, /squash\.ts#squashed/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a compact file gives the final image of the full ΔW; v interpolation is ΔW interpolation; another model is refused", async () => {
  const dir = await Deno.makeTempDir({ prefix: "compact-" });
  try {
    const model = await loadHyperInverter(DEFAULT_MODEL);
    const images = prngFill(21, 0, 2 * 3 * 32 * 32, 0, 0.6);
    const result = await invertWithCodes(model, images, 2);
    const plain = await model.invert(images, 2);
    assert.equal(maxAbs(result.finalImages.data, plain.finalImages.data), 0); // same pipeline as invert()
    const perImage = 3 * 32 * 32;
    const inversions = [];
    for (let i = 0; i < 2; i++) {
      const one = await invertWithCodes(model, images.slice(i * perImage, (i + 1) * perImage), 1);
      const path = `${dir}/${i}.safetensors`;
      await writeCompact(path, model, DEFAULT_MODEL, one);
      assert.ok((await Deno.stat(path)).size < 20_000);
      const loaded = await loadInversion(path, model, DEFAULT_MODEL);
      const fromCodes = await model.synthesize(loaded.ws, wrap(loaded.residuals), 1);
      assert.ok(maxAbs(fromCodes.data, one.finalImages.data) <= 1e-6);
      const full = new Map([...one.residuals].map(([name, r]) => [name, r.data]));
      inversions.push({ ws: loaded.ws, codes: loaded.codes!, residuals: full });
    }
    const [a, b] = inversions;
    for (const t of [0, 0.3, 0.5, 1]) {
      const throughDelta = interpolateAt(a, b, t);
      const throughCodes = interpolateCodesAt(a, b, t);
      const residuals = await residualsFromCodes(model, throughCodes.codes);
      for (const [name, delta] of throughDelta.residuals) {
        // Equal up to float32 rounding: ≤ 1e-6 of the layer's largest |ΔW| (a few ulps; 1.4e-6 at |ΔW| ≈ 5).
        const scale = Math.max(...delta.map(Math.abs));
        assert.ok(maxAbs(residuals.get(name)!, delta) <= 1e-6 * scale, `${name} at t = ${t}`);
      }
      const image = await model.synthesize(throughCodes.ws, wrap(residuals), 1);
      const reference = await model.synthesize(throughDelta.ws, wrap(throughDelta.residuals), 1);
      // The residuals differ by a few ulps (above), and the synthesis carries that through its layers: 1.13e-6
      // measured at t = 0.3 on the step-12500 default model (1e-6 held for the older one), ≈ 10 float32 ulps of
      // a value near 1. 4e-6 (≈ 32 ulps) keeps this a rounding check; a wrong interpolation moves pixels by 1e-2.
      const difference = maxAbs(image.data, reference.data);
      assert.ok(difference <= 4e-6, `image at t = ${t}: max |difference| ${difference}`);
    }
    const other = await writeTinyModel(`${dir}/tiny`);
    const tiny = await loadHyperInverter(other);
    await assert.rejects(
      () => loadInversion(`${dir}/0.safetensors`, tiny, other),
      (e: Error) =>
        e instanceof TypeError && e.message.includes(`inverted with model "${DEFAULT_MODEL}" (identity `) &&
        e.message.includes(`not with "${other}" (identity `),
    );
    const file = await readInversionFile(`${dir}/0.safetensors`);
    assert.equal(file.residuals.size, 0);
    assert.equal(file.codes.get("b4_conv1_weight")!.shape[1], 16);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("ffhq1024 D=128: the compact file is under 100 KB and recomputes the final image of the full ΔW", async () => {
  const dir = await Deno.makeTempDir({ prefix: "compact-1024-" });
  try {
    const name = "reference:ffhq1024";
    const model = await loadHyperInverter(name);
    const image = prngFill(1024, 0, 3 * 1024 * 1024, 0, 0.5);
    const result = await invertWithCodes(model, image, 1);
    const path = `${dir}/face.safetensors`;
    await writeCompact(path, model, name, result);
    const size = (await Deno.stat(path)).size;
    assert.ok(size <= 100_000, `${size} bytes`);
    const loaded = await loadInversion(path, model, name);
    const fromCodes = await model.synthesize(loaded.ws, wrap(loaded.residuals), 1);
    const error = maxAbs(fromCodes.data, result.finalImages.data);
    assert.ok(error <= 1e-6, `max-abs ${error}`);
    console.log(`ffhq1024 compact file ${size} bytes; final image from v vs from ΔW: max-abs ${error}`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
