/**
 * Seeded generator weights for benchmarks (the values do not change the op count; the scales follow the
 * reference fixtures' fill rules so that no denormals or overflows distort the timings).
 *
 * @module
 */

import type { GeneratorConfig } from "../generator/config.ts";
import { generatorParameters } from "../generator/parameters.ts";
import { resampleFilter } from "../generator/fir.ts";
import { prngFill } from "../io/prng.ts";

/**
 * Seeded weights for every tensor of the ADA generator state dict.
 *
 * @param config generator configuration
 * @param seed PRNG seed
 * @returns weights by state-dict name
 */
export function seededGeneratorWeights(config: GeneratorConfig, seed = 0xbe7c4): Map<string, Float32Array> {
  const weights = new Map<string, Float32Array>();
  generatorParameters(config).forEach((p, k) => {
    const size = p.shape.reduce((a, b) => a * b, 1);
    const name = p.name;
    if (name.endsWith("resample_filter")) return weights.set(name, resampleFilter(1));
    const [offset, scale] = name.endsWith("affine.bias")
      ? [1, 0.1]
      : name.endsWith(".bias") || name.endsWith("noise_strength")
      ? [0, 0.1]
      : name.startsWith("mapping.fc") && name.endsWith("weight")
      ? [0, Math.sqrt(3) / 0.01]
      : [0, Math.sqrt(3)];
    weights.set(name, prngFill(seed, k, size, offset, scale));
  });
  return weights;
}
