/**
 * The regressor's feature extractor (hypernetwork.py L28-37): reduces the fused map [B, C', S, S] to the
 * code v [B, D] with one 3×3 conv and log2(S) stride-2 4×4 convs, each followed by a ReLU (the final ReLU is
 * kept, so v ≥ 0).
 *
 * @module
 */

import type { GraphBuilder } from "../graph/builder.ts";
import { formatShape, type Tensor } from "../graph/tensor.ts";
import { conv2d } from "./_layers.ts";

/** Options of {@linkcode featureExtractor}. */
export interface FeatureExtractorOptions {
  /** Channels E of the intermediate convs. Default 64 (official). */
  width?: number;
  /** Size D of the code (`hidden_dim`), the output channels of the last conv. */
  hiddenDim: number;
}

/**
 * Number of stride-2 convs that bring an S×S map to 1×1: log2(S) (3 for the official 8×8, 2 for 4×4).
 *
 * @param featureSize S, a power of two ≥ 2
 * @returns log2(S)
 * @throws {RangeError} when S is not a power of two ≥ 2
 *
 * @example
 * ```ts
 * import { extractorDownsamplings } from "./feature_extractor.ts";
 * console.log(extractorDownsamplings(8), extractorDownsamplings(4)); // 3 2
 * ```
 */
export function extractorDownsamplings(featureSize: number): number {
  const n = Math.log2(featureSize);
  if (!Number.isInteger(featureSize) || featureSize < 2 || !Number.isInteger(n)) {
    throw new RangeError(`Feature size must be a power of two ≥ 2, got ${featureSize}`);
  }
  return n;
}

/**
 * Adds the feature extractor; parameters `<2i>.weight` / `<2i>.bias` in the current scope (the official
 * `feature_extractor.{0,2,4,6}` at S = 8; odd indices are the ReLUs of the `nn.Sequential`):
 * - `0`: Conv3×3 C'→E, stride 1, pad 1;
 * - `2, 4, …, 2n`: Conv4×4 stride 2 pad 1 (S → S/2), E→E, except the last, E→D; n = log2(S).
 *
 * @param g graph builder
 * @param fused the fused map [B, C', S, S] (S a power of two ≥ 2)
 * @param options width E (default 64), hidden dim D
 * @returns v [B, D]
 * @throws {TypeError} when the map is not square with a power-of-two side ≥ 2
 *
 * @example
 * ```ts
 * import { GraphBuilder } from "../graph/builder.ts";
 * import { featureExtractor } from "./feature_extractor.ts";
 * const g = new GraphBuilder("fe");
 * const v = g.scope("feature_extractor", () => featureExtractor(g, g.input("h", [2, 512, 8, 8]), { hiddenDim: 128 }));
 * console.log(v.shape, g.parameters.at(-2)!.name); // [2, 128] "feature_extractor.6.weight"
 * ```
 */
export function featureExtractor(g: GraphBuilder, fused: Tensor, options: FeatureExtractorOptions): Tensor {
  const [batch, , height, width] = fused.shape;
  const size = fused.rank === 4 && height === width ? height : NaN;
  let downsamplings: number;
  try {
    downsamplings = extractorDownsamplings(size);
  } catch {
    throw new TypeError(
      `The feature extractor needs a square map with a power-of-two side ≥ 2, got ${
        formatShape(fused.shape)
      }`,
    );
  }
  const channels = options.width ?? 64;
  const { hiddenDim } = options;
  let h = g.relu(conv2d(g, fused, "0", { outChannels: channels, kernel: 3, pad: 1 })); // [B, E, S, S]
  for (let i = 1; i <= downsamplings; i++) {
    const outChannels = i === downsamplings ? hiddenDim : channels;
    h = g.relu(conv2d(g, h, `${2 * i}`, { outChannels, kernel: 4, stride: 2, pad: 1 })); // [B, E|D, S/2^i, S/2^i]
  }
  return g.reshape(h, [batch, hiddenDim]); // [B, D] (the map is 1×1 here)
}
