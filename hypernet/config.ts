/**
 * Configuration of the hypernetwork (spec §4): one record with documented defaults, and a resolver that
 * fills and validates it (also from a model manifest's plain JSON).
 *
 * @module
 */

import { TARGET_SET_NAMES, type TargetSetName } from "../generator/registry.ts";
import { extractorDownsamplings } from "./feature_extractor.ts";
import { FUSION_REGISTRY, type FusionName } from "./fusion/registry.ts";
import { SHARING_REGISTRY, type SharingName } from "./sharing/registry.ts";

/** Hyper-parameters of the hypernetwork. The defaults give the released "Lightweight" models' hypernet. */
export interface HypernetConfig {
  /**
   * Size D of each regressor's code (`--hidden_dim`). Default 128 (the sample scripts' "Lightweight" models;
   * the paper's "Large" setting is 256, the official code default 64).
   */
  readonly hiddenDim: number;
  /** Which generator tensors get a residual (`--target_shape_name`). Default "conv_without_bias". */
  readonly targetSet: TargetSetName;
  /**
   * Fusion operator of Fw and Fx: a built-in name (`fusion/registry.ts`) or a plug-in
   * `"<module specifier>#<export>"` (hypernet/plugins.ts resolves it). Default "concatConv" (official).
   */
  readonly fusion: FusionName | PluginSpecifierString;
  /**
   * Which regressor parameters the targets share: a built-in name (`sharing/registry.ts`) or a plug-in
   * `"<module specifier>#<export>"`. Default "perLayer" (official).
   */
  readonly sharing: SharingName | PluginSpecifierString;
  /** Channels C of each E2 feature map (`input_dim`). Default 512. */
  readonly featureChannels: number;
  /**
   * Side S of each E2 feature map, a power of two ≥ 2; the feature extractor has log2(S) stride-2 convs.
   * Default 8 (official: 3 stride-2 convs).
   */
  readonly featureSize: number;
  /** Channels E of the feature extractor's intermediate convs. Default 64 (official). */
  readonly extractorWidth: number;
}

/**
 * A plug-in specifier, `"<module specifier>#<export>"` (io/plugin_loader.ts); typed as any string so that
 * names read from JSON fit, while editors still suggest the built-in names.
 */
export type PluginSpecifierString = string & Record<never, never>;

/** {@linkcode HypernetConfig} at its documented defaults. */
export const HYPERNET_DEFAULTS: HypernetConfig = Object.freeze({
  hiddenDim: 128,
  targetSet: "conv_without_bias",
  fusion: "concatConv",
  sharing: "perLayer",
  featureChannels: 512,
  featureSize: 8,
  extractorWidth: 64,
});

const FIELDS = Object.keys(HYPERNET_DEFAULTS) as (keyof HypernetConfig)[];
const INTEGER_FIELDS = ["hiddenDim", "featureChannels", "featureSize", "extractorWidth"] as const;

/**
 * Fills the missing fields of a hypernet configuration with the defaults and validates it.
 *
 * @param overrides some fields (typed, or plain JSON from a model manifest)
 * @returns the frozen configuration
 * @throws {TypeError} for a field that is not one of {@linkcode HypernetConfig}'s (listing them) or has the
 *   wrong type
 * @throws {RangeError} for an unknown fusion, sharing or target-set name (listing the valid names; fusion and
 *   sharing also accept a plug-in `"<module specifier>#<export>"`, checked here only for its form), a size
 *   that is not a positive integer, or a feature size that is not a power of two ≥ 2
 *
 * @example
 * ```ts
 * import { resolveHypernetConfig } from "./config.ts";
 * const config = resolveHypernetConfig({ hiddenDim: 256 });
 * console.log(config.hiddenDim, config.fusion, config.sharing); // 256 "concatConv" "perLayer"
 * ```
 */
export function resolveHypernetConfig(
  overrides: Partial<HypernetConfig> | Readonly<Record<string, unknown>> = {},
): HypernetConfig {
  for (const key of Object.keys(overrides)) {
    if (!(FIELDS as string[]).includes(key)) {
      throw new TypeError(`Unknown HypernetConfig field "${key}"; valid fields are ${FIELDS.join(", ")}`);
    }
  }
  const defined = Object.fromEntries(Object.entries(overrides).filter(([, value]) => value !== undefined));
  const config = { ...HYPERNET_DEFAULTS, ...defined } as Record<string, unknown>;
  for (const key of INTEGER_FIELDS) {
    const value = config[key];
    if (typeof value !== "number") {
      throw new TypeError(`HypernetConfig.${key} must be a number, got ${JSON.stringify(value)}`);
    }
    if (!Number.isInteger(value) || value < 1) {
      throw new RangeError(`HypernetConfig.${key} must be a positive integer, got ${value}`);
    }
  }
  for (const [key, registry] of [["fusion", FUSION_REGISTRY], ["sharing", SHARING_REGISTRY]] as const) {
    const value = config[key];
    if (typeof value !== "string") {
      throw new TypeError(`HypernetConfig.${key} must be a string, got ${JSON.stringify(value)}`);
    }
    registry.checkName(value, `HypernetConfig.${key}`);
  }
  checkName(config, "targetSet", TARGET_SET_NAMES);
  try {
    extractorDownsamplings(config.featureSize as number);
  } catch {
    throw new RangeError(`HypernetConfig.featureSize must be a power of two ≥ 2, got ${config.featureSize}`);
  }
  return Object.freeze(config as unknown as HypernetConfig);
}

function checkName(config: Record<string, unknown>, key: string, valid: readonly string[]): void {
  const value = config[key];
  if (typeof value !== "string") {
    throw new TypeError(`HypernetConfig.${key} must be a string, got ${JSON.stringify(value)}`);
  }
  if (!valid.includes(value)) {
    throw new RangeError(
      `Unknown HypernetConfig.${key} ${JSON.stringify(value)}; valid names are ${valid.join(", ")}`,
    );
  }
}
