/**
 * The encoder backbones (spec §2–§3): the stem and the `body` of residual units, IR-SE (pSp) or ResNet
 * (torchvision), with parameter names equal to the official state dicts.
 *
 * @module
 */

import type { GraphBuilder } from "../graph/builder.ts";
import type { Tensor } from "../graph/tensor.ts";
import { assertShape } from "./_check.ts";
import { basicBlock } from "./basic_block.ts";
import { batchNorm2d } from "./batch_norm.ts";
import { bottleneckIrSe } from "./bottleneck_ir_se.ts";
import { type EncoderConfig, encoderLayout } from "./config.ts";
import { conv2d } from "./conv2d.ts";
import { prelu } from "./prelu.ts";

/** What {@linkcode buildBackbone} returns. */
export interface BackboneOutputs {
  /** The output of every `body` unit, in order (`units[i]` is `body[i]`'s output). */
  readonly units: readonly Tensor[];
  /** The FPN taps [c1, c2, c3] (the last unit of each of the last three stages). */
  readonly taps: readonly [Tensor, Tensor, Tensor];
  /** The last unit's output, [B, C_last, s, s]. */
  readonly output: Tensor;
}

/**
 * Adds the stem and the body in the current scope.
 * - `ir_se` stem (`input_layer`): `.0` Conv3×3 s1 p1 (no bias) → `.1` BN → `.2` PReLU.
 * - `resnet` stem: `conv1` Conv7×7 s2 p3 (no bias) → `bn1` → `relu` (a PReLU), and no max-pool
 *   (fpn_encoders.py L300-329).
 * - `body.i`: `bottleneck_IR_SE` or `BasicBlock` units, stage by stage, the first unit of each stage strided.
 *
 * @param g graph builder
 * @param config encoder configuration
 * @param x images [B, inputChannels, inputSize, inputSize]
 * @returns every unit's output and the FPN taps
 * @throws {TypeError} when x does not have the configured shape
 * @example
 * ```ts
 * import { GraphBuilder } from "../graph/builder.ts";
 * import { buildBackbone } from "./backbone.ts";
 * import { CHURCH_ENCODER } from "./config.ts";
 * const g = new GraphBuilder("resnet34");
 * const { units, taps } = buildBackbone(g, CHURCH_ENCODER, g.input("x", [1, 3, 256, 256]));
 * console.log(units.length, taps.map((t) => t.shape)); // 16 [[1, 128, 64, 64], [1, 256, 32, 32], [1, 512, 16, 16]]
 * ```
 */
export function buildBackbone(g: GraphBuilder, config: EncoderConfig, x: Tensor): BackboneOutputs {
  const { inputChannels, inputSize, stemChannels } = config;
  assertShape(x, [undefined, inputChannels, inputSize, inputSize], `${config.backbone} encoder input`);
  const layout = encoderLayout(config);
  let y: Tensor;
  if (config.backbone === "resnet") {
    y = g.scope(
      "conv1",
      () => conv2d(g, x, { outChannels: stemChannels, kernelSize: 7, stride: 2, padding: 3, bias: false }),
    ); // [B, 64, S/2, S/2]
    y = g.scope("bn1", () => batchNorm2d(g, y)); // [B, 64, S/2, S/2]
    y = g.scope("relu", () => prelu(g, y)); // [B, 64, S/2, S/2]
  } else {
    y = g.scope("input_layer", () => {
      const stem = g.scope(
        "0",
        () => conv2d(g, x, { outChannels: stemChannels, kernelSize: 3, padding: 1, bias: false }),
      ); // [B, 64, S, S]
      const normalized = g.scope("1", () => batchNorm2d(g, stem)); // [B, 64, S, S]
      return g.scope("2", () => prelu(g, normalized)); // [B, 64, S, S]
    });
  }
  const units: Tensor[] = [];
  g.scope("body", () => {
    for (const unit of layout.units) {
      const input = y;
      y = g.scope(
        String(unit.index),
        () =>
          config.backbone === "resnet"
            ? basicBlock(g, input, { planes: unit.channels, stride: unit.stride })
            : bottleneckIrSe(g, input, {
              depth: unit.channels,
              stride: unit.stride,
              seReduction: config.seReduction,
            }),
      ); // [B, C_i, s_i, s_i]
      units.push(y);
    }
  });
  const [c1, c2, c3] = layout.taps.map((tap) => units[tap.unit]);
  return { units, taps: [c1, c2, c3], output: y };
}
