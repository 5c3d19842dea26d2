/**
 * Resolving a model's architecture from its manifest: every module's config, and the cross-module checks
 * (the layer-wise encoder has one map per w row, the hypernet reads the encoder's channels and size, …).
 *
 * @module
 */

import { type GeneratorConfig, numWs, resolveGeneratorConfig } from "../generator/config.ts";
import { type EncoderConfigInput, resolveEncoderConfig } from "../encoders/config.ts";
import { resolveHypernetConfig } from "../hypernet/config.ts";
import type { HyperInverterArchitecture } from "./pipeline_graph.ts";

/** The JSON form of an architecture, as in a manifest. */
export interface ArchitectureJson {
  /** The generator's configuration. */
  generator: Record<string, unknown>;
  /** The W encoder's configuration. */
  wEncoder: Record<string, unknown>;
  /** The layer-wise encoder's configuration. */
  layerWiseEncoder: Record<string, unknown>;
  /** The hypernetwork's configuration. */
  hypernet: Record<string, unknown>;
  /** How many refinement passes (default 1). */
  refinementPasses?: number;
}

/**
 * Resolves and cross-checks an architecture.
 *
 * @param json the manifest's `architecture` section
 * @returns resolved configs
 * @throws {TypeError|RangeError} naming the module and field at fault; cross-module mismatches are listed
 * together
 * @example
 * ```ts
 * import { resolveArchitecture } from "./architecture.ts";
 * const architecture = resolveArchitecture({
 *   generator: { resolution: 64, channelBase: 1024, channelMax: 64 },
 *   wEncoder: { preset: "tiny64" }, layerWiseEncoder: { preset: "tiny64" },
 *   hypernet: { hiddenDim: 8, featureChannels: 64, featureSize: 4 },
 * });
 * console.log(architecture.refinementPasses); // 1
 * ```
 */
export function resolveArchitecture(json: ArchitectureJson): HyperInverterArchitecture {
  const within = <T>(module: string, resolve: () => T): T => {
    try {
      return resolve();
    } catch (error) {
      const e = error as Error;
      const Kind = e instanceof RangeError ? RangeError : TypeError;
      throw new Kind(`architecture.${module}: ${e.message}`, { cause: error });
    }
  };
  const generator: GeneratorConfig = within(
    "generator",
    () => resolveGeneratorConfig(json.generator as Parameters<typeof resolveGeneratorConfig>[0]),
  );
  const wEncoder = within("wEncoder", () => resolveEncoderConfig(json.wEncoder as EncoderConfigInput));
  const layerWiseEncoder = within(
    "layerWiseEncoder",
    () => resolveEncoderConfig(json.layerWiseEncoder as EncoderConfigInput),
  );
  const hypernet = within("hypernet", () => resolveHypernetConfig(json.hypernet));
  const refinementPasses = json.refinementPasses ?? 1;
  const problems: string[] = [];
  if (!Number.isInteger(refinementPasses) || refinementPasses < 1) {
    problems.push(`refinementPasses must be a positive integer, got ${refinementPasses}`);
  }
  if (layerWiseEncoder.nStyles !== numWs(generator)) {
    problems.push(
      `layerWiseEncoder.nStyles ${layerWiseEncoder.nStyles} must equal the generator's ${
        numWs(generator)
      } w rows`,
    );
  }
  if (wEncoder.wDim !== generator.wDim) {
    problems.push(`wEncoder.wDim ${wEncoder.wDim} must equal generator.wDim ${generator.wDim}`);
  }
  if (wEncoder.inputSize !== layerWiseEncoder.inputSize) {
    problems.push(
      `wEncoder.inputSize ${wEncoder.inputSize} differs from layerWiseEncoder.inputSize ${layerWiseEncoder.inputSize}`,
    );
  }
  if (hypernet.featureChannels !== layerWiseEncoder.featureChannels) {
    problems.push(
      `hypernet.featureChannels ${hypernet.featureChannels} must equal layerWiseEncoder.featureChannels ${layerWiseEncoder.featureChannels}`,
    );
  }
  if (hypernet.featureSize !== layerWiseEncoder.featureSize) {
    problems.push(
      `hypernet.featureSize ${hypernet.featureSize} must equal layerWiseEncoder.featureSize ${layerWiseEncoder.featureSize}`,
    );
  }
  if (problems.length) throw new RangeError(`Inconsistent architecture:\n  - ${problems.join("\n  - ")}`);
  return { generator, wEncoder, layerWiseEncoder, hypernet, refinementPasses };
}
