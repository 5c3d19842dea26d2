import assert from "node:assert/strict";
import { INT8_MIN_MACS } from "../graph/int8_rewrite.ts";
import { countMacs } from "../graph/flops.ts";
import { prngFill } from "../io/prng.ts";
import { resolveArchitecture } from "./architecture.ts";
import { HyperInverter } from "./hyperinverter.ts";
import { hyperInverterGraph } from "./pipeline_graph.ts";

/** A small model whose synthesis has 128-channel 3×3 convolutions at 32² and 64² (Winograd's range). */
const ARCHITECTURE = resolveArchitecture({
  generator: { resolution: 64, channelBase: 4096, channelMax: 128, mappingLayers: 2 },
  wEncoder: { preset: "tiny64" },
  layerWiseEncoder: { preset: "tiny64" },
  hypernet: { hiddenDim: 8, featureChannels: 64, featureSize: 4 },
  refinementPasses: 1,
});

function seededWeights(): Map<string, Float32Array> {
  const weights = new Map<string, Float32Array>();
  hyperInverterGraph(ARCHITECTURE).parameters.forEach((p, k) => {
    const positive = p.name.endsWith("running_var") || /(bn\d?|\.1)\.weight$/.test(p.name);
    const small = p.name.startsWith("hypernet.");
    weights.set(p.name, prngFill(0x5eed, k, p.size, positive ? 0.9 : 0, positive ? 0.2 : small ? 0.02 : 0.3));
  });
  return weights;
}

function maxRelativeDiff(a: Float32Array, b: Float32Array): number {
  let diff = 0, scale = 0;
  for (let i = 0; i < a.length; i++) {
    (diff = Math.max(diff, Math.abs(a[i] - b[i])), scale = Math.max(scale, Math.abs(a[i])));
  }
  return diff / scale;
}

Deno.test("HyperInverter runs its synthesis' 3×3 convolutions by Winograd by default, with the direct result", async () => {
  const weights = seededWeights();
  const direct = new HyperInverter(ARCHITECTURE, weights, { winograd: false, lowMemory: true });
  const fast = new HyperInverter(ARCHITECTURE, weights);
  // 4× fewer multiplies in the rewritten 32² and 64² conv1 layers (their input transforms are convolutions too).
  const directMacs = countMacs(direct.executionGraph("phaseTwo", 1));
  const fastMacs = countMacs(fast.executionGraph("phaseTwo", 1));
  assert.equal(
    countMacs(fast.stageGraph("phaseTwo", 1)).conv,
    directMacs.conv,
    "exports keep the plain graph",
  );
  assert.ok(fastMacs.conv < 0.65 * directMacs.conv, `conv MACs ${fastMacs.conv} vs ${directMacs.conv}`);
  const images = prngFill(7, 0, 2 * 3 * 64 * 64, -0.9, 1.8);
  const a = await direct.invert(images, 2);
  const b = await fast.invert(images, 2);
  assert.ok(maxRelativeDiff(a.wCodes.data, b.wCodes.data) < 1e-5, "w codes");
  assert.ok(maxRelativeDiff(a.phaseOneImages.data, b.phaseOneImages.data) < 1e-5, "phase-I images");
  assert.ok(maxRelativeDiff(a.finalImages.data, b.finalImages.data) < 1e-5, "final images");
  for (const [target, residual] of a.residuals) {
    assert.ok(maxRelativeDiff(residual.data, b.residuals.get(target)!.data) < 1e-5, `ΔW ${target}`);
  }
});

Deno.test("the staged inversion (E2 of x and x̂ as one batch of 2B) equals the fused graph, over two passes", async () => {
  const architecture = resolveArchitecture({
    generator: { resolution: 64, channelBase: 1024, channelMax: 64, mappingLayers: 2 },
    wEncoder: { preset: "tiny64" },
    layerWiseEncoder: { preset: "tiny64" },
    hypernet: { hiddenDim: 8, featureChannels: 64, featureSize: 4 },
    refinementPasses: 2,
  });
  const weights = new Map<string, Float32Array>();
  hyperInverterGraph(architecture).parameters.forEach((p, k) => {
    const positive = p.name.endsWith("running_var") || /(bn\d?|\.1)\.weight$/.test(p.name);
    weights.set(p.name, prngFill(0x5eed, k, p.size, positive ? 0.9 : 0, positive ? 0.2 : 0.05));
  });
  const images = prngFill(8, 0, 3 * 3 * 64 * 64, -0.9, 1.8);
  const staged = await new HyperInverter(architecture, weights).invert(images, 3);
  const fused = await new HyperInverter(architecture, weights, { mode: "fused" }).invert(images, 3);
  assert.deepEqual(Object.keys(staged.stageMilliseconds), [
    "encode",
    "phaseOne",
    "features",
    "hypernet",
    "phaseTwo",
  ]);
  assert.ok(maxRelativeDiff(fused.phaseOneImages.data, staged.phaseOneImages.data) < 1e-5, "phase-I images");
  assert.ok(maxRelativeDiff(fused.finalImages.data, staged.finalImages.data) < 1e-5, "final images");
  for (const [target, residual] of fused.residuals) {
    assert.ok(maxRelativeDiff(residual.data, staged.residuals.get(target)!.data) < 1e-5, `ΔW ${target}`);
  }
});

Deno.test("precision int8 runs the encoders' convolutions in 8 bits: close to float32, per-image, no float conv left", async () => {
  const weights = seededWeights();
  const float = new HyperInverter(ARCHITECTURE, weights);
  const int8 = new HyperInverter(ARCHITECTURE, weights, { precision: "int8" });
  for (const stage of ["encode", "features"] as const) {
    const convs = int8.executionGraph(stage, 1).nodes.filter((n) =>
      n.op === "Conv" && n.inputs[1].origin === "parameter"
    );
    const large = convs.filter((n) => countMacs({ nodes: [n] } as never).total >= INT8_MIN_MACS);
    assert.equal(large.length, 0, `${stage}: float convs of ≥ 2²⁴ MACs left: ${large.map((n) => n.name)}`);
    assert.ok(
      int8.executionGraph(stage, 1).nodes.some((n) => n.op === "MatMulInteger"),
      `${stage} has int8 products`,
    );
  }
  const images = prngFill(9, 0, 2 * 3 * 64 * 64, -0.9, 1.8);
  const a = await float.invert(images, 2);
  const b = await int8.invert(images, 2);
  const wError = maxRelativeDiff(a.wCodes.data, b.wCodes.data);
  const imageError = maxRelativeDiff(a.finalImages.data, b.finalImages.data);
  assert.ok(wError > 1e-6 && wError < 0.05, `w codes: ${wError}`); // quantized (not exact), but close
  assert.ok(imageError > 1e-6 && imageError < 0.1, `final images: ${imageError}`);
  // Per-image quantization: the first image alone gives the result it gets in the batch of two (up to float
  // summation order, ≈ 1e-7; a scale shared with its batch mate would move it by the quantization error, ≈ 1e-2).
  const alone = await int8.invert(images.slice(0, 3 * 64 * 64), 1);
  const batchError = maxRelativeDiff(alone.finalImages.data, b.finalImages.data.slice(0, 3 * 64 * 64));
  assert.ok(batchError < 1e-5, `alone vs in a batch: ${batchError}`);
});

Deno.test("precision int8 is refused on a GPU device with a message naming the fix; auto means the CPU", () => {
  const weights = seededWeights();
  for (const device of ["cuda", "webgpu"]) {
    assert.throws(
      () => new HyperInverter(ARCHITECTURE, weights, { precision: "int8", device }),
      /precision "int8" runs on the CPU provider only.*use device "cpu"/,
    );
  }
  assert.equal(
    new HyperInverter(ARCHITECTURE, weights, { precision: "int8", device: "auto" }).options.device,
    "cpu",
  );
  assert.throws(
    () => new HyperInverter(ARCHITECTURE, weights, { precision: "int4" as "int8" }),
    /Unknown precision "int4"/,
  );
});
