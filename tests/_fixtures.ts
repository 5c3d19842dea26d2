/**
 * Shared helpers of the golden tests: the generator of a reference fixture, and crops of images.
 *
 * @module
 */

import { generatorConfigFromInitKwargs } from "../generator/config.ts";
import type { GeneratorConfig } from "../generator/config.ts";
import {
  loadReferenceFixture,
  type ReferenceFixture,
  referenceFixturesRoot,
} from "../io/reference_fixture.ts";
import type { WeightValue } from "../runtime/weights.ts";

/** A fixture with its generator configuration and PRNG-regenerated G weights. */
export interface GeneratorFixture {
  fixture: ReferenceFixture;
  config: GeneratorConfig;
  weights: Map<string, WeightValue>;
}

/**
 * Loads a reference fixture's generator.
 *
 * @param name fixture folder name
 * @returns fixture, generator config and weights
 */
export async function loadGeneratorFixture(name: string): Promise<GeneratorFixture> {
  const fixture = await loadReferenceFixture(name);
  const config = fixture.manifest.config as Record<string, unknown>;
  const kwargs = (config.G_init_kwargs ?? config.init_kwargs) as Record<string, unknown>;
  return { fixture, config: generatorConfigFromInitKwargs(kwargs), weights: fixture.moduleWeights("G") };
}

/**
 * Reads a float32 tensor of a fixture.
 *
 * @param fixture the fixture
 * @param section manifest section
 * @param name tensor name
 * @returns its values
 */
export async function readFloat32(
  fixture: ReferenceFixture,
  section: "inputs" | "outputs" | "intermediates",
  name: string,
): Promise<Float32Array> {
  const t = await fixture.readTensor(section, name);
  if (!(t.data instanceof Float32Array)) throw new TypeError(`Fixture tensor ${name} is not float32`);
  return t.data;
}

/**
 * A spatial crop [top, top+size) × [left, left+size) of an NCHW batch-1 image.
 *
 * @param img values [1, C, H, W]
 * @param shape [1, C, H, W]
 * @param top first row
 * @param left first column
 * @param size side of the crop
 * @returns [1, C, size, size]
 */
export function crop(
  img: Float32Array,
  shape: readonly number[],
  top: number,
  left: number,
  size: number,
): Float32Array {
  const [, channels, height, width] = shape;
  const out = new Float32Array(channels * size * size);
  for (let c = 0; c < channels; c++) {
    for (let y = 0; y < size; y++) {
      const from = (c * height + top + y) * width + left;
      out.set(img.subarray(from, from + size), (c * size + y) * size);
    }
  }
  return out;
}

/**
 * AdaptiveAvgPool2d to `size` for an integer factor: the mean of each factor×factor block.
 *
 * @param img values [1, C, H, W]
 * @param shape [1, C, H, W]
 * @param size output side
 * @returns [1, C, size, size]
 */
export function averagePool(img: Float32Array, shape: readonly number[], size: number): Float32Array {
  const [, channels, height, width] = shape;
  const factor = height / size;
  const out = new Float32Array(channels * size * size);
  for (let c = 0; c < channels; c++) {
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        let sum = 0;
        for (let a = 0; a < factor; a++) {
          for (let b = 0; b < factor; b++) sum += img[(c * height + y * factor + a) * width + x * factor + b];
        }
        out[(c * size + y) * size + x] = sum / (factor * factor);
      }
    }
  }
  return out;
}

/**
 * A fixture's manifest as plain JSON (for tests that compare names and shapes with the official state dicts).
 *
 * @param name fixture folder name
 * @returns the parsed manifest
 */
// deno-lint-ignore no-explicit-any
export function readManifestJson(name: string): any {
  return JSON.parse(Deno.readTextFileSync(`${referenceFixturesRoot()}/${name}/manifest.json`));
}

/** The `<prefix>sampled` section of a gradient fixture (README §1): 64 sampled entries per large tensor. */
export interface SampledRows {
  pos_seed: number;
  n: number;
  val_file: string;
  rows: { row: number; name: string; numel: number }[];
}

/** The float64 statistics the fixtures store for every tensor. */
export interface FixtureStats {
  sum: number;
  abs_sum: number;
  l2: number;
  min: number;
  max: number;
  numel: number;
}

/**
 * The sampled values file of a gradient fixture ([rows, 64] float32), copied so that it is aligned.
 *
 * @param fixture the fixture
 * @param sampled its sampled section
 * @returns the values
 */
export async function readSampledValues(
  fixture: ReferenceFixture,
  sampled: SampledRows,
): Promise<Float32Array> {
  const bytes = await Deno.readFile(`${fixture.directory}/${sampled.val_file}`);
  return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
}
