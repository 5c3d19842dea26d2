/**
 * Configuration of the StyleGAN2-ADA generator that HyperInverter inverts (spec §1.1): one record with
 * documented defaults, a resolver that fills and validates it, and the two derived numbers every other
 * module needs (channels per resolution and the number of w rows).
 *
 * @module
 */

/**
 * Hyper-parameters of an ADA `Generator` (NVlabs `training/networks.py`, HyperInverter
 * `models/stylegan2_ada.py`). The defaults are those of the TF config-f conversion (`legacy.py`), which is
 * what both released HyperInverter generators use; only `resolution` differs between them.
 */
export interface GeneratorConfig {
  /**
   * Output image side R, a power of two in 8..1024 (`img_resolution`). No default: 1024 for faces, 256 for
   * churches.
   */
  readonly resolution: number;
  /**
   * Channel budget: the block at resolution r has `min(channelBase // r, channelMax)` channels.
   * Default 32768.
   */
  readonly channelBase: number;
  /** Upper bound of the channels of any block. Default 512. */
  readonly channelMax: number;
  /** Size of the input latent z (`z_dim`). Default 512. */
  readonly zDim: number;
  /** Size of an intermediate latent w (`w_dim`), the input of every affine (style) layer. Default 512. */
  readonly wDim: number;
  /** Number of fully connected layers of the mapping network (`mapping_kwargs.num_layers`). Default 8. */
  readonly mappingLayers: number;
  /** Learning-rate multiplier of the mapping layers; also their run-time gain factor. Default 0.01. */
  readonly mappingLrMultiplier: number;
  /** Channels of the output image (`img_channels`). Default 3 (RGB). */
  readonly imgChannels: number;
  /** Decay of the running average `mapping.w_avg` during GAN training (`w_avg_beta`). Default 0.995. */
  readonly wAvgBeta: number;
}

/** Every field of {@linkcode GeneratorConfig} except `resolution`, at its documented default. */
export const GENERATOR_DEFAULTS: Readonly<Omit<GeneratorConfig, "resolution">> = Object.freeze({
  channelBase: 32768,
  channelMax: 512,
  zDim: 512,
  wDim: 512,
  mappingLayers: 8,
  mappingLrMultiplier: 0.01,
  imgChannels: 3,
  wAvgBeta: 0.995,
});

/** Smallest supported output resolution (one upsampling block after b4). */
export const MIN_RESOLUTION = 8;
/** Largest supported output resolution (FFHQ). */
export const MAX_RESOLUTION = 1024;

const FIELDS: readonly (keyof GeneratorConfig)[] = [
  "resolution",
  "channelBase",
  "channelMax",
  "zDim",
  "wDim",
  "mappingLayers",
  "mappingLrMultiplier",
  "imgChannels",
  "wAvgBeta",
];

const POSITIVE_INTEGER_FIELDS: readonly (keyof GeneratorConfig)[] = [
  "channelBase",
  "channelMax",
  "zDim",
  "wDim",
  "mappingLayers",
  "imgChannels",
];

/**
 * Whether `value` is a positive integer power of two.
 *
 * @param value number to test
 * @returns true for 1, 2, 4, 8, …
 *
 * @example
 * ```ts
 * import { isPowerOfTwo } from "./config.ts";
 * console.log(isPowerOfTwo(256), isPowerOfTwo(96)); // true false
 * ```
 */
export function isPowerOfTwo(value: number): boolean {
  return Number.isInteger(value) && value > 0 && (value & (value - 1)) === 0 && value <= 2 ** 30;
}

/**
 * Fills the defaults of a partial generator configuration and validates every field.
 *
 * @param partial `resolution` and any fields to override
 * @returns a complete, frozen configuration
 * @throws {TypeError} when a field is not a number, or is not a field of {@linkcode GeneratorConfig}
 * @throws {RangeError} when a field is out of range: a resolution that is not a power of two in 8..1024, a
 *   non-positive or non-integer size, a `channelBase` too small to give the last block one channel, a
 *   non-positive `mappingLrMultiplier` or a `wAvgBeta` outside [0, 1]
 *
 * @example
 * ```ts
 * import { resolveGeneratorConfig } from "./config.ts";
 * const config = resolveGeneratorConfig({ resolution: 64, channelBase: 1024, channelMax: 64 });
 * console.log(config.mappingLayers, config.wDim); // 8 512
 * ```
 */
export function resolveGeneratorConfig(
  partial: Partial<GeneratorConfig> & { resolution: number },
): GeneratorConfig {
  for (const key of Object.keys(partial)) {
    if (!(FIELDS as readonly string[]).includes(key)) {
      throw new TypeError(`Unknown GeneratorConfig field "${key}"; valid fields are ${FIELDS.join(", ")}`);
    }
  }
  const defined = Object.fromEntries(Object.entries(partial).filter(([, value]) => value !== undefined));
  const config: GeneratorConfig = { ...GENERATOR_DEFAULTS, ...defined } as GeneratorConfig;
  for (const key of FIELDS) {
    const value: unknown = config[key];
    if (typeof value !== "number") {
      throw new TypeError(`GeneratorConfig.${key} must be a number, got ${JSON.stringify(value)}`);
    }
  }
  const { resolution } = config;
  if (!isPowerOfTwo(resolution) || resolution < MIN_RESOLUTION || resolution > MAX_RESOLUTION) {
    throw new RangeError(
      `GeneratorConfig.resolution must be a power of two in ${MIN_RESOLUTION}..${MAX_RESOLUTION}, ` +
        `got ${resolution}`,
    );
  }
  for (const key of POSITIVE_INTEGER_FIELDS) {
    const value = config[key];
    if (!Number.isInteger(value) || value < 1) {
      throw new RangeError(`GeneratorConfig.${key} must be a positive integer, got ${value}`);
    }
  }
  if (config.channelBase < resolution) {
    throw new RangeError(
      `GeneratorConfig.channelBase must be at least the resolution ${resolution} so that the last block ` +
        `has a channel, got ${config.channelBase}`,
    );
  }
  if (!Number.isFinite(config.mappingLrMultiplier) || config.mappingLrMultiplier <= 0) {
    throw new RangeError(
      `GeneratorConfig.mappingLrMultiplier must be a positive finite number, ` +
        `got ${config.mappingLrMultiplier}`,
    );
  }
  if (!(config.wAvgBeta >= 0 && config.wAvgBeta <= 1)) {
    throw new RangeError(`GeneratorConfig.wAvgBeta must be in [0, 1], got ${config.wAvgBeta}`);
  }
  return Object.freeze(config);
}

/**
 * Channels of the feature maps of the block at resolution `res` (ADA `SynthesisNetwork`, spec §1.1 L580):
 * `min(channelBase // res, channelMax)`.
 *
 * @param config generator configuration
 * @param res block resolution, a power of two in 4..config.resolution
 * @returns the block's channel count
 * @throws {RangeError} when `res` is not a power of two in 4..config.resolution
 *
 * @example
 * ```ts
 * import { channelsAt, FFHQ_1024 } from "./config.ts";
 * console.log(channelsAt(FFHQ_1024, 64), channelsAt(FFHQ_1024, 1024)); // 512 32
 * ```
 */
export function channelsAt(config: GeneratorConfig, res: number): number {
  if (!isPowerOfTwo(res) || res < 4 || res > config.resolution) {
    throw new RangeError(`Block resolution must be a power of two in 4..${config.resolution}, got ${res}`);
  }
  return Math.min(Math.floor(config.channelBase / res), config.channelMax);
}

/**
 * Number of w rows the synthesis network consumes (`num_ws`, spec §1.1): 1 + 2·(log2 R − 2) + 1 =
 * 2·log2 R − 2. It is also the number of E2 feature maps (`n_styles`).
 *
 * @param config generator configuration
 * @returns 18 at 1024, 14 at 256
 *
 * @example
 * ```ts
 * import { CHURCH_256, FFHQ_1024, numWs } from "./config.ts";
 * console.log(numWs(FFHQ_1024), numWs(CHURCH_256)); // 18 14
 * ```
 */
export function numWs(config: GeneratorConfig): number {
  return 2 * Math.log2(config.resolution) - 2;
}

/**
 * Reads the `init_kwargs` an ADA `Generator` pickles with itself (and the fixtures' `G_init_kwargs`) into a
 * configuration. Settings this reimplementation does not support are rejected rather than ignored.
 *
 * @param initKwargs `{ z_dim, c_dim, w_dim, img_resolution, img_channels, mapping_kwargs, synthesis_kwargs }`
 * @returns the matching configuration, validated by {@linkcode resolveGeneratorConfig}
 * @throws {TypeError} when `img_resolution` is missing or a field has the wrong type
 * @throws {RangeError} for a conditional generator (`c_dim` ≠ 0), an architecture other than "skip", a
 *   resample filter other than [1,3,3,1], or any value that {@linkcode resolveGeneratorConfig} rejects
 *
 * @example
 * ```ts
 * import { generatorConfigFromInitKwargs } from "./config.ts";
 * const config = generatorConfigFromInitKwargs({
 *   img_resolution: 256,
 *   mapping_kwargs: { num_layers: 8 },
 *   synthesis_kwargs: { channel_base: 32768, channel_max: 512, architecture: "skip" },
 * });
 * console.log(config.resolution, config.channelBase); // 256 32768
 * ```
 */
export function generatorConfigFromInitKwargs(initKwargs: Record<string, unknown>): GeneratorConfig {
  const mapping = objectField(initKwargs, "mapping_kwargs");
  const synthesis = objectField(initKwargs, "synthesis_kwargs");
  const cDim = initKwargs.c_dim ?? 0;
  if (cDim !== 0) {
    throw new RangeError(
      `Conditional generators are not supported: c_dim must be 0, got ${JSON.stringify(cDim)}`,
    );
  }
  const architecture = synthesis.architecture ?? "skip";
  if (architecture !== "skip") {
    throw new RangeError(
      `Only the "skip" synthesis architecture is supported, got ${JSON.stringify(architecture)}`,
    );
  }
  const filter = synthesis.resample_filter ?? [1, 3, 3, 1];
  if (JSON.stringify(filter) !== "[1,3,3,1]") {
    throw new RangeError(`Only the resample filter [1,3,3,1] is supported, got ${JSON.stringify(filter)}`);
  }
  const resolution = initKwargs.img_resolution;
  if (typeof resolution !== "number") {
    throw new TypeError(`init_kwargs.img_resolution must be a number, got ${JSON.stringify(resolution)}`);
  }
  const pick = (source: Record<string, unknown>, key: string): number | undefined => {
    const value = source[key];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== "number") {
      throw new TypeError(`init_kwargs field ${key} must be a number, got ${JSON.stringify(value)}`);
    }
    return value;
  };
  return resolveGeneratorConfig({
    resolution,
    channelBase: pick(synthesis, "channel_base"),
    channelMax: pick(synthesis, "channel_max"),
    zDim: pick(initKwargs, "z_dim"),
    wDim: pick(initKwargs, "w_dim"),
    mappingLayers: pick(mapping, "num_layers"),
    mappingLrMultiplier: pick(mapping, "lr_multiplier"),
    imgChannels: pick(initKwargs, "img_channels"),
    wAvgBeta: pick(mapping, "w_avg_beta"),
  });
}

function objectField(source: Record<string, unknown>, key: string): Record<string, unknown> {
  const value = source[key] ?? {};
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new TypeError(`init_kwargs.${key} must be an object, got ${JSON.stringify(value)}`);
  }
  return value as Record<string, unknown>;
}

/** The FFHQ 1024×1024 generator of the released face model (config-f, 18 w rows). */
export const FFHQ_1024: GeneratorConfig = resolveGeneratorConfig({ resolution: 1024 });

/** The LSUN Church 256×256 generator of the released church model (config-f channels, 14 w rows). */
export const CHURCH_256: GeneratorConfig = resolveGeneratorConfig({ resolution: 256 });
