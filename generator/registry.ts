/**
 * The layer table of the ADA synthesis network (spec §1.2), computed from the resolution and the channel
 * rule: every modulated conv and toRGB layer with its shapes, the w row it reads, the E2 feature map its
 * hypernet reads, and its names in both checkpoint formats. Also the official hypernet target sets (§4).
 *
 * @module
 */

import { channelsAt, type GeneratorConfig } from "./config.ts";

/** Which of the three layers of a synthesis block: the upsampling conv, the plain conv, or the toRGB. */
export type LayerKind = "conv0" | "conv1" | "torgb";

/** One modulated conv or toRGB layer of the synthesis network. */
export interface LayerSpec {
  /** Position in the table (forward order: b4.conv1, b4.torgb, b8.conv0, b8.conv1, b8.torgb, …). */
  readonly index: number;
  /** ADA module name below `synthesis.`, e.g. "b8.conv0". */
  readonly name: string;
  /** Resolution of the block that owns the layer, e.g. 8 for "b8.conv0". */
  readonly block: number;
  /** Which layer of its block. */
  readonly kind: LayerKind;
  /** Input feature channels I (also the size of the layer's style vector). */
  readonly inChannels: number;
  /** Output channels O (image channels for a toRGB layer). */
  readonly outChannels: number;
  /** Spatial kernel size k: 3 for a conv, 1 for a toRGB. */
  readonly kernel: number;
  /** Spatial size of the layer's output (the block resolution). */
  readonly resolution: number;
  /** Whether the layer upsamples ×2 (true exactly for conv0). */
  readonly upsample: boolean;
  /** Row of ws the layer's affine reads (ADA `SynthesisNetwork` ws slicing; rosinality `latent[…]`). */
  readonly styleIndex: number;
  /** E2 feature map the layer's hypernet regressor reads (official `w_idx`, `models/weight_shapes.py`). */
  readonly featureSlot: number;
  /** Full state-dict name of the raw conv weight, e.g. "synthesis.b8.conv0.weight". */
  readonly weightName: string;
  /** Shape of the raw conv weight [O, I, k, k]. */
  readonly weightShape: readonly [number, number, number, number];
  /** Full state-dict name of the affine (style) weight, e.g. "synthesis.b8.conv0.affine.weight". */
  readonly affineWeightName: string;
  /** Shape of the affine weight [I, wDim]. */
  readonly affineWeightShape: readonly [number, number];
  /** Rosinality module name (spec §1.6): "conv1", "to_rgb1", "convs.{2m}", "convs.{2m+1}", "to_rgbs.{m}". */
  readonly rosinalityName: string;
  /** Rosinality name of the conv weight, `${rosinalityName}.conv.weight`, stored as [1, O, I, k, k]. */
  readonly rosinalityWeightName: string;
  /** j of rosinality's `noises.noise_j` buffer for a conv layer; null for a toRGB layer (it has no noise). */
  readonly rosinalityNoiseIndex: number | null;
}

/**
 * Builds the ordered table of every conv and toRGB layer of the synthesis network. Block b{2^k} (k ≥ 3)
 * contributes conv0 (upsampling), conv1 and torgb; b4 contributes conv1 and torgb. The table has
 * 3·log2(R) − 4 rows: 26 at 1024 and 20 at 256.
 *
 * @param config generator configuration (only resolution, channels, wDim and imgChannels matter)
 * @returns the frozen table, in forward (and official target-set) order
 *
 * @example
 * ```ts
 * import { FFHQ_1024 } from "./config.ts";
 * import { layerRegistry } from "./registry.ts";
 * const registry = layerRegistry(FFHQ_1024);
 * const conv0 = registry[2];
 * console.log(registry.length, conv0.name, conv0.styleIndex, conv0.featureSlot); // 26 "b8.conv0" 1 2
 * ```
 */
export function layerRegistry(config: GeneratorConfig): readonly LayerSpec[] {
  const layers: LayerSpec[] = [];
  const add = (
    block: number,
    kind: LayerKind,
    inChannels: number,
    slots: { styleIndex: number; featureSlot: number },
    rosinality: { name: string; noiseIndex: number | null },
  ): void => {
    const name = `b${block}.${kind}`;
    const outChannels = kind === "torgb" ? config.imgChannels : channelsAt(config, block);
    const kernel = kind === "torgb" ? 1 : 3;
    layers.push(Object.freeze({
      index: layers.length,
      name,
      block,
      kind,
      inChannels,
      outChannels,
      kernel,
      resolution: block,
      upsample: kind === "conv0",
      styleIndex: slots.styleIndex,
      featureSlot: slots.featureSlot,
      weightName: `synthesis.${name}.weight`,
      weightShape: Object.freeze([outChannels, inChannels, kernel, kernel] as const),
      affineWeightName: `synthesis.${name}.affine.weight`,
      affineWeightShape: Object.freeze([inChannels, config.wDim] as const),
      rosinalityName: rosinality.name,
      rosinalityWeightName: `${rosinality.name}.conv.weight`,
      rosinalityNoiseIndex: rosinality.noiseIndex,
    }));
  };

  const c4 = channelsAt(config, 4);
  add(4, "conv1", c4, { styleIndex: 0, featureSlot: 0 }, { name: "conv1", noiseIndex: 0 });
  add(4, "torgb", c4, { styleIndex: 1, featureSlot: 1 }, { name: "to_rgb1", noiseIndex: null });
  const log2Resolution = Math.log2(config.resolution);
  for (let k = 3; k <= log2Resolution; k++) {
    const block = 2 ** k;
    const m = k - 3; // rosinality index of the block: convs.{2m}, convs.{2m+1}, to_rgbs.{m}
    const previous = channelsAt(config, block / 2);
    const current = channelsAt(config, block);
    add(block, "conv0", previous, { styleIndex: 2 * k - 5, featureSlot: 2 * k - 4 }, {
      name: `convs.${2 * m}`,
      noiseIndex: 2 * m + 1,
    });
    add(block, "conv1", current, { styleIndex: 2 * k - 4, featureSlot: 2 * k - 3 }, {
      name: `convs.${2 * m + 1}`,
      noiseIndex: 2 * m + 2,
    });
    add(block, "torgb", current, { styleIndex: 2 * k - 3, featureSlot: 2 * k - 3 }, {
      name: `to_rgbs.${m}`,
      noiseIndex: null,
    });
  }
  return Object.freeze(layers);
}

/** Names of the official hypernet target sets (`--target_shape_name`, `get_target_shapes`). */
export const TARGET_SET_NAMES = [
  "conv_without_bias",
  "conv_without_bias_without_torgb",
  "all_without_bias",
] as const;

/** One of {@linkcode TARGET_SET_NAMES}. */
export type TargetSetName = typeof TARGET_SET_NAMES[number];

/** One tensor the hypernet predicts a residual for. */
export interface TargetLayer {
  /** Official key without the `synthesis.` prefix, e.g. "b8.conv0.weight" or "b8.conv0.affine.weight". */
  readonly name: string;
  /** Key of the layer's regressor in `hypernet.weight_regressors`: the name with "." replaced by "_". */
  readonly regressorKey: string;
  /** Shape of the residual: [O, I, k, k] for a conv weight, [I, wDim] for an affine weight. */
  readonly shape: readonly number[];
  /** E2 feature map the regressor reads (official `w_idx`); equals the layer's featureSlot. */
  readonly featureSlot: number;
  /** Which tensor of the layer the residual is added to. */
  readonly tensor: "weight" | "affine.weight";
  /** The synthesis layer that owns the tensor. */
  readonly layer: LayerSpec;
}

/**
 * The hypernet targets of an official target set, in the official order (`models/weight_shapes.py`, kept
 * for every block up to the output resolution by `get_target_shapes`):
 * - `conv_without_bias`: every conv0/conv1/torgb weight (26 at 1024, 20 at 256); the released models.
 * - `conv_without_bias_without_torgb`: the same without the toRGB weights (17 at 1024).
 * - `all_without_bias`: every conv and toRGB weight, followed by every layer's `affine.weight` [I, wDim]
 *   in the same layer order with the same `w_idx` (52 at 1024).
 *
 * @param registry the table from {@linkcode layerRegistry}
 * @param setName an official target-set name
 * @returns the frozen list of targets
 * @throws {RangeError} for an unknown set name (the message lists the valid ones)
 *
 * @example
 * ```ts
 * import { CHURCH_256 } from "./config.ts";
 * import { layerRegistry, targetLayers } from "./registry.ts";
 * const targets = targetLayers(layerRegistry(CHURCH_256), "conv_without_bias");
 * console.log(targets.length, targets[4].name, targets[4].featureSlot); // 20 "b8.torgb.weight" 3
 * ```
 */
export function targetLayers(registry: readonly LayerSpec[], setName: string): readonly TargetLayer[] {
  if (!(TARGET_SET_NAMES as readonly string[]).includes(setName)) {
    throw new RangeError(
      `Unknown target set name ${JSON.stringify(setName)}; valid names are ${TARGET_SET_NAMES.join(", ")}`,
    );
  }
  const weightTarget = (layer: LayerSpec): TargetLayer => target(layer, "weight", layer.weightShape);
  const name = setName as TargetSetName;
  switch (name) {
    case "conv_without_bias":
      return Object.freeze(registry.map(weightTarget));
    case "conv_without_bias_without_torgb":
      return Object.freeze(registry.filter((layer) => layer.kind !== "torgb").map(weightTarget));
    case "all_without_bias":
      return Object.freeze([
        ...registry.map(weightTarget),
        ...registry.map((layer) => target(layer, "affine.weight", layer.affineWeightShape)),
      ]);
  }
}

function target(layer: LayerSpec, tensor: TargetLayer["tensor"], shape: readonly number[]): TargetLayer {
  const name = `${layer.name}.${tensor}`;
  return Object.freeze({
    name,
    regressorKey: name.replaceAll(".", "_"),
    shape,
    featureSlot: layer.featureSlot,
    tensor,
    layer,
  });
}

/**
 * Prints the table in the column layout of spec §1.2, one row per layer (conv0 rows marked "(up)").
 *
 * @param registry the table from {@linkcode layerRegistry}
 * @returns a Markdown table with a header row
 *
 * @example
 * ```ts
 * import { CHURCH_256 } from "./config.ts";
 * import { formatRegistryTable, layerRegistry } from "./registry.ts";
 * console.log(formatRegistryTable(layerRegistry(CHURCH_256)).split("\n")[2]);
 * // | 0 | b4.conv1 | conv1 | 512,512,3,3 | 0 | 0 |
 * ```
 */
export function formatRegistryTable(registry: readonly LayerSpec[]): string {
  const lines = [
    "| # | ADA name (`synthesis.`…) | rosinality name | weight shape (O,I,k,k) | gen ws | hyp idx |",
    "|---|---|---|---|---|---|",
  ];
  for (const layer of registry) {
    const adaName = layer.upsample ? `${layer.name} (up)` : layer.name;
    lines.push(
      `| ${layer.index} | ${adaName} | ${layer.rosinalityName} | ${layer.weightShape.join(",")} | ` +
        `${layer.styleIndex} | ${layer.featureSlot} |`,
    );
  }
  return lines.join("\n");
}
