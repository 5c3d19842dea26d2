/**
 * HyperInverter checkpoint converter (spec §8): `{state_dict, opts}` → an architecture and the weights of the
 * W encoder, the layer-wise encoder and the hypernet under our module names. The generator is not in the
 * checkpoint (it comes from the ADA pkl); E1 normally comes from the separate W-encoder file (`encoder.*`).
 *
 * @module
 */

import type { ArchitectureJson } from "../model/architecture.ts";
import { resolveArchitecture } from "../model/architecture.ts";
import { hyperInverterGraph } from "../model/pipeline_graph.ts";
import { assertStateDictFits, type StateDict, subStateDict } from "./state_dict.ts";

/** The options of an official checkpoint that decide its architecture. */
export interface CheckpointOptions {
  /** `ffhq_encode` or `church_encode`: which preset the encoders follow. */
  dataset_type?: unknown;
  /** The official encoder class (e.g. `ResNetLayerWiseEncoder`), checked against the dataset's. */
  encoder_type?: unknown;
  /** The generator's resolution. */
  output_size?: unknown;
  /** The hypernetwork's hidden dimension D. */
  hidden_dim?: unknown;
  /** The set of generator layers that receive ΔW. */
  target_shape_name?: unknown;
}

/**
 * The architecture described by a checkpoint's `opts`.
 *
 * @param opts the stored options
 * @returns the manifest `architecture` section
 * @throws {RangeError} naming an option value this implementation does not know
 * @example
 * ```ts
 * import { architectureFromOptions } from "./hyperinverter.ts";
 * const arch = architectureFromOptions({ dataset_type: "church_encode", output_size: 256, hidden_dim: 64,
 *   target_shape_name: "conv_without_bias", encoder_type: "ResNetLayerWiseEncoder" });
 * console.log(arch.generator.resolution, arch.hypernet.hiddenDim); // 256 64
 * ```
 */
export function architectureFromOptions(opts: CheckpointOptions): ArchitectureJson {
  const presets: Record<string, { preset: string; resolution: number; encoder: string }> = {
    ffhq_encode: { preset: "ffhq1024", resolution: 1024, encoder: "LayerWiseEncoder" },
    church_encode: { preset: "church256", resolution: 256, encoder: "ResNetLayerWiseEncoder" },
  };
  const dataset = String(opts.dataset_type);
  const known = presets[dataset];
  if (!known) {
    throw new RangeError(
      `Unknown opts.dataset_type ${JSON.stringify(opts.dataset_type)}; known: ${
        Object.keys(presets).join(", ")
      }`,
    );
  }
  if (opts.encoder_type !== undefined && opts.encoder_type !== known.encoder) {
    throw new RangeError(
      `opts.encoder_type ${JSON.stringify(opts.encoder_type)} does not match ${dataset} (${known.encoder})`,
    );
  }
  const resolution = opts.output_size === undefined ? known.resolution : Number(opts.output_size);
  const hiddenDim = Number(opts.hidden_dim ?? 64);
  const targetSet = String(opts.target_shape_name ?? "conv_without_bias");
  const nStyles = 2 * Math.log2(resolution) - 2;
  return {
    generator: { resolution },
    wEncoder: { preset: known.preset },
    layerWiseEncoder: { preset: known.preset, nStyles },
    hypernet: { hiddenDim, targetSet },
    refinementPasses: 1,
  };
}

/** The modules of a converted HyperInverter checkpoint (weights without their prefixes). */
export interface ConvertedHyperInverter {
  /** The architecture the checkpoint's `opts` describe (the generator's part comes from its own file). */
  architecture: ArchitectureJson;
  /** The W encoder E1 (`w_encoder.*` names without the prefix). */
  wEncoder: StateDict;
  /** The layer-wise encoder E2. */
  layerWiseEncoder: StateDict;
  /** The hypernetwork. */
  hypernet: StateDict;
  /** Prefixes of the checkpoint that were left out (e.g. `discriminator.`, only needed for training). */
  ignored: string[];
}

const isBatchCounter = (name: string) => name.endsWith("num_batches_tracked");

/**
 * Converts a HyperInverter checkpoint.
 *
 * @param stateDict the checkpoint's `state_dict` (flattened)
 * @param opts the checkpoint's `opts`
 * @param source file name, for messages
 * @param options `wEncoder`: the W-encoder file's `encoder.*` tensors, used for E1 instead of the checkpoint's
 *   `w_encoder.*` (as the official loader does)
 * @returns architecture and module weights
 * @throws {TypeError} listing every missing, unexpected or mis-shaped tensor of each module
 */
export function convertHyperInverterCheckpoint(
  stateDict: StateDict,
  opts: CheckpointOptions,
  source: string,
  options: { wEncoder?: StateDict } = {},
): ConvertedHyperInverter {
  const architecture = architectureFromOptions(opts);
  const graph = hyperInverterGraph(resolveArchitecture(architecture));
  const expectedFor = (prefix: string) =>
    graph.parameters.filter((p) => p.name.startsWith(prefix)).map((p) => ({
      name: p.name.slice(prefix.length),
      shape: p.shape,
    }));
  const modules = {
    wEncoder: options.wEncoder ?? subStateDict(stateDict, "w_encoder."),
    layerWiseEncoder: subStateDict(stateDict, "w_bar_encoder."),
    hypernet: subStateDict(stateDict, "hypernet."),
  };
  const problems: string[] = [];
  for (
    const [module, prefix] of [["wEncoder", "w_encoder."], ["layerWiseEncoder", "w_bar_encoder."], [
      "hypernet",
      "hypernet.",
    ]] as const
  ) {
    try {
      assertStateDictFits(modules[module], expectedFor(prefix), `${module} of "${source}"`, {
        ignore: isBatchCounter,
      });
    } catch (error) {
      problems.push((error as Error).message);
    }
  }
  if (problems.length) throw new TypeError(problems.join("\n"));
  for (const module of Object.values(modules)) {
    for (const name of [...module.keys()]) if (isBatchCounter(name)) module.delete(name);
  }
  const known = ["w_encoder.", "w_bar_encoder.", "hypernet."];
  const ignored = [
    ...new Set(
      [...stateDict.keys()].filter((n) => !known.some((p) => n.startsWith(p))).map((n) =>
        `${n.split(".")[0]}.`
      ),
    ),
  ];
  return { architecture, ...modules, ignored };
}
