/**
 * The HyperInverter pipeline: architecture (from a manifest), the one-graph forward pass with optional refinement
 * passes, the run-time model with `invert()`, and the paper's presets.
 *
 * @example
 * ```ts
 * import { hyperInverterGraph, resolveArchitecture } from "./mod.ts";
 * const architecture = resolveArchitecture({
 *   generator: { resolution: 64, channelBase: 1024, channelMax: 64 },
 *   wEncoder: { preset: "tiny64" }, layerWiseEncoder: { preset: "tiny64" },
 *   hypernet: { hiddenDim: 8, featureChannels: 64, featureSize: 4 },
 * });
 * const g = hyperInverterGraph(architecture, { batch: 2 });
 * console.log(g.outputs.map((t) => t.name).slice(0, 3)); // ["w_codes", "w_images", "final_images"]
 * ```
 *
 * @module
 */
export { type ArchitectureJson, resolveArchitecture } from "./architecture.ts";
export {
  type HyperInverterArchitecture,
  hyperInverterGraph,
  type PipelineGraphOptions,
} from "./pipeline_graph.ts";
export {
  HyperInverter,
  type HyperInverterOptions,
  type InversionResult,
  type InvertOptions,
  type StageName,
} from "./hyperinverter.ts";
export { loadHyperInverter } from "./load.ts";
export { checkFiniteOutput, NonFiniteOutputError, type OutputStage } from "./output_checks.ts";
export { checkWeightValues } from "./weight_checks.ts";
export { writeModelFolder } from "./model_folder.ts";
export {
  type CodedInversionResult,
  invertWithCodes,
  type LoadedInversion,
  loadInversion,
  modelIdentity,
  residualsFromCodes,
} from "./compact_inversion.ts";
export { type ExportDescription, type ExportedTensor, exportModel } from "./export.ts";
export { architecturePluginHashes, loadArchitecturePlugins, type PluginTrustOptions } from "./plugins.ts";
export {
  MANIFEST_FORMAT,
  MANIFEST_VERSION,
  type ModelManifest,
  MODULE_NAMES,
  MODULE_PREFIX,
  type ModuleName,
  parseManifest,
  readManifest,
} from "./manifest.ts";
export { CHURCH_256_D64, FFHQ_1024_D128 } from "./presets.ts";
export { FIXTURE_MODULE_PREFIXES, pipelineWeightsFromFixture } from "./reference_weights.ts";
