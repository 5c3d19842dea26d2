/**
 * The whole HyperInverter pipeline against the official code (reference fixtures hyperinverter-church256 and
 * hyperinverter-ffhq1024, seeded weights). Tolerances, from the fixture README §5: max-abs 1e-4 on images (in
 * about [−3, 5]) and w codes, 1e-5 on ΔW (rms ≈ 0.1; the official code's own 1-vs-2-thread spread is 1.7e-6),
 * and relative 1e-5 on the ΔW statistics (sums of up to 2.4 M elements).
 */
import assert from "node:assert/strict";
import { rgbBytesToTensor } from "../io/image.ts";
import { loadReferenceFixture, type ReferenceFixture } from "../io/reference_fixture.ts";
import { resolveArchitecture } from "../model/architecture.ts";
import { HyperInverter } from "../model/hyperinverter.ts";
import { CHURCH_256_D64, FFHQ_1024_D128 } from "../model/presets.ts";
import type { ArchitectureJson } from "../model/architecture.ts";
import { pipelineWeightsFromFixture } from "../model/reference_weights.ts";
import { layerRegistry, targetLayers } from "../generator/registry.ts";
import { assertClose } from "./_assert_close.ts";
import { averagePool, crop } from "./_fixtures.ts";

const IMAGE_TOLERANCE = 1e-4;
const DELTA_TOLERANCE = 1e-5;

async function invertFixture(name: string, architecture: ArchitectureJson) {
  const fixture = await loadReferenceFixture(name);
  const model = new HyperInverter(resolveArchitecture(architecture), pipelineWeightsFromFixture(fixture));
  const u8 = await fixture.readTensor("inputs", "input_u8");
  const resolution = model.resolution;
  const x = rgbBytesToTensor(u8.data as Uint8Array, resolution, resolution);
  const result = await model.invert(x, 1);
  return { fixture, model, result };
}

async function checkResiduals(
  fixture: ReferenceFixture,
  model: HyperInverter,
  residuals: Map<string, { data: Float32Array }>,
) {
  const targets = targetLayers(layerRegistry(model.architecture.generator), "conv_without_bias");
  const official = fixture.manifest.config as { target_shape: { name: string }[] };
  assert.deepEqual(targets.map((t) => t.name), official.target_shape.map((t) => t.name));
  const positions = (await fixture.readTensor("outputs", "dW_sample_pos")).data as Int32Array;
  const values = (await fixture.readFloat32("outputs", "dW_sample_val")).data;
  const stats = fixture.manifest.dW_stats as Record<string, { sum: number; abs_sum: number; l2: number }>;
  targets.forEach((target, layer) => {
    const delta = residuals.get(target.name)!.data;
    const sampled = Array.from({ length: 64 }, (_, i) => delta[positions[layer * 64 + i] >>> 0]);
    assertClose(
      sampled,
      values.subarray(layer * 64, layer * 64 + 64),
      DELTA_TOLERANCE,
      `dW samples ${target.name}`,
    );
    let sum = 0, absSum = 0, squares = 0;
    for (const v of delta) (sum += v, absSum += Math.abs(v), squares += v * v);
    const s = stats[target.name];
    assert.ok(
      Math.abs(absSum - s.abs_sum) / s.abs_sum < 1e-5,
      `${target.name} abs_sum ${absSum} vs ${s.abs_sum}`,
    );
    assert.ok(
      Math.abs(Math.sqrt(squares) - s.l2) / s.l2 < 1e-5,
      `${target.name} l2 ${Math.sqrt(squares)} vs ${s.l2}`,
    );
    // The signed sum cancels (|sum| ≪ abs_sum), so compare it relative to abs_sum.
    assert.ok(Math.abs(sum - s.sum) / s.abs_sum < 1e-6, `${target.name} sum ${sum} vs ${s.sum}`);
  });
  for (const name of fixture.tensorNames("outputs").filter((n) => n.startsWith("dW.b"))) {
    const stored = (await fixture.readFloat32("outputs", name)).data;
    assertClose(residuals.get(name.slice(3))!.data, stored, DELTA_TOLERANCE, name);
  }
}

Deno.test("church256: w codes, phase-I image, every ΔW and the final image match the official HyperInverter", async () => {
  const { fixture, model, result } = await invertFixture("hyperinverter-church256", CHURCH_256_D64);
  assert.equal(result.provider, "cpu");
  assertClose(
    result.wCodes.data,
    (await fixture.readFloat32("outputs", "w_codes")).data,
    IMAGE_TOLERANCE,
    "w_codes",
  );
  assertClose(
    result.phaseOneImages.data,
    (await fixture.readFloat32("outputs", "w_images")).data,
    IMAGE_TOLERANCE,
    "w_images",
  );
  await checkResiduals(fixture, model, result.residuals);
  assertClose(
    result.finalImages.data,
    (await fixture.readFloat32("outputs", "final_images")).data,
    IMAGE_TOLERANCE,
    "final_images",
  );
});

Deno.test("ffhq1024: w codes, phase-I image, every ΔW and the final image match the official HyperInverter", async () => {
  const { fixture, model, result } = await invertFixture("hyperinverter-ffhq1024", FFHQ_1024_D128);
  assertClose(
    result.wCodes.data,
    (await fixture.readFloat32("outputs", "w_codes")).data,
    IMAGE_TOLERANCE,
    "w_codes",
  );
  const shape = [...result.finalImages.shape];
  for (
    const [key, images] of [["w_images", result.phaseOneImages.data], [
      "final_images",
      result.finalImages.data,
    ]] as const
  ) {
    assertClose(
      crop(images, shape, 0, 0, 32),
      (await fixture.readFloat32("outputs", `${key}.corner32`)).data,
      IMAGE_TOLERANCE,
      `${key}.corner32`,
    );
    assertClose(
      crop(images, shape, 480, 480, 64),
      (await fixture.readFloat32("outputs", `${key}.center64`)).data,
      IMAGE_TOLERANCE,
      `${key}.center64`,
    );
    assertClose(
      averagePool(images, shape, 256),
      (await fixture.readFloat32("outputs", `${key}.avgpool256`)).data,
      IMAGE_TOLERANCE,
      `${key}.avgpool256`,
    );
  }
  await checkResiduals(fixture, model, result.residuals);
});
