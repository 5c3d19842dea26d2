/**
 * Editing: InterFaceGAN and GANSpace latent edits as the official code computes them, and real-image
 * interpolation of w and ΔW (paper §4.6). Edits move w; the predicted ΔW is reused unchanged (render with
 * `HyperInverter.synthesize`).
 *
 * @example
 * ```ts
 * import { interfaceGanEdit } from "./mod.ts";
 * console.log(interfaceGanEdit(new Float32Array([0, 0]), 1, new Float32Array([1, 2]), 2)); // Float32Array [2, 4]
 * ```
 *
 * @module
 */
export {
  type GanSpaceEdit,
  ganSpaceEdit,
  type GanSpacePca,
  type InterfaceGanDirection,
  interfaceGanEdit,
} from "./directions.ts";
export {
  type CompactCodes,
  interpolateAt,
  interpolateCodesAt,
  interpolateInversions,
  type InversionCodes,
  lerp,
} from "./interpolate.ts";
export { principalComponents } from "./pca.ts";
export {
  attributeClassifierGraph,
  buildAttributeClassifier,
  CLASSIFIER_KINDS,
  type ClassifierInput,
  type ClassifierKind,
  FASHION_MNIST_INPUT,
  initialClassifierWeights,
} from "./attribute_classifier.ts";
export {
  AttributeModel,
  type ClassifierTrainingOptions,
  type LabelledSource,
  type Prediction,
} from "./attribute_model.ts";
export {
  attributeScores,
  type ClassGroupAttribute,
  FASHION_MNIST_ATTRIBUTES,
  FASHION_MNIST_CLASSES,
  fashionAttribute,
} from "./fashion_attributes.ts";
export { fitLinearBoundary, type LinearBoundary } from "./linear_boundary.ts";
export { broadcastRows, sampleW, standardNormal } from "./sample_latents.ts";
export {
  directionFromScores,
  type LabelledLatents,
  labelSampledLatents,
  type LearnedDirection,
} from "./learn_direction.ts";
export { readDirections, type StoredDirection, writeDirections } from "./direction_file.ts";
export { LEARNED_DIRECTIONS_FILE, loadGanSpacePca, loadInterfaceGanDirection } from "./load_direction.ts";
export {
  editabilityMarkdown,
  type EditabilityResult,
  type EditabilityRow,
  type MeasuredDirection,
  measureEditability,
  measureEditabilityWith,
  TABLE_2_GAMMAS,
} from "./editability.ts";
export {
  chooseEditStrength,
  EDIT_STRENGTH_LADDER,
  type EditStrength,
  type EditStrengthOptions,
} from "./edit_strength.ts";
export { ID_NETWORK_SCOPE, type IdNetwork, loadIdNetwork } from "./classifier_features.ts";
