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
import { styleBlock } from "./style_block.ts";

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
export function buildLayerWiseEncoder(g: GraphBuilder, config: EncoderConfig, x: Tensor): Tensor {
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
  const features = layout.styles.map(({ level, convs }, j) => {
    const input = mapAt(level); // [B, C, side, side]
    const y = g.scope(
      `styles.${j}`,
      () => styleBlock(g, input, { convs, channels, negativeSlope: config.negativeSlope }),
    ); // [B, C, S, S]
    return g.reshape(y, [batch, 1, channels, config.featureSize, config.featureSize]); // [B, 1, C, S, S]
  });
  return g.concat(features, 1); // [B, L, C, S, S]
}
