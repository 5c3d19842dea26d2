/**
 * The Fréchet distance between two Gaussians fitted to feature sets (the formula of FID, Heusel et al. 2017):
 * `d² = |μ₁ − μ₂|² + Tr(Σ₁ + Σ₂ − 2 (Σ₁ Σ₂)^½)`. FID proper uses Inception-v3 pool features, which this
 * project cannot download; {@linkcode frechetDistance} takes any features (the project uses its Fashion-MNIST
 * classifier's hidden layer, `experiments/generator_quality.ts`), so its values are comparable only between
 * runs of the same feature network.
 *
 * `Tr((Σ₁ Σ₂)^½)` is computed as `Tr((Σ₁^½ Σ₂ Σ₁^½)^½)`, whose argument is symmetric positive semi-definite,
 * with a cyclic Jacobi eigen-decomposition in float64 (exact to ~1e-12 for the 64–128 features used here; no
 * complex square root, no `eps` added to the diagonal as pytorch-fid does when its `sqrtm` fails).
 *
 * @module
 */

/** The mean and covariance (N − 1 normalised) of a feature set, in float64. */
export interface FeatureStatistics {
  /** Feature width. */
  dim: number;
  /** Number of feature vectors. */
  count: number;
  /** Mean [dim]. */
  mean: Float64Array;
  /** Covariance [dim, dim], row-major, unbiased (divided by count − 1). */
  covariance: Float64Array;
}

/**
 * Fits the mean and covariance of N feature vectors.
 *
 * @param features row-major [N, dim]
 * @param dim feature width
 * @returns the statistics
 * @throws {TypeError} when the length is not a multiple of dim or N < 2
 * @throws {RangeError} when a feature is NaN or infinite (naming its row)
 * @example
 * ```ts
 * import { featureStatistics } from "./frechet_distance.ts";
 * const stats = featureStatistics(new Float32Array([0, 0, 2, 4]), 2);
 * console.log([...stats.mean], [...stats.covariance]); // [1, 2] [2, 4, 4, 8]
 * ```
 */
export function featureStatistics(features: Float32Array | Float64Array, dim: number): FeatureStatistics {
  const count = features.length / dim;
  if (!Number.isInteger(dim) || dim < 1 || !Number.isInteger(count) || count < 2) {
    throw new TypeError(
      `Feature statistics need at least 2 vectors of width ${dim}, got ${features.length} values`,
    );
  }
  const mean = new Float64Array(dim);
  for (let n = 0; n < count; n++) {
    for (let i = 0; i < dim; i++) {
      const value = features[n * dim + i];
      if (!Number.isFinite(value)) throw new RangeError(`Feature vector ${n} holds ${value} at ${i}`);
      mean[i] += value;
    }
  }
  for (let i = 0; i < dim; i++) mean[i] /= count;
  const covariance = new Float64Array(dim * dim);
  const centred = new Float64Array(dim);
  for (let n = 0; n < count; n++) {
    for (let i = 0; i < dim; i++) centred[i] = features[n * dim + i] - mean[i];
    for (let i = 0; i < dim; i++) {
      const ci = centred[i];
      if (ci === 0) continue;
      for (let j = i; j < dim; j++) covariance[i * dim + j] += ci * centred[j];
    }
  }
  for (let i = 0; i < dim; i++) {
    for (let j = i; j < dim; j++) {
      const value = covariance[i * dim + j] / (count - 1);
      covariance[i * dim + j] = value;
      covariance[j * dim + i] = value;
    }
  }
  return { dim, count, mean, covariance };
}

/**
 * Eigenvalues and eigenvectors of a symmetric matrix (cyclic Jacobi rotations, float64).
 *
 * @param matrix [n, n] row-major, symmetric (only its values are read; it is not modified)
 * @param n the size
 * @returns `values` [n] and `vectors` [n, n] with eigenvector k in column k
 * @example
 * ```ts
 * import { symmetricEigen } from "./frechet_distance.ts";
 * const { values } = symmetricEigen(new Float64Array([2, 1, 1, 2]), 2);
 * console.log([...values].map((v) => Math.round(v * 1e9) / 1e9).sort()); // [1, 3]
 * ```
 */
export function symmetricEigen(
  matrix: Float64Array,
  n: number,
): { values: Float64Array; vectors: Float64Array } {
  const a = Float64Array.from(matrix);
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0, total = 0;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) i === j ? (total += a[i * n + j] ** 2) : (off += a[i * n + j] ** 2);
    }
    if (off <= 1e-30 * (total + off) || off === 0) break;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p * n + q];
        if (apq === 0) continue;
        const theta = (a[q * n + q] - a[p * n + p]) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1), s = t * c;
        for (let k = 0; k < n; k++) { // rotate columns p, q
          const akp = a[k * n + p], akq = a[k * n + q];
          a[k * n + p] = c * akp - s * akq;
          a[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) { // rotate rows p, q
          const apk = a[p * n + k], aqk = a[q * n + k];
          a[p * n + k] = c * apk - s * aqk;
          a[q * n + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = v[k * n + p], vkq = v[k * n + q];
          v[k * n + p] = c * vkp - s * vkq;
          v[k * n + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const values = new Float64Array(n);
  for (let i = 0; i < n; i++) values[i] = a[i * n + i];
  return { values, vectors: v };
}

/** The square root of a symmetric positive semi-definite matrix (negative eigenvalues from round-off → 0). */
function symmetricSqrt(matrix: Float64Array, n: number): Float64Array {
  const { values, vectors } = symmetricEigen(matrix, n);
  const root = new Float64Array(n * n);
  for (let k = 0; k < n; k++) {
    const s = Math.sqrt(Math.max(values[k], 0));
    if (s === 0) continue;
    for (let i = 0; i < n; i++) {
      const vik = vectors[i * n + k] * s;
      for (let j = 0; j < n; j++) root[i * n + j] += vik * vectors[j * n + k];
    }
  }
  return root;
}

function multiply(a: Float64Array, b: Float64Array, n: number): Float64Array {
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < n; k++) {
      const aik = a[i * n + k];
      if (aik === 0) continue;
      for (let j = 0; j < n; j++) out[i * n + j] += aik * b[k * n + j];
    }
  }
  return out;
}

/**
 * The Fréchet distance (squared, as FID reports it) between the Gaussians of two feature sets.
 *
 * @param a statistics of the first set (e.g. generated images)
 * @param b statistics of the second set (e.g. held-out real images)
 * @returns `|μa − μb|² + Tr(Σa + Σb − 2 (Σa Σb)^½)` (≥ 0 up to round-off)
 * @throws {TypeError} when the two feature widths differ
 * @example
 * ```ts
 * import { frechetDistance } from "./frechet_distance.ts";
 * const gaussian = (m: number, v: number) => ({
 *   dim: 1, count: 2, mean: new Float64Array([m]), covariance: new Float64Array([v]),
 * });
 * console.log(frechetDistance(gaussian(0, 4), gaussian(3, 1))); // 10 (3² + (2 − 1)²)
 * ```
 */
export function frechetDistance(a: FeatureStatistics, b: FeatureStatistics): number {
  if (a.dim !== b.dim) throw new TypeError(`Feature widths differ: ${a.dim} and ${b.dim}`);
  const n = a.dim;
  let meanTerm = 0;
  for (let i = 0; i < n; i++) meanTerm += (a.mean[i] - b.mean[i]) ** 2;
  const rootA = symmetricSqrt(a.covariance, n);
  const product = multiply(multiply(rootA, b.covariance, n), rootA, n); // Σa^½ Σb Σa^½, symmetric PSD
  for (let i = 0; i < n; i++) { // symmetrise away the round-off of the two products
    for (let j = i + 1; j < n; j++) {
      const mean = (product[i * n + j] + product[j * n + i]) / 2;
      product[i * n + j] = product[j * n + i] = mean;
    }
  }
  const { values } = symmetricEigen(product, n);
  let traceRoot = 0, trace = 0;
  for (let k = 0; k < n; k++) traceRoot += Math.sqrt(Math.max(values[k], 0));
  for (let i = 0; i < n; i++) trace += a.covariance[i * n + i] + b.covariance[i * n + i];
  return Math.max(meanTerm + trace - 2 * traceRoot, 0);
}
