/**
 * The encoders of HyperInverter (spec §2–§3): IR-SE and ResNet backbones, the phase-I W encoders
 * (backbone → average pool → EqualLinear → w offset) and the phase-II layer-wise FPN encoders
 * (→ [B, L, C, S, S]), with parameter names equal to the official state dicts, configured by one record with
 * presets for the paper models (`ffhq1024`, `church256`) and a CPU-sized one (`tiny64`).
 * Pure graph construction: importing this module loads no native code.
 *
 * @example
 * ```ts
 * import { GraphBuilder } from "../graph/builder.ts";
 * import { buildLayerWiseEncoder, buildWEncoder, resolveEncoderConfig } from "./mod.ts";
 * const config = resolveEncoderConfig({ preset: "tiny64" });
 * const g = new GraphBuilder("encoders");
 * const x = g.input("x", [1, 3, 64, 64]); // [1, 3, 64, 64]
 * const w = g.scope("w_encoder", () => buildWEncoder(g, config, x)); // [1, 512]
 * const f = g.scope("w_bar_encoder", () => buildLayerWiseEncoder(g, config, x)); // [1, 10, 64, 4, 4]
 * console.log(w.shape, f.shape); // [1, 512] [1, 10, 64, 4, 4]
 * ```
 *
 * @module
 */
export {
  BACKBONE_KINDS,
  type BackboneKind,
  CHURCH_ENCODER,
  ENCODER_DEFAULTS,
  ENCODER_PRESETS,
  type EncoderConfig,
  type EncoderConfigInput,
  type EncoderLayout,
  encoderLayout,
  type EncoderPresetName,
  type EncoderStage,
  FFHQ_ENCODER,
  IR_SE50_STAGES,
  RESNET34_STAGES,
  resolveEncoderConfig,
  type TapLayout,
  TINY_ENCODER,
  type UnitLayout,
} from "./config.ts";
export { type BackboneOutputs, buildBackbone } from "./backbone.ts";
export { buildWEncoder } from "./w_encoder.ts";
export { buildLayerWiseEncoder, type LayerWiseEncoderOptions } from "./layer_wise_encoder.ts";
export { type EncoderGraphOptions, layerWiseEncoderGraph, wEncoderGraph } from "./encoder_graphs.ts";
export { styleBlock, type StyleBlockOptions, styleBlockParameters } from "./style_block.ts";
export { bottleneckIrSe, type BottleneckIrSeOptions } from "./bottleneck_ir_se.ts";
export { basicBlock, type BasicBlockOptions } from "./basic_block.ts";
export { seModule, type SeModuleOptions } from "./se_module.ts";
export { batchNorm2d, type BatchNormOptions } from "./batch_norm.ts";
export { prelu } from "./prelu.ts";
export { conv2d, type Conv2dOptions } from "./conv2d.ts";
