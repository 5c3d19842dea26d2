/**
 * A linear boundary between two sets of latent codes, as InterFaceGAN fits one in W (Shen et al., CVPR 2020): its
 * unit normal is the edit direction. InterFaceGAN trains a linear SVM on the codes of the most and least
 * attribute-like samples; we fit L2-regularised logistic regression by Newton's method (exact, no learning rate),
 * whose normal agrees with the SVM's on separable-ish data and which also gives a probability.
 *
 * @module
 */

/** What {@linkcode fitLinearBoundary} returns. */
export interface LinearBoundary {
  /** Unit normal n [dim], pointing to the positive side. */
  normal: Float32Array;
  /** The decision function is ⟨w, weights⟩ + bias; `normal = weights / |weights|`. */
  weights: Float64Array;
  /** The boundary's offset. */
  bias: number;
  /** Fraction of the fitting samples on the correct side. */
  trainAccuracy: number;
  /** Newton iterations run. */
  iterations: number;
}

/** Solves A x = b for a symmetric positive definite A (n×n, row-major) by Cholesky. */
function solveSymmetric(a: Float64Array, b: Float64Array, n: number): Float64Array {
  const l = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = a[i * n + j];
      for (let k = 0; k < j; k++) sum -= l[i * n + k] * l[j * n + k];
      if (i === j) {
        if (!(sum > 0)) {
          throw new RangeError("The Hessian is not positive definite (raise the regularisation)");
        }
        l[i * n + i] = Math.sqrt(sum);
      } else l[i * n + j] = sum / l[j * n + j];
    }
  }
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let sum = b[i];
    for (let k = 0; k < i; k++) sum -= l[i * n + k] * y[k];
    y[i] = sum / l[i * n + i];
  }
  const x = new Float64Array(n);
  for (let i = n - 1; i >= 0; i--) {
    let sum = y[i];
    for (let k = i + 1; k < n; k++) sum -= l[k * n + i] * x[k];
    x[i] = sum / l[i * n + i];
  }
  return x;
}

/**
 * Fits `P(positive | w) = σ(⟨w, weights⟩ + bias)` minimising the mean log-loss + `l2/2·|weights|²`.
 *
 * @param samples [N, dim] row-major codes
 * @param labels [N] 1 (has the attribute) or 0
 * @param options `l2` (default 1e-3), `maxIterations` (default 50), `tolerance` on the Newton step (default 1e-9)
 * @returns the boundary
 * @example
 * ```ts
 * import { fitLinearBoundary } from "./linear_boundary.ts";
 * // Points above the line y = x are positive: the normal is ±(−1, 1)/√2.
 * const samples = new Float32Array([0, 1, 1, 2, 2, 3.5, 1, 0, 2, 1, 3.5, 2]);
 * const { normal } = fitLinearBoundary(samples, new Uint8Array([1, 1, 1, 0, 0, 0]), { dim: 2 });
 * console.log(normal[0].toFixed(2), normal[1].toFixed(2)); // -0.71 0.71
 * ```
 */
export function fitLinearBoundary(
  samples: Float32Array,
  labels: ArrayLike<number>,
  options: { dim: number; l2?: number; maxIterations?: number; tolerance?: number },
): LinearBoundary {
  const { dim } = options;
  const count = labels.length;
  if (!Number.isInteger(dim) || dim < 1 || samples.length !== count * dim) {
    throw new TypeError(`Samples have ${samples.length} values; expected ${count} labels × dim ${dim}`);
  }
  let positives = 0;
  for (let i = 0; i < count; i++) {
    if (labels[i] !== 0 && labels[i] !== 1) throw new RangeError(`Label ${i} is ${labels[i]}, not 0 or 1`);
    positives += labels[i];
  }
  if (positives === 0 || positives === count) throw new RangeError("Both classes need at least one sample");
  for (let i = 0; i < samples.length; i++) {
    if (!Number.isFinite(samples[i])) throw new RangeError(`Sample value ${i} is ${samples[i]}`);
  }
  const l2 = options.l2 ?? 1e-3;
  const n = dim + 1; // weights, then the bias (not regularised)
  const theta = new Float64Array(n);
  const row = new Float64Array(n);
  let iterations = 0;
  for (; iterations < (options.maxIterations ?? 50); iterations++) {
    const gradient = new Float64Array(n);
    const hessian = new Float64Array(n * n);
    for (let s = 0; s < count; s++) {
      for (let i = 0; i < dim; i++) row[i] = samples[s * dim + i];
      row[dim] = 1;
      let z = 0;
      for (let i = 0; i < n; i++) z += theta[i] * row[i];
      const p = 1 / (1 + Math.exp(-z));
      const weight = Math.max(p * (1 - p), 1e-12) / count;
      const residual = (p - labels[s]) / count;
      for (let i = 0; i < n; i++) {
        gradient[i] += residual * row[i];
        const wi = weight * row[i];
        for (let j = 0; j <= i; j++) hessian[i * n + j] += wi * row[j];
      }
    }
    for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) hessian[j * n + i] = hessian[i * n + j];
    for (let i = 0; i < dim; i++) {
      gradient[i] += l2 * theta[i];
      hessian[i * n + i] += l2;
    }
    hessian[dim * n + dim] += 1e-9;
    const step = solveSymmetric(hessian, gradient, n);
    let size = 0;
    for (let i = 0; i < n; i++) {
      theta[i] -= step[i];
      size = Math.max(size, Math.abs(step[i]));
    }
    if (size < (options.tolerance ?? 1e-9)) {
      iterations++;
      break;
    }
  }
  const weights = theta.slice(0, dim);
  const norm = Math.hypot(...weights);
  if (!(norm > 0)) throw new RangeError("The fitted boundary has a zero normal");
  let correct = 0;
  for (let s = 0; s < count; s++) {
    let z = theta[dim];
    for (let i = 0; i < dim; i++) z += weights[i] * samples[s * dim + i];
    if ((z > 0 ? 1 : 0) === labels[s]) correct++;
  }
  return {
    normal: Float32Array.from(weights, (v) => v / norm),
    weights,
    bias: theta[dim],
    trainAccuracy: correct / count,
    iterations,
  };
}
