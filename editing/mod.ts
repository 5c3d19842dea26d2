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
export { interpolateInversions, type InversionCodes, lerp } from "./interpolate.ts";
export { principalComponents } from "./pca.ts";
