/**
 * StyleGAN2-ADA generator: configuration, the layer registry (style index and hypernet feature slot of every
 * conv), the state-dict layout, and graph builders for mapping and synthesis (with per-sample residuals).
 * Pure graph construction: importing this module loads no native code.
 *
 * @example
 * ```ts
 * import { CHURCH_256, layerRegistry, synthesisGraph } from "./mod.ts";
 * console.log(layerRegistry(CHURCH_256).length); // 20
 * const g = synthesisGraph(CHURCH_256, { batch: 2, residuals: "conv_without_bias" });
 * console.log(g.outputs[0].shape); // [2, 3, 256, 256]
 * ```
 *
 * @module
 */
export {
  channelsAt,
  CHURCH_256,
  FFHQ_1024,
  GENERATOR_DEFAULTS,
  type GeneratorConfig,
  generatorConfigFromInitKwargs,
  isPowerOfTwo,
  MAX_RESOLUTION,
  MIN_RESOLUTION,
  numWs,
  resolveGeneratorConfig,
} from "./config.ts";
export {
  formatRegistryTable,
  type LayerKind,
  layerRegistry,
  type LayerSpec,
  TARGET_SET_NAMES,
  type TargetLayer,
  targetLayers,
  type TargetSetName,
} from "./registry.ts";
export { countElements, generatorParameters, type ParameterKind, type ParameterSpec } from "./parameters.ts";
export { buildMapping, type TruncationOptions } from "./mapping.ts";
export { buildSynthesis, type SynthesisOptions } from "./synthesis.ts";
export { mappingGraph, synthesisGraph, type SynthesisGraphOptions } from "./generator_graphs.ts";
export {
  convPerSample,
  type LayerResiduals,
  modulateWeight,
  synthesisLayer,
  toRgbLayer,
} from "./modulated_conv.ts";
export { equalizedLinear, type EqualizedLinearOptions } from "./linear.ts";
export { blurAfterUpConv, RESAMPLE_TAPS, resampleFilter, upsampleImage } from "./fir.ts";
export {
  buildDiscriminator,
  type BuildDiscriminatorOptions,
  DISCRIMINATOR_DEFAULTS,
  discriminatorChannels,
  type DiscriminatorConfig,
  discriminatorConfigFromInitKwargs,
  discriminatorGraph,
  type DiscriminatorGraphOptions,
  minibatchStd,
  resolveDiscriminatorConfig,
} from "./discriminator.ts";
