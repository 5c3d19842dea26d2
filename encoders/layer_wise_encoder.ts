/**
 * The phase-II layer-wise encoders (spec §3): HyperInverter's `LayerWiseEncoder` (IR-SE50) and
 * `ResNetLayerWiseEncoder` (ResNet-34). A backbone, a two-level FPN and one StyleBlock per feature map:
 * the output is L maps of C×S×S (18 or 14 maps of 512×8×8 in the paper models), shared by x and x̂_w.
 *
 * @module
 */

import type { GraphBuilder } from "../graph/builder.ts";
import type { Tensor } from "../graph/tensor.ts";
import { buildBackbone } from "./backbone.ts";
import { type EncoderConfig, encoderLayout } from "./config.ts";
import { conv2d } from "./conv2d.ts";
import { styleBlock, styleBlockParameters } from "./style_block.ts";

/** Options of {@linkcode buildLayerWiseEncoder}. */
export interface LayerWiseEncoderOptions {
  /**
   * The styles that read the same map run their first stride-2 convolution as one Conv (their weights and
   * biases concatenated along the output channels, the result sliced per style): the same values up to float32
   * rounding, one im2col instead of one per style, and in a training graph one transposed convolution for the
   * map's input gradient instead of one per style plus their sum (the slices' gradients join as one Concat).
   * Parameter names and their order are unchanged. Default false (the stage graphs and exports keep one Conv per
   * style, which the int8 and Winograd rewrites expect).
   */
  mergeSharedInputConvs?: boolean;
}

/**
 * `F.interpolate(top, size of lateral, bilinear, align_corners=True) + lateral` (fpn_encoders.py `_upsample_add`).
 *
 * @param g graph builder
 * @param top coarser map [B, C, h, w]
 * @param lateral finer map [B, C, H, W]
 * @returns [B, C, H, W]
 */
function upsampleAdd(g: GraphBuilder, top: Tensor, lateral: Tensor): Tensor {
  const up = g.resize(top, [lateral.shape[2], lateral.shape[3]], {
    mode: "linear",
    coordinates: "align_corners",
  }); // [B, C, H, W]
  return g.add(up, lateral); // [B, C, H, W]
}

/**
 * Adds a layer-wise encoder in the current scope (wrap it in `g.scope("w_bar_encoder", …)` for the checkpoint's
 * prefix; calling it again in the same scope shares the parameters). With taps c1, c2, c3 of the backbone:
 * ```
 * p2 = up(c3 → c2 side) + latlayer1(c2)        latlayer1: Conv1×1 C2 → C with bias
 * p1 = up(p2 → c1 side) + latlayer2(c1)        latlayer2: Conv1×1 C1 → C with bias
 * styles.j reads c3 (j < coarseIndex), p2 (j < middleIndex) or p1, with log2(side/S) stride-2 convs
 * out = stack_j(styles.j(…))                   [B, L, C, S, S]
 * ```
 *
 * @param g graph builder
 * @param config encoder configuration
 * @param x images [B, inputChannels, inputSize, inputSize] in [−1, 1]
 * @returns features [B, nStyles, featureChannels, featureSize, featureSize]
 * @throws {TypeError} when x does not have the configured shape
 * @example
 * ```ts
 * import { GraphBuilder } from "../graph/builder.ts";
 * import { CHURCH_ENCODER } from "./config.ts";
 * import { buildLayerWiseEncoder } from "./layer_wise_encoder.ts";
 * const g = new GraphBuilder("e2");
 * const f = g.scope("w_bar_encoder", () => buildLayerWiseEncoder(g, CHURCH_ENCODER, g.input("x", [2, 3, 256, 256])));
 * console.log(f.shape, g.parameters.at(-1)!.name); // [2, 14, 512, 8, 8] "w_bar_encoder.styles.13.convs.4.bias"
 * ```
 */
export function buildLayerWiseEncoder(
  g: GraphBuilder,
  config: EncoderConfig,
  x: Tensor,
  options: LayerWiseEncoderOptions = {},
): Tensor {
  const layout = encoderLayout(config);
  const { taps } = buildBackbone(g, config, x);
  const [c1, c2, c3] = taps; // [B, 128, 64, 64], [B, 256, 32, 32], [B, 512, 16, 16] in the paper models
  const channels = config.featureChannels;
  const batch = x.shape[0];
  const lateral = (name: string, tap: Tensor) =>
    g.scope(name, () => conv2d(g, tap, { outChannels: channels, kernelSize: 1 })); // [B, C, side, side]
  // Built lazily, in the official forward order: coarse styles on c3, then p2 and the middle styles, then p1
  // and the fine ones (a map no style reads is not built, and its lateral layer has no parameters).
  const maps: Tensor[] = [c3];
  const mapAt = (level: number): Tensor => {
    if (level >= 1 && maps.length === 1) maps.push(upsampleAdd(g, c3, lateral("latlayer1", c2))); // p2 [B, C, 32, 32]
    if (level === 2 && maps.length === 2) maps.push(upsampleAdd(g, maps[1], lateral("latlayer2", c1))); // p1 [B, C, 64, 64]
    return maps[level];
  };
  const negativeSlope = config.negativeSlope ?? 0.01;
  // With merging, the first convolutions of the styles on a map are made when its first style is reached.
  const merged = new Map<number, Tensor>();
  const features = layout.styles.map(({ level, convs }, j) => {
    const input = mapAt(level); // [B, C, side, side]
    const sharing = options.mergeSharedInputConvs
      ? layout.styles.flatMap((s, k) => s.level === level ? [k] : [])
      : [j];
    if (sharing.length > 1 && j === sharing[0]) {
      const firsts = mergedFirstConvs(g, input, sharing, layout.styles, { channels, negativeSlope });
      sharing.forEach((k, i) => merged.set(k, firsts[i]));
    }
    const first = merged.get(j); // [B, C, side/2, side/2] when merged
    const y = g.scope(
      `styles.${j}`,
      () =>
        first
          ? styleBlock(g, first, { convs, channels, negativeSlope, from: 1 })
          : styleBlock(g, input, { convs, channels, negativeSlope }),
    ); // [B, C, S, S]
    return g.reshape(y, [batch, 1, channels, config.featureSize, config.featureSize]); // [B, 1, C, S, S]
  });
  return g.concat(features, 1); // [B, L, C, S, S]
}

/**
 * The first stride-2 convolution (+ bias, LeakyReLU) of the styles `indices`, which all read `input`, as one
 * Conv; every style's parameters are declared first, in the order the per-style blocks declare them.
 *
 * @returns each style's [B, C, side/2, side/2], a channel slice of the merged result
 */
function mergedFirstConvs(
  g: GraphBuilder,
  input: Tensor,
  indices: readonly number[],
  styles: readonly { readonly convs: number }[],
  options: { channels: number; negativeSlope: number },
): Tensor[] {
  const { channels } = options;
  const firsts = indices.map((j) =>
    g.scope(
      `styles.${j}`,
      () => styleBlockParameters(g, input.shape[1], { convs: styles[j].convs, channels }),
    )[0]
  );
  const n = indices.length;
  const weight = g.concat(firsts.map((p) => p.weight), 0); // [n·C, C_in, 3, 3]
  const bias = g.reshape(g.concat(firsts.map((p) => p.bias), 0), [1, n * channels, 1, 1]); // [1, n·C, 1, 1]
  const y = g.add(g.conv(input, weight, { strides: [2, 2], pads: 1 }), bias); // [B, n·C, side/2, side/2]
  const activated = g.leakyRelu(y, options.negativeSlope);
  return indices.map((_, i) => g.slice(activated, [1], [i * channels], [(i + 1) * channels])); // [B, C, …]
}
