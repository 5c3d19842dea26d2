/**
 * Every tensor of an ADA `Generator.state_dict()`, in its exact order, derived from the configuration:
 * what an importer checks a checkpoint against before copying anything (nanoGPT's `from_pretrained`
 * discipline).
 *
 * @module
 */

import { channelsAt, type GeneratorConfig } from "./config.ts";
import { layerRegistry, type LayerSpec } from "./registry.ts";

/** Whether a state-dict tensor is a trainable parameter or a registered buffer. */
export type ParameterKind = "parameter" | "buffer";

/** One tensor of the generator's state dict. */
export interface ParameterSpec {
  /** Full state-dict name, e.g. "synthesis.b8.conv0.weight" or "mapping.w_avg". */
  readonly name: string;
  /** Shape ([] for a scalar such as `noise_strength`). */
  readonly shape: readonly number[];
  /** "buffer" for `resample_filter`, `noise_const` and `w_avg`; "parameter" otherwise. */
  readonly kind: ParameterKind;
}

/** Side of the 4×4 FIR filter [1,3,3,1]⊗[1,3,3,1]/64 that every block and SynthesisLayer stores. */
const FILTER_TAPS = 4;

/**
 * Lists the ADA `Generator.state_dict()` in order. PyTorch emits a module's own parameters, then its own
 * buffers, then its children in creation order, which gives:
 * - synthesis before mapping;
 * - per block: `const` (b4 only), `resample_filter`, then conv0, conv1, torgb;
 * - per SynthesisLayer: `weight, noise_strength, bias, resample_filter, noise_const`, then
 *   `affine.weight, affine.bias`;
 * - per ToRGBLayer: `weight, bias, affine.weight, affine.bias` (no filter, no noise);
 * - mapping: the buffer `w_avg` first, then `fc{i}.weight, fc{i}.bias`.
 *
 * @param config generator configuration
 * @returns the frozen list: 182 tensors at 1024 with 8 mapping layers, 144 at 256
 *
 * @example
 * ```ts
 * import { FFHQ_1024 } from "./config.ts";
 * import { generatorParameters } from "./parameters.ts";
 * const parameters = generatorParameters(FFHQ_1024);
 * const [first] = parameters;
 * console.log(parameters.length, first.name, first.shape); // 182 "synthesis.b4.const" [512, 4, 4]
 * ```
 */
export function generatorParameters(config: GeneratorConfig): readonly ParameterSpec[] {
  const specs: ParameterSpec[] = [];
  const add = (name: string, shape: readonly number[], kind: ParameterKind = "parameter"): void => {
    specs.push(Object.freeze({ name, shape: Object.freeze([...shape]), kind }));
  };

  const registry = layerRegistry(config);
  for (let block = 4; block <= config.resolution; block *= 2) {
    const prefix = `synthesis.b${block}`;
    if (block === 4) add(`${prefix}.const`, [channelsAt(config, 4), 4, 4]); // [C, 4, 4]
    add(`${prefix}.resample_filter`, [FILTER_TAPS, FILTER_TAPS], "buffer");
    for (const layer of registry.filter((candidate) => candidate.block === block)) {
      addLayer(layer, add);
    }
  }

  add("mapping.w_avg", [config.wDim], "buffer");
  for (let i = 0; i < config.mappingLayers; i++) {
    const inFeatures = i === 0 ? config.zDim : config.wDim; // c_dim = 0, so no embedding is concatenated
    add(`mapping.fc${i}.weight`, [config.wDim, inFeatures]);
    add(`mapping.fc${i}.bias`, [config.wDim]);
  }
  return Object.freeze(specs);
}

function addLayer(
  layer: LayerSpec,
  add: (name: string, shape: readonly number[], kind?: ParameterKind) => void,
): void {
  const prefix = `synthesis.${layer.name}`;
  add(layer.weightName, layer.weightShape);
  if (layer.kind !== "torgb") {
    add(`${prefix}.noise_strength`, []);
    add(`${prefix}.bias`, [layer.outChannels]);
    add(`${prefix}.resample_filter`, [FILTER_TAPS, FILTER_TAPS], "buffer");
    add(`${prefix}.noise_const`, [layer.resolution, layer.resolution], "buffer");
  } else {
    add(`${prefix}.bias`, [layer.outChannels]);
  }
  add(layer.affineWeightName, layer.affineWeightShape);
  add(`${prefix}.affine.bias`, [layer.inChannels]);
}

/**
 * Total number of elements of the listed tensors of one kind (or of all of them).
 *
 * @param parameters the list from {@linkcode generatorParameters}
 * @param kind count only this kind; all tensors when omitted
 * @returns the element count (a scalar counts 1)
 *
 * @example
 * ```ts
 * import { FFHQ_1024 } from "./config.ts";
 * import { countElements, generatorParameters } from "./parameters.ts";
 * console.log(countElements(generatorParameters(FFHQ_1024), "parameter")); // 30370060
 * ```
 */
export function countElements(parameters: readonly ParameterSpec[], kind?: ParameterKind): number {
  return parameters
    .filter((parameter) => kind === undefined || parameter.kind === kind)
    .reduce((total, parameter) => total + parameter.shape.reduce((size, dim) => size * dim, 1), 0);
}
