/**
 * Configuration of the encoders (spec §2–§3): one record with documented defaults, named presets for the
 * paper models and a CPU-sized one, a resolver that fills and validates it, and the layout every builder
 * derives from it (unit strides, spatial sizes, FPN taps, StyleBlock depths).
 *
 * One record describes both encoders of a model: the phase-I W encoder reads the backbone fields and `wDim`;
 * the phase-II layer-wise encoder reads the backbone fields and the FPN fields (`nStyles` onward).
 *
 * @module
 */

/**
 * Backbone family.
 * - `"ir_se"`: pSp's IR-SE (helpers.py): stem `input_layer` = Conv3×3 s1 p1 (no bias), BN, PReLU; units
 *   `bottleneck_IR_SE`.
 * - `"resnet"`: torchvision ResNet as HyperInverter wraps it (fpn_encoders.py L300-329): stem `conv1` =
 *   Conv7×7 s2 p3 (no bias), `bn1`, PReLU `relu`, **no max-pool**; units torchvision `BasicBlock`.
 */
export type BackboneKind = "ir_se" | "resnet";

/** The backbone families, for messages and validation. */
export const BACKBONE_KINDS: readonly BackboneKind[] = ["ir_se", "resnet"];

/** One stage of a backbone: `units` residual units with `channels` outputs; the first unit has `stride`. */
export interface EncoderStage {
  /** Output channels of every unit of the stage (`depth` in helpers.py, `planes` in torchvision). */
  readonly channels: number;
  /** Number of residual units. */
  readonly units: number;
  /** Stride of the stage's first unit (1 or 2); the other units have stride 1. */
  readonly stride: number;
}

/**
 * The IR-SE50 stages (helpers.py `get_blocks(50)`): (64→64 ×3), (64→128 ×4), (128→256 ×14), (256→512 ×3),
 * stride 2 in the first unit of each.
 */
export const IR_SE50_STAGES: readonly EncoderStage[] = Object.freeze([
  { channels: 64, units: 3, stride: 2 },
  { channels: 128, units: 4, stride: 2 },
  { channels: 256, units: 14, stride: 2 },
  { channels: 512, units: 3, stride: 2 },
]);

/** The ResNet-34 stages (torchvision `layer1`–`layer4`): [3, 4, 6, 3] units, strides 1, 2, 2, 2. */
export const RESNET34_STAGES: readonly EncoderStage[] = Object.freeze([
  { channels: 64, units: 3, stride: 1 },
  { channels: 128, units: 4, stride: 2 },
  { channels: 256, units: 6, stride: 2 },
  { channels: 512, units: 3, stride: 2 },
]);

/** Hyper-parameters of the W encoder and the layer-wise (FPN) encoder. */
export interface EncoderConfig {
  /** Backbone family. Default `"ir_se"` (the FFHQ encoders). */
  readonly backbone: BackboneKind;
  /** Side of the square input image. Default 256 (both paper models encode a 256² resize). */
  readonly inputSize: number;
  /** Channels of the input image. Default 3. */
  readonly inputChannels: number;
  /** Output channels of the stem convolution. Default 64. */
  readonly stemChannels: number;
  /**
   * Backbone stages, at least 3 (the FPN taps the last unit of each of the last three). Default
   * {@linkcode IR_SE50_STAGES} for `"ir_se"`, {@linkcode RESNET34_STAGES} for `"resnet"`.
   */
  readonly stages: readonly EncoderStage[];
  /** Channel reduction of the IR-SE squeeze-excitation module (`SEModule(depth, 16)`). Default 16. */
  readonly seReduction: number;
  /** Output size of the W encoder's `linear` (EqualLinear, lr_mul 1), i.e. the generator's w_dim. Default 512. */
  readonly wDim: number;
  /** Number of feature maps L of the layer-wise encoder (`n_styles` = 2·log2 R − 2). Default 18 (1024²). */
  readonly nStyles: number;
  /** Styles j < coarseIndex read the deepest tap c3 (`coarse_ind`). Default 3. */
  readonly coarseIndex: number;
  /** Styles coarseIndex ≤ j < middleIndex read p2; the rest read p1 (`middle_ind`). Default 7. */
  readonly middleIndex: number;
  /**
   * Channels of the FPN maps and of every output feature map. The top-down sum `p2 = up(c3) + latlayer1(c2)`
   * needs them equal to the last stage's channels. Default: the last stage's channels (512 for the paper
   * backbones).
   */
  readonly featureChannels: number;
  /**
   * Side of every output feature map. Each StyleBlock halves its input with stride-2 convolutions until this
   * size, so each tap's side must be featureSize·2ⁿ with n ≥ 1. Default 8.
   */
  readonly featureSize: number;
  /** Slope of the StyleBlocks' LeakyReLU (torch's default `nn.LeakyReLU()`). Default 0.01. */
  readonly negativeSlope: number;
}

/** Names of the presets. */
export type EncoderPresetName = "ffhq1024" | "church256" | "tiny64";

/**
 * The presets:
 * - `ffhq1024`: the FFHQ models (spec §2, §3.1): IR-SE50 for E1 (`BackboneEncoderUsingLastLayerIntoW`) and E2
 *   (`LayerWiseEncoder`, L = 18).
 * - `church256`: the LSUN Church models (§2, §3.2): ResNet-34 for E1 (`ResNetEncoderUsingLastLayerIntoW`) and
 *   E2 (`ResNetLayerWiseEncoder`, L = 14).
 * - `tiny64`: a CPU-trainable IR-SE encoder for 64² inputs (one unit per stage, 16–64 channels, no stride in
 *   the first stage): taps 32²/16²/8², L = 10 maps of 64×4×4 (a 64-px generator has 10 w rows). E1 has
 *   0.16 M parameters and 79 M MACs per image, E2 0.87 M and 133 M MACs.
 */
export const ENCODER_PRESETS: Readonly<Record<EncoderPresetName, Partial<EncoderConfig>>> = Object.freeze({
  ffhq1024: Object.freeze({ backbone: "ir_se", stages: IR_SE50_STAGES, nStyles: 18 }),
  church256: Object.freeze({ backbone: "resnet", stages: RESNET34_STAGES, nStyles: 14 }),
  tiny64: Object.freeze({
    backbone: "ir_se",
    inputSize: 64,
    stemChannels: 16,
    stages: Object.freeze([
      { channels: 16, units: 1, stride: 1 },
      { channels: 32, units: 1, stride: 2 },
      { channels: 48, units: 1, stride: 2 },
      { channels: 64, units: 1, stride: 2 },
    ]),
    seReduction: 8,
    nStyles: 10,
    featureSize: 4,
  }),
} as Record<EncoderPresetName, Partial<EncoderConfig>>);

/** What {@linkcode resolveEncoderConfig} accepts: any fields, optionally on top of a preset. */
export type EncoderConfigInput = Partial<EncoderConfig> & {
  /** A preset to start from; explicit fields override it. */
  readonly preset?: EncoderPresetName;
};

/** Every field except `stages` and `featureChannels` (which depend on the backbone), at its default. */
export const ENCODER_DEFAULTS: Readonly<Omit<EncoderConfig, "stages" | "featureChannels">> = Object.freeze({
  backbone: "ir_se",
  inputSize: 256,
  inputChannels: 3,
  stemChannels: 64,
  seReduction: 16,
  wDim: 512,
  nStyles: 18,
  coarseIndex: 3,
  middleIndex: 7,
  featureSize: 8,
  negativeSlope: 0.01,
});

const FIELDS: readonly (keyof EncoderConfig)[] = [
  "backbone",
  "inputSize",
  "inputChannels",
  "stemChannels",
  "stages",
  "seReduction",
  "wDim",
  "nStyles",
  "coarseIndex",
  "middleIndex",
  "featureChannels",
  "featureSize",
  "negativeSlope",
];

const POSITIVE_INTEGER_FIELDS = [
  "inputSize",
  "inputChannels",
  "stemChannels",
  "seReduction",
  "wDim",
  "nStyles",
  "featureChannels",
  "featureSize",
] as const;

/** One residual unit of the backbone body (`body.<index>`). */
export interface UnitLayout {
  /** Position in `body`. */
  readonly index: number;
  /** Input channels. */
  readonly inChannels: number;
  /** Output channels. */
  readonly channels: number;
  /** Stride of the unit (its strided conv and its shortcut). */
  readonly stride: number;
  /** Side of the unit's output. */
  readonly size: number;
}

/** A tap of the FPN: the output of one body unit. */
export interface TapLayout {
  /** Index of the tapped unit in `body`. */
  readonly unit: number;
  /** Its channels. */
  readonly channels: number;
  /** Its side. */
  readonly size: number;
}

/** Everything the builders derive from a configuration. */
export interface EncoderLayout {
  /** Side after the stem (the input side for IR-SE, half of it for ResNet). */
  readonly stemSize: number;
  /** The body units in order. */
  readonly units: readonly UnitLayout[];
  /** FPN taps [c1, c2, c3]: the last unit of each of the last three stages (official 6/20/23 and 6/12/15). */
  readonly taps: readonly [TapLayout, TapLayout, TapLayout];
  /** Side of the backbone output (the W encoder pools it). */
  readonly outputSize: number;
  /** For each style j: which map it reads (0 = c3, 1 = p2, 2 = p1) and how many stride-2 convs it has. */
  readonly styles: readonly { readonly level: 0 | 1 | 2; readonly convs: number }[];
}

/**
 * Side of a convolution's output (torch `floor((H + 2p − k)/s) + 1`).
 *
 * @param size input side
 * @param kernel kernel side
 * @param stride stride
 * @param padding padding on each side
 * @returns output side
 */
function convOutputSize(size: number, kernel: number, stride: number, padding: number): number {
  return Math.floor((size + 2 * padding - kernel) / stride) + 1;
}

function isPositiveInteger(value: unknown): value is number {
  return typeof value === "number" && Number.isInteger(value) && value >= 1;
}

function validateStages(stages: unknown): readonly EncoderStage[] {
  if (!Array.isArray(stages)) {
    throw new TypeError(`EncoderConfig.stages must be an array of stages, got ${JSON.stringify(stages)}`);
  }
  if (stages.length < 3) {
    throw new RangeError(
      `EncoderConfig.stages needs at least 3 stages (the FPN taps the last three), got ${stages.length}`,
    );
  }
  return Object.freeze(stages.map((stage: unknown, i) => {
    if (typeof stage !== "object" || stage === null) {
      throw new TypeError(
        `EncoderConfig.stages[${i}] must be {channels, units, stride}, got ${JSON.stringify(stage)}`,
      );
    }
    const { channels, units, stride } = stage as Record<string, unknown>;
    const extra = Object.keys(stage).filter((k) => !["channels", "units", "stride"].includes(k));
    if (extra.length) {
      throw new TypeError(`EncoderConfig.stages[${i}] has unknown field(s) ${extra.join(", ")}`);
    }
    if (!isPositiveInteger(channels) || !isPositiveInteger(units)) {
      throw new RangeError(
        `EncoderConfig.stages[${i}] channels and units must be positive integers, got ${
          JSON.stringify(stage)
        }`,
      );
    }
    if (stride !== 1 && stride !== 2) {
      throw new RangeError(`EncoderConfig.stages[${i}].stride must be 1 or 2, got ${JSON.stringify(stride)}`);
    }
    return Object.freeze({ channels, units, stride });
  }));
}

/**
 * Fills the defaults of a partial encoder configuration (optionally on top of a preset) and validates every
 * field, including the spatial plan (see {@linkcode encoderLayout}).
 *
 * @param input fields to set, and optionally `preset`
 * @returns a complete, frozen configuration
 * @throws {TypeError} for an unknown field or a field of the wrong type
 * @throws {RangeError} for a value out of range: an unknown preset or backbone, a non-positive size, fewer
 *   than 3 stages, a stride other than 1 or 2, `featureChannels` different from the last stage's channels,
 *   indices outside 0 ≤ coarse ≤ middle, or taps whose sides are not featureSize·2ⁿ (n ≥ 1)
 *
 * @example
 * ```ts
 * import { resolveEncoderConfig } from "./config.ts";
 * const church = resolveEncoderConfig({ preset: "church256" });
 * console.log(church.backbone, church.nStyles, church.stages.map((s) => s.units)); // "resnet" 14 [3, 4, 6, 3]
 * const custom = resolveEncoderConfig({ backbone: "resnet", inputSize: 128, featureSize: 4 });
 * console.log(custom.featureChannels); // 512
 * ```
 */
export function resolveEncoderConfig(input: EncoderConfigInput = {}): EncoderConfig {
  if (typeof input !== "object" || input === null) {
    throw new TypeError(`Encoder configuration must be an object, got ${JSON.stringify(input)}`);
  }
  for (const key of Object.keys(input)) {
    if (key !== "preset" && !(FIELDS as readonly string[]).includes(key)) {
      throw new TypeError(
        `Unknown EncoderConfig field "${key}"; valid fields are preset, ${FIELDS.join(", ")}`,
      );
    }
  }
  const { preset, ...fields } = input;
  let base: Partial<EncoderConfig> = {};
  if (preset !== undefined) {
    if (!Object.hasOwn(ENCODER_PRESETS, preset)) {
      throw new RangeError(
        `Unknown encoder preset ${JSON.stringify(preset)}; presets are ${
          Object.keys(ENCODER_PRESETS).join(", ")
        }`,
      );
    }
    base = ENCODER_PRESETS[preset];
  }
  const defined = Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined));
  const merged: Record<string, unknown> = { ...ENCODER_DEFAULTS, ...base, ...defined };
  const backbone = merged.backbone;
  if (!(BACKBONE_KINDS as readonly unknown[]).includes(backbone)) {
    throw new RangeError(
      `EncoderConfig.backbone must be one of ${BACKBONE_KINDS.join(", ")}, got ${JSON.stringify(backbone)}`,
    );
  }
  // A backbone given without stages gets its own family's stages, even over a preset of the other family.
  const backboneOnly = "backbone" in defined && !("stages" in defined) && base.backbone !== backbone;
  if (merged.stages === undefined || backboneOnly) {
    merged.stages = backbone === "resnet" ? RESNET34_STAGES : IR_SE50_STAGES;
  }
  const stages = validateStages(merged.stages);
  merged.stages = stages;
  if (merged.featureChannels === undefined) merged.featureChannels = stages[stages.length - 1].channels;
  for (const key of POSITIVE_INTEGER_FIELDS) {
    const value = merged[key];
    if (typeof value !== "number") {
      throw new TypeError(`EncoderConfig.${key} must be a number, got ${JSON.stringify(value)}`);
    }
    if (!isPositiveInteger(value)) {
      throw new RangeError(`EncoderConfig.${key} must be a positive integer, got ${value}`);
    }
  }
  for (const key of ["coarseIndex", "middleIndex", "negativeSlope"] as const) {
    if (typeof merged[key] !== "number" || !Number.isFinite(merged[key])) {
      throw new TypeError(`EncoderConfig.${key} must be a finite number, got ${JSON.stringify(merged[key])}`);
    }
  }
  const config = merged as unknown as EncoderConfig;
  if (!Number.isInteger(config.coarseIndex) || !Number.isInteger(config.middleIndex)) {
    throw new RangeError(
      `EncoderConfig.coarseIndex and middleIndex must be integers, got ${config.coarseIndex} and ${config.middleIndex}`,
    );
  }
  if (config.coarseIndex < 0 || config.middleIndex < config.coarseIndex) {
    throw new RangeError(
      `EncoderConfig needs 0 ≤ coarseIndex ≤ middleIndex, got coarseIndex ${config.coarseIndex} and ` +
        `middleIndex ${config.middleIndex}`,
    );
  }
  const last = stages[stages.length - 1].channels;
  if (config.featureChannels !== last) {
    throw new RangeError(
      `EncoderConfig.featureChannels (${config.featureChannels}) must equal the last stage's channels (${last}): ` +
        `the FPN adds the deepest tap to the lateral projections`,
    );
  }
  const frozen = Object.freeze(config);
  encoderLayout(frozen); // validates the spatial plan
  return frozen;
}

/**
 * The layout a configuration implies: every body unit with its input/output channels, stride and output side;
 * the FPN taps; and, for each style j, the map it reads and its number of stride-2 convolutions
 * (fpn_encoders.py L146-223: j < coarseIndex → c3, j < middleIndex → p2, else p1; n = log2(tap side / featureSize),
 * i.e. 1, 2, 3 in the paper models).
 *
 * @param config a resolved configuration
 * @returns the layout
 * @throws {RangeError} when a tap that some style reads is not featureSize·2ⁿ (n ≥ 1) on a side
 *
 * @example
 * ```ts
 * import { encoderLayout, resolveEncoderConfig } from "./config.ts";
 * const layout = encoderLayout(resolveEncoderConfig({ preset: "ffhq1024" }));
 * console.log(layout.taps.map((t) => [t.unit, t.channels, t.size])); // [[6, 128, 64], [20, 256, 32], [23, 512, 16]]
 * console.log(layout.styles.map((s) => s.convs).join("")); // "111222233333333333"
 * ```
 */
export function encoderLayout(config: EncoderConfig): EncoderLayout {
  const stemSize = config.backbone === "resnet"
    ? convOutputSize(config.inputSize, 7, 2, 3)
    : convOutputSize(config.inputSize, 3, 1, 1);
  const units: UnitLayout[] = [];
  const stageEnds: number[] = [];
  let size = stemSize;
  let channels = config.stemChannels;
  for (const stage of config.stages) {
    for (let u = 0; u < stage.units; u++) {
      const stride = u === 0 ? stage.stride : 1;
      size = convOutputSize(size, 3, stride, 1);
      units.push(
        Object.freeze({ index: units.length, inChannels: channels, channels: stage.channels, stride, size }),
      );
      channels = stage.channels;
    }
    stageEnds.push(units.length - 1);
  }
  const tap = (unit: number): TapLayout =>
    Object.freeze({ unit, channels: units[unit].channels, size: units[unit].size });
  const taps = Object.freeze([tap(stageEnds.at(-3)!), tap(stageEnds.at(-2)!), tap(stageEnds.at(-1)!)]) as [
    TapLayout,
    TapLayout,
    TapLayout,
  ];
  const names = ["c3", "p2", "p1"];
  const sides = [taps[2].size, taps[1].size, taps[0].size];
  const styles = Array.from({ length: config.nStyles }, (_, j) => {
    const level = (j < config.coarseIndex ? 0 : j < config.middleIndex ? 1 : 2) as 0 | 1 | 2;
    const ratio = sides[level] / config.featureSize;
    const convs = Math.log2(ratio);
    if (!Number.isInteger(convs) || convs < 1) {
      throw new RangeError(
        `Style ${j} reads ${names[level]} of side ${
          sides[level]
        }, which is not featureSize ${config.featureSize}·2ⁿ ` +
          `with n ≥ 1 (input ${config.inputSize}, ${config.backbone} backbone); change inputSize, featureSize or stages`,
      );
    }
    return Object.freeze({ level, convs });
  });
  return Object.freeze({
    stemSize,
    units: Object.freeze(units),
    taps,
    outputSize: size,
    styles: Object.freeze(styles),
  });
}

/** The FFHQ encoder configuration (IR-SE50, L = 18), resolved. */
export const FFHQ_ENCODER: EncoderConfig = resolveEncoderConfig({ preset: "ffhq1024" });
/** The LSUN Church encoder configuration (ResNet-34, L = 14), resolved. */
export const CHURCH_ENCODER: EncoderConfig = resolveEncoderConfig({ preset: "church256" });
/** The CPU-sized encoder configuration (64² input, L = 10 maps of 64×4×4), resolved. */
export const TINY_ENCODER: EncoderConfig = resolveEncoderConfig({ preset: "tiny64" });
