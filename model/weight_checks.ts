/**
 * Checks of a model's weights when it loads: every value finite (a NaN in the hypernet gave black images with
 * exit 0), and every non-zero magnitude plausible, which catches a mislabelled dtype. Evidence for the bounds,
 * measured on data/models/default: its four files (float16) hold non-zero magnitudes from 6e-8 (float16's smallest)
 * to 174. Read with a BF16 header over those F16 bytes, each file holds values below 1e-30 (60 to 25 385 of
 * them, down to 9e-41), and the generator values up to 4e15; the relabelled hypernet's ΔW all but vanishes,
 * so the final image silently equals the phase-I one (1.16 off the right output, every value finite). No
 * trained weight is below 1e-30 or above 1e12 (float32's normal range starts at 1.2e-38, and no layer of
 * StyleGAN2 or the encoders comes near either bound), so a value outside them means the file is misread.
 * The reverse mislabel (BF16 bytes read as F16) stays in plausible ranges; the sha256 a model folder records
 * per weights file (model/weights_digest.ts) is what catches it, and any other change of a file.
 *
 * @module
 */

/** The smallest plausible non-zero magnitude of a trained weight. */
export const SMALLEST_PLAUSIBLE_WEIGHT = 1e-30;
/** The largest plausible magnitude of a trained weight. */
export const LARGEST_PLAUSIBLE_WEIGHT = 1e12;

/**
 * Checks every value of a module's weights: finite, and zero or of a plausible magnitude
 * ({@linkcode SMALLEST_PLAUSIBLE_WEIGHT} to {@linkcode LARGEST_PLAUSIBLE_WEIGHT}).
 *
 * @param weights weights by name, as read from one file
 * @param source what to name in messages (the file path)
 * @throws {RangeError} naming the file, the tensor, the first bad value and its index, and how many there are
 * @example
 * ```ts
 * import { checkWeightValues } from "./weight_checks.ts";
 * const weights = new Map([["conv.weight", { data: new Float32Array([0.5, NaN]) }]]);
 * try {
 *   checkWeightValues(weights, "hypernet.safetensors");
 * } catch (error) {
 *   console.log((error as Error).message); // hypernet.safetensors: tensor "conv.weight" holds 1 non-finite value(s), the first NaN at index 1…
 * }
 * ```
 */
export function checkWeightValues(
  weights: ReadonlyMap<string, { readonly data: Float32Array }>,
  source: string,
): void {
  for (const [name, { data }] of weights) {
    let nonFinite = 0, implausible = 0, first = -1, firstImplausible = -1;
    for (let i = 0; i < data.length; i++) {
      const value = data[i];
      if (!Number.isFinite(value)) {
        if (first < 0) first = i;
        nonFinite++;
        continue;
      }
      const magnitude = Math.abs(value);
      if (
        magnitude > LARGEST_PLAUSIBLE_WEIGHT || (magnitude !== 0 && magnitude < SMALLEST_PLAUSIBLE_WEIGHT)
      ) {
        if (firstImplausible < 0) firstImplausible = i;
        implausible++;
      }
    }
    if (nonFinite) {
      throw new RangeError(
        `${source}: tensor "${name}" holds ${nonFinite} non-finite value(s), the first ${
          data[first]
        } at index ` +
          `${first}; the weights are damaged`,
      );
    }
    if (implausible) {
      throw new RangeError(
        `${source}: tensor "${name}" holds ${implausible} value(s) of implausible magnitude, the first ` +
          `${data[firstImplausible]} at index ${firstImplausible} (a trained weight lies within ` +
          `${SMALLEST_PLAUSIBLE_WEIGHT}…${LARGEST_PLAUSIBLE_WEIGHT}); the file is damaged or its dtype is ` +
          `mislabelled (float16 bytes under a BF16 header?)`,
      );
    }
  }
}
