/**
 * A tiny seeded HyperInverter (64² generator, tiny64 encoders, D = 8) written as a model folder: manifest +
 * one safetensors file per module. For tests of loading and of the commands; the values are seeded, not trained.
 *
 * @module
 */

import type { ParameterInit } from "../graph/builder.ts";
import { writeWeights } from "../io/weights_file.ts";
import { prngFill } from "../io/prng.ts";
import { resolveArchitecture } from "../model/architecture.ts";
import type { ArchitectureJson } from "../model/architecture.ts";
import { hyperInverterGraph } from "../model/pipeline_graph.ts";
import { architecturePluginHashes } from "../model/plugins.ts";
import {
  MANIFEST_FORMAT,
  MANIFEST_VERSION,
  MODULE_NAMES,
  MODULE_PREFIX,
  moduleOfWeight,
} from "../model/manifest.ts";

/** The tiny architecture. */
export const TINY_ARCHITECTURE: ArchitectureJson = {
  generator: { resolution: 64, channelBase: 1024, channelMax: 64, mappingLayers: 2 },
  wEncoder: { preset: "tiny64" },
  layerWiseEncoder: { preset: "tiny64" },
  hypernet: { hiddenDim: 8, featureChannels: 64, featureSize: 4 },
  refinementPasses: 1,
};

/**
 * Seeded test values (noise, so that no path is trivially zero). Parameters that declare an init other than
 * full-scale `fanIn` (the hypernet's regressors: `hypernet/init.ts`) get a tenth of the scale, so ΔW is small.
 */
function seededValues(name: string, size: number, k: number, init: ParameterInit | undefined): Float32Array {
  const small = init !== undefined && !(init.kind === "fanIn" && init.gain >= 1);
  if (name.endsWith("running_var")) return prngFill(0x7e57, k, size, 1.25, 0.25);
  if (
    name.endsWith("affine.bias") ||
    /(bn\d?|input_layer\.1|res_layer\.[04]|shortcut_layer\.1)\.weight$/.test(name)
  ) {
    return prngFill(0x7e57, k, size, 1, 0.1);
  }
  if (name.endsWith(".bias") || name.endsWith("running_mean") || name.endsWith("noise_strength")) {
    return prngFill(0x7e57, k, size, 0, 0.1);
  }
  return prngFill(0x7e57, k, size, 0, small ? 0.05 : 0.5);
}

/**
 * Writes the tiny model into a folder.
 *
 * @param directory target folder (created)
 * @param options `hypernet`: fields over the tiny hypernet's (e.g. a plug-in fusion, already resolved to an
 *   absolute specifier; the manifest then records its sha256 in `plugins`)
 * @returns the manifest path
 */
export async function writeTinyModel(
  directory: string,
  options: { hypernet?: Record<string, unknown> } = {},
): Promise<string> {
  await Deno.mkdir(directory, { recursive: true });
  const architecture = {
    ...TINY_ARCHITECTURE,
    hypernet: { ...TINY_ARCHITECTURE.hypernet, ...options.hypernet },
  };
  const graph = hyperInverterGraph(resolveArchitecture(architecture));
  const files: Record<string, string> = {};
  for (const module of MODULE_NAMES) {
    const prefix = MODULE_PREFIX[module];
    const weights = new Map<string, { data: Float32Array; shape: number[] }>();
    graph.parameters.forEach((p, k) => {
      if (moduleOfWeight(p.name) === module) {
        weights.set(p.name.slice(prefix.length), {
          data: seededValues(p.name, p.size, k, graph.parameterInit(p)),
          shape: [...p.shape],
        });
      }
    });
    files[module] = `${module}.safetensors`;
    await writeWeights(`${directory}/${files[module]}`, weights, { overwrite: true });
  }
  const manifest = {
    format: MANIFEST_FORMAT,
    version: MANIFEST_VERSION,
    name: "tiny-seeded",
    description: "Seeded (untrained) tiny model for tests",
    architecture,
    weights: files,
    ...(options.hypernet ? { plugins: await architecturePluginHashes(architecture) } : {}),
    provenance: { source: "tests/_tiny_model.ts" },
  };
  const path = `${directory}/model.json`;
  await Deno.writeTextFile(path, JSON.stringify(manifest, null, 2));
  return path;
}
