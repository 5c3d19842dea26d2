/**
 * GANSpace in TypeScript: the principal components of sampled w codes (power iteration with deflation on the
 * covariance), in the official file layout ({@linkcode GanSpacePca}: mean, unit components, standard deviations).
 *
 * @module
 */

import type { GanSpacePca } from "./directions.ts";

/**
 * The first `components` principal components of a set of vectors.
 *
 * @param samples row-major [N, dim] (e.g. the first w row of N sampled codes)
 * @param dim vector size
 * @param components how many components (≤ dim)
 * @param options `iterations` of power iteration per component (default 100), `seed` of the start vectors
 * @returns mean [dim], comp [components, dim] (unit norm, sign fixed so that the largest entry is positive),
 *   std [components]
 * @example
 * ```ts
 * import { principalComponents } from "./pca.ts";
 * const points = new Float32Array([1, 1, -1, -1, 2, 2, -2, -2]); // along (1, 1)
 * const { comp, std } = principalComponents(points, 2, 1);
 * console.log(Math.round(comp[0] * 1000) / 1000, Math.round(std[0] * 1000) / 1000); // 0.707 2.582 (std uses N − 1)
 * ```
 */
export function principalComponents(
  samples: Float32Array,
  dim: number,
  components: number,
  options: { iterations?: number; seed?: number } = {},
): GanSpacePca {
  const n = samples.length / dim;
  if (!Number.isInteger(n) || n < 2) {
    throw new TypeError(`Need at least 2 samples of size ${dim}, got ${samples.length} values`);
  }
  if (!Number.isInteger(components) || components < 1 || components > dim) {
    throw new RangeError(`components must be in [1, ${dim}], got ${components}`);
  }
  const mean = new Float64Array(dim);
  for (let s = 0; s < n; s++) for (let i = 0; i < dim; i++) mean[i] += samples[s * dim + i] / n;
  const centred = new Float64Array(samples.length);
  for (let s = 0; s < n; s++) {
    for (let i = 0; i < dim; i++) centred[s * dim + i] = samples[s * dim + i] - mean[i];
  }
  const comp = new Float32Array(components * dim);
  const std = new Float32Array(components);
  const found: Float64Array[] = [];
  const iterations = options.iterations ?? 100;
  for (let c = 0; c < components; c++) {
    let v = Float64Array.from(
      { length: dim },
      (_, i) => Math.sin((i + 1) * (c + 1 + (options.seed ?? 0)) * 12.9898),
    );
    let variance = 0;
    for (let it = 0; it < iterations; it++) {
      for (const u of found) { // deflation: stay orthogonal to the components already found
        let dot = 0;
        for (let i = 0; i < dim; i++) dot += v[i] * u[i];
        for (let i = 0; i < dim; i++) v[i] -= dot * u[i];
      }
      const next = new Float64Array(dim);
      variance = 0;
      for (let s = 0; s < n; s++) {
        let dot = 0;
        for (let i = 0; i < dim; i++) dot += centred[s * dim + i] * v[i];
        for (let i = 0; i < dim; i++) next[i] += (dot * centred[s * dim + i]) / (n - 1);
      }
      let norm = 0;
      for (let i = 0; i < dim; i++) norm += next[i] * next[i];
      norm = Math.sqrt(norm) || 1;
      let rayleigh = 0;
      for (let i = 0; i < dim; i++) rayleigh += next[i] * v[i];
      variance = rayleigh; // vᵀ C v with |v| = 1
      v = next.map((x) => x / norm);
    }
    let largest = 0;
    for (let i = 0; i < dim; i++) if (Math.abs(v[i]) > Math.abs(largest)) largest = v[i];
    if (largest < 0) v = v.map((x) => -x);
    found.push(v);
    comp.set(v, c * dim);
    std[c] = Math.sqrt(Math.max(variance, 0));
  }
  return { mean: Float32Array.from(mean), comp, std };
}
