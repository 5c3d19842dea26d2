/**
 * Encoder parity with the official HyperInverter code (reference fixtures README §4 "hyperinverter-church256 /
 * hyperinverter-ffhq1024"): E1 (`E1_out`, before + latent_avg) and E2 (`E2_Fx.j`, `E2_Fw.j` for j ∈ {0, 3, 7,
 * L−1}, and `E2_stats` for every j) with the PRNG weights of the fixtures' `modules.E1` / `modules.E2`.
 *
 * Tolerance: max-abs 1e-4 on every feature map and on the w offset. The E2 features have rms 0.36–1.26 and
 * max ≈ 9.6 (README §5), so 1e-4 is ≈ 1e-5 of the largest values, the level at which the official code's own
 * fp32 results move between thread counts and BLAS builds (README §5: 1.5–8.3e-6 abs on outputs of this size,
 * 3.7e-6 relative across BLAS). The `E2_stats` sums and l2 norms (float64 over 32768 values) are compared
 * relatively at 1e-5, as README §5 advises for sums.
 */
import assert from "node:assert/strict";
import { CHURCH_ENCODER, type EncoderConfig, FFHQ_ENCODER } from "../encoders/config.ts";
import { layerWiseEncoderGraph, wEncoderGraph } from "../encoders/encoder_graphs.ts";
import { rgbBytesToTensor } from "../io/image.ts";
import type { ReferenceFixture } from "../io/reference_fixture.ts";
import { loadReferenceFixture } from "../io/reference_fixture.ts";
import { GraphSession } from "../runtime/session.ts";
import { parameterFeeds } from "../runtime/weights.ts";
import { assertClose } from "./_assert_close.ts";
import { readFloat32 } from "./_fixtures.ts";

const TOLERANCE = 1e-4;
const STATS_RELATIVE = 1e-5;

interface Case {
  fixture: string;
  config: EncoderConfig;
  /** The two E2 inputs [1, 3, 256, 256]: x256 and the resized phase-I image. */
  inputs(fixture: ReferenceFixture): Promise<{ x256: Float32Array; wImage256: Float32Array }>;
}

const CASES: Case[] = [
  {
    fixture: "hyperinverter-church256",
    config: CHURCH_ENCODER,
    async inputs(fixture) {
      // R = 256: x = (ToTensor(u8) − 0.5)/0.5, and the 256→256 resizes are exact copies (README §4).
      const u8 = await fixture.readTensor("inputs", "input_u8");
      assert.equal(u8.dtype, "uint8");
      const x256 = rgbBytesToTensor(u8.data as Uint8Array, 256, 256);
      return { x256, wImage256: await readFloat32(fixture, "outputs", "w_images") };
    },
  },
  {
    fixture: "hyperinverter-ffhq1024",
    config: FFHQ_ENCODER,
    async inputs(fixture) {
      return {
        x256: await readFloat32(fixture, "intermediates", "x256"),
        wImage256: await readFloat32(fixture, "intermediates", "w_images_resized256"),
      };
    },
  },
];

function relativeDifference(actual: number, expected: number): number {
  return Math.abs(actual - expected) / Math.max(Math.abs(expected), 1e-30);
}

for (const { fixture: name, config, inputs } of CASES) {
  Deno.test(`${name}: E1 (${config.backbone} W encoder) reproduces E1_out within ${TOLERANCE}`, async () => {
    const fixture = await loadReferenceFixture(name);
    const graph = wEncoderGraph(config);
    const { x256 } = await inputs(fixture);
    const { outputs } = await (await GraphSession.create(graph)).run({
      x: x256,
      ...parameterFeeds(graph, fixture.moduleWeights("E1")),
    });
    const error = assertClose(
      outputs.w.data as Float32Array,
      await readFloat32(fixture, "intermediates", "E1_out"),
      TOLERANCE,
      "E1_out",
    );
    console.log(`${name} E1_out max |Δ| = ${error.toExponential(2)}`);
  });

  Deno.test(
    `${name}: E2 (${config.backbone} layer-wise encoder) reproduces E2_Fx.j / E2_Fw.j within ${TOLERANCE}, and E2_stats for every j`,
    async () => {
      const fixture = await loadReferenceFixture(name);
      const nStyles = (fixture.manifest.config as { n_styles: number }).n_styles;
      assert.equal(config.nStyles, nStyles);
      // One batch of 2 = [x256; x̂_w resized], as the pipeline runs E2.
      const graph = layerWiseEncoderGraph(config, { batch: 2 });
      const { x256, wImage256 } = await inputs(fixture);
      const both = new Float32Array(x256.length * 2);
      both.set(x256, 0);
      both.set(wImage256, x256.length);
      const { outputs } = await (await GraphSession.create(graph)).run({
        x: both,
        ...parameterFeeds(graph, fixture.moduleWeights("E2")),
      });
      const features = outputs.features;
      assert.deepEqual(features.shape, [2, nStyles, 512, 8, 8]);
      const data = features.data as Float32Array;
      const mapSize = 512 * 8 * 8;
      const featureMap = (sample: number, j: number) =>
        data.subarray((sample * nStyles + j) * mapSize, (sample * nStyles + j + 1) * mapSize);

      const errors: string[] = [];
      for (const j of [0, 3, 7, nStyles - 1]) {
        for (const [sample, kind] of [[0, "Fx"], [1, "Fw"]] as const) {
          const tensor = `E2_${kind}.${j}`;
          const expected = await readFloat32(fixture, "intermediates", tensor);
          errors.push(
            `${tensor} ${assertClose(featureMap(sample, j), expected, TOLERANCE, tensor).toExponential(2)}`,
          );
        }
      }
      console.log(`${name} max |Δ|: ${errors.join(", ")}`);

      const stats = fixture.manifest.E2_stats as Record<"Fx" | "Fw", { sum: number; l2: number }[]>;
      let worst = 0;
      for (const [sample, kind] of [[0, "Fx"], [1, "Fw"]] as const) {
        assert.equal(stats[kind].length, nStyles);
        for (let j = 0; j < nStyles; j++) {
          let sum = 0, squares = 0;
          for (const v of featureMap(sample, j)) (sum += v, squares += v * v);
          const { sum: expectedSum, l2: expectedL2 } = stats[kind][j];
          const sumError = relativeDifference(sum, expectedSum);
          const l2Error = relativeDifference(Math.sqrt(squares), expectedL2);
          assert.ok(
            sumError <= STATS_RELATIVE,
            `${kind}.${j} sum ${sum} vs ${expectedSum} (relative ${sumError})`,
          );
          assert.ok(
            l2Error <= STATS_RELATIVE,
            `${kind}.${j} l2 ${Math.sqrt(squares)} vs ${expectedL2} (relative ${l2Error})`,
          );
          worst = Math.max(worst, sumError, l2Error);
        }
      }
      console.log(`${name} E2_stats worst relative difference ${worst.toExponential(2)}`);
    },
  );
}
