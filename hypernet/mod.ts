/**
 * HyperInverter's hypernetwork (spec §3.3, §4): fusion operators, the official weight regressor (fusion →
 * feature extractor → two-matrix linear mapper with the row-major reshape), sharing strategies, and the factory
 * that wires them to the generator's layer registry. Pure graph construction.
 *
 * @example
 * ```ts
 * import { FFHQ_1024, layerRegistry } from "../generator/mod.ts";
 * import { hypernetParameterCount } from "./mod.ts";
 * console.log(hypernetParameterCount({ hiddenDim: 256 }, layerRegistry(FFHQ_1024))); // 642351195
 * ```
 *
 * @module
 */
export {
  HYPERNET_DEFAULTS,
  type HypernetConfig,
  type PluginSpecifierString,
  resolveHypernetConfig,
} from "./config.ts";
export {
  hypernetPlugins,
  type NamedPlugin,
  type ResolvedHypernetPlugins,
  resolveHypernetPlugins,
  type ResolveHypernetPluginsOptions,
} from "./plugins.ts";
export { REGRESSOR_INIT, ZERO_INIT } from "./init.ts";
export {
  buildHypernet,
  type BuildHypernetOptions,
  type HypernetParameter,
  hypernetParameterCount,
  hypernetParameters,
} from "./hypernet.ts";
export { hypernetGraph, type HypernetGraphOptions } from "./hypernet_graph.ts";
export { type RegressorOutput, weightRegressor } from "./weight_regressor.ts";
export { type RegressorSettings, regressorTrunk, type TrunkOutput } from "./trunk.ts";
export {
  stackableFusion,
  type StackedRegressor,
  type StackedRegressorOutput,
  stackedRegressors,
} from "./regressor_stack.ts";
export {
  extractorDownsamplings,
  featureExtractor,
  type FeatureExtractorOptions,
} from "./feature_extractor.ts";
export { applyLinearMapper, declareLinearMapper, type LinearMapper, mapperDims } from "./linear_mapper.ts";
export type { FusionOperator, FusionOptions } from "./fusion/operator.ts";
export {
  FUSION_NAMES,
  FUSION_OPERATORS,
  FUSION_REGISTRY,
  type FusionName,
  fusionOperator,
  fusionOperatorProblem,
  isFusionOperator,
  resolveFusionOperator,
} from "./fusion/registry.ts";
export { concatConv } from "./fusion/concat_conv.ts";
export { inputOnly } from "./fusion/input_only.ts";
export { sum } from "./fusion/sum.ts";
export { difference } from "./fusion/difference.ts";
export { gated } from "./fusion/gated.ts";
export {
  reportIntermediates,
  type SharingContext,
  type SharingFeatures,
  type SharingStrategy,
} from "./sharing/strategy.ts";
export {
  isSharingStrategy,
  resolveSharingStrategy,
  SHARING_NAMES,
  SHARING_REGISTRY,
  SHARING_STRATEGIES,
  type SharingName,
  sharingStrategy,
  sharingStrategyProblem,
} from "./sharing/registry.ts";
export { perLayer } from "./sharing/per_layer.ts";
export { sharedCode } from "./sharing/shared_code.ts";
export { sharedWeights } from "./sharing/shared_weights.ts";
export { perResolution } from "./sharing/per_resolution.ts";
