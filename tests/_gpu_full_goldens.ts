/**
 * The full-size pipeline goldens (reference fixtures hyperinverter-church256 and hyperinverter-ffhq1024) on a GPU
 * device, at the fixture tolerances (README §5: 1e-4 on w codes and images, 1e-5 on ΔW samples). Not a
 * `_test.ts` file: bench/gpu_table.ts runs it as `deno test` with `HYPERINVERTER_GPU_DEVICE` (`cuda` or
 * `webgpu`, default `webgpu`); on a software GPU run only church-256 (`--filter church256`: 72–122 s per image
 * on lavapipe, slower on SwiftShader), never in CI.
 *
 * @module
 */
import assert from "node:assert/strict";
import { rgbBytesToTensor } from "../io/image.ts";
import { loadReferenceFixture } from "../io/reference_fixture.ts";
import { type ArchitectureJson, resolveArchitecture } from "../model/architecture.ts";
import { HyperInverter } from "../model/hyperinverter.ts";
import { CHURCH_256_D64, FFHQ_1024_D128 } from "../model/presets.ts";
import { pipelineWeightsFromFixture } from "../model/reference_weights.ts";
import { layerRegistry, targetLayers } from "../generator/registry.ts";
import { assertClose } from "./_assert_close.ts";
import { averagePool, crop } from "./_fixtures.ts";

const DEVICE = Deno.env.get("HYPERINVERTER_GPU_DEVICE") ?? "webgpu";
const IMAGE_TOLERANCE = 1e-4;
const DELTA_TOLERANCE = 1e-5;

for (
  const [name, architecture] of [
    ["hyperinverter-church256", CHURCH_256_D64],
    ["hyperinverter-ffhq1024", FFHQ_1024_D128],
  ] as [string, ArchitectureJson][]
) {
  Deno.test(`${DEVICE}: ${name} w codes, phase-I and final images, ΔW samples within the fixture tolerances`, async () => {
    const fixture = await loadReferenceFixture(name);
    const model = new HyperInverter(resolveArchitecture(architecture), pipelineWeightsFromFixture(fixture), {
      device: DEVICE,
    });
    const u8 = await fixture.readTensor("inputs", "input_u8");
    const x = rgbBytesToTensor(u8.data as Uint8Array, model.resolution, model.resolution);
    const start = performance.now();
    const result = await model.invert(x, 1);
    console.log(`${name} on ${result.provider}: ${((performance.now() - start) / 1000).toFixed(1)} s`);
    assert.equal(result.provider, DEVICE);
    const expectedW = (await fixture.readFloat32("outputs", "w_codes")).data;
    assertClose(result.wCodes.data, expectedW, IMAGE_TOLERANCE, "w_codes");
    const images: [string, Float32Array][] = [["w_images", result.phaseOneImages.data], [
      "final_images",
      result.finalImages.data,
    ]];
    for (const [output, actual] of images) {
      if (model.resolution === 1024) {
        const shape = [1, 3, 1024, 1024];
        const corner = (await fixture.readFloat32("outputs", `${output}.corner32`)).data;
        assertClose(crop(actual, shape, 0, 0, 32), corner, IMAGE_TOLERANCE, `${output} corner`);
        const pooled = (await fixture.readFloat32("outputs", `${output}.avgpool256`)).data;
        assertClose(averagePool(actual, shape, 256), pooled, IMAGE_TOLERANCE, `${output} pooled`);
      } else {
        assertClose(actual, (await fixture.readFloat32("outputs", output)).data, IMAGE_TOLERANCE, output);
      }
    }
    const targets = targetLayers(layerRegistry(model.architecture.generator), "conv_without_bias");
    const positions = (await fixture.readTensor("outputs", "dW_sample_pos")).data as Int32Array;
    const values = (await fixture.readFloat32("outputs", "dW_sample_val")).data;
    targets.forEach((target, layer) => {
      const delta = result.residuals.get(target.name)!.data;
      const sampled = Array.from({ length: 64 }, (_, i) => delta[positions[layer * 64 + i] >>> 0]);
      assertClose(sampled, values.subarray(layer * 64, layer * 64 + 64), DELTA_TOLERANCE, target.name);
    });
  });
}
