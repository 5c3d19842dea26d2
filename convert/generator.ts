/**
 * Generator converters: a StyleGAN2-ADA `G_ema` state dict (names already ours) and a rosinality `g_ema`
 * state dict (spec §1.6 name map), both checked name by name against the layout our generator expects.
 *
 * @module
 */

import {
  type GeneratorConfig,
  generatorConfigFromInitKwargs,
  resolveGeneratorConfig,
} from "../generator/config.ts";
import { generatorParameters } from "../generator/parameters.ts";
import { layerRegistry } from "../generator/registry.ts";
import { resampleFilter } from "../generator/fir.ts";
import { assertStateDictFits, type StateDict } from "./state_dict.ts";
import type { Weight } from "../io/weights_file.ts";

/** A converted generator: its configuration and its weights under ADA names. */
export interface ConvertedGenerator {
  /** The generator's configuration, read from the file. */
  config: GeneratorConfig;
  /** Its weights under ADA names (`mapping.w_avg` included). */
  weights: StateDict;
}

function checkFilter(weight: Weight | undefined, name: string): void {
  if (!weight) return;
  const expected = resampleFilter(1);
  if (weight.data.length !== 16 || weight.data.some((v, i) => Math.abs(v - expected[i]) > 1e-7)) {
    throw new RangeError(`${name} is not the [1,3,3,1] filter this generator implements`);
  }
}

/**
 * Converts an ADA `G_ema` (its state dict and `init_kwargs`).
 *
 * @param stateDict the generator's `state_dict()` (synthesis.*, mapping.*)
 * @param initKwargs the persistent object's `init_kwargs`
 * @param source file name, for messages
 * @returns config and weights (the constant resample filters are checked and dropped)
 * @throws {TypeError} listing every missing, unexpected or mis-shaped tensor
 */
export function convertAdaGenerator(
  stateDict: StateDict,
  initKwargs: Record<string, unknown>,
  source: string,
): ConvertedGenerator {
  const config = generatorConfigFromInitKwargs(initKwargs);
  assertStateDictFits(stateDict, generatorParameters(config), `ADA generator "${source}"`);
  const weights: StateDict = new Map();
  for (const [name, weight] of stateDict) {
    if (name.endsWith("resample_filter")) checkFilter(weight, `${source}: ${name}`);
    else weights.set(name, weight);
  }
  return { config, weights };
}

/**
 * The generator configuration implied by a rosinality state dict (resolution from the noise buffers, channels
 * from the conv weights, mapping depth from `style.*`).
 *
 * @param stateDict the `g_ema` state dict
 * @returns the configuration
 */
export function rosinalityConfig(stateDict: StateDict): GeneratorConfig {
  let resolution = 4;
  for (const [name, weight] of stateDict) {
    if (name.startsWith("noises.")) resolution = Math.max(resolution, weight.shape[3]);
  }
  const channelsAtResolution = stateDict.get("to_rgb1.conv.weight")?.shape[2];
  const lastRgb = [...stateDict.keys()].filter((n) => /^to_rgbs\.\d+\.conv\.weight$/.test(n)).sort((a, b) =>
    Number(a.split(".")[1]) - Number(b.split(".")[1])
  ).at(-1);
  const channelsAtEnd = lastRgb ? stateDict.get(lastRgb)!.shape[2] : channelsAtResolution;
  const mappingLayers = [...stateDict.keys()].filter((n) => /^style\.\d+\.weight$/.test(n)).length;
  const wDim = stateDict.get("style.1.weight")?.shape[0] ?? 512;
  if (!channelsAtResolution || !channelsAtEnd) {
    throw new TypeError("Not a rosinality generator: no to_rgb1.conv.weight");
  }
  return resolveGeneratorConfig({
    resolution,
    channelMax: channelsAtResolution,
    channelBase: channelsAtEnd * resolution,
    mappingLayers,
    wDim,
    zDim: wDim,
  });
}

/**
 * Converts a rosinality `g_ema` state dict (+ `latent_avg`) to ADA names (spec §1.6): `style.{i+1}` →
 * `mapping.fc{i}`, `input.input` → `synthesis.b4.const`, `…conv.weight [1,O,I,k,k]` → `…weight [O,I,k,k]`,
 * `…conv.modulation` → `…affine`, `…noise.weight` → `…noise_strength`, `…activate.bias` / `to_rgb*.bias` →
 * `…bias`, `noises.noise_j` → `…noise_const`, `latent_avg` → `mapping.w_avg`.
 *
 * @param stateDict the `g_ema` state dict
 * @param latentAvg the checkpoint's `latent_avg` [512] (required: inversion adds it to E1's output)
 * @param source file name, for messages
 * @returns config and weights under ADA names
 * @throws {TypeError} listing every missing, unexpected or mis-shaped tensor
 */
export function convertRosinalityGenerator(
  stateDict: StateDict,
  latentAvg: Weight | undefined,
  source: string,
): ConvertedGenerator {
  const config = rosinalityConfig(stateDict);
  const expected: { name: string; shape: number[] }[] = [];
  const rename = new Map<string, { to: string; shape: number[] }>();
  const map = (from: string, to: string, fromShape: number[], toShape: number[]) => {
    expected.push({ name: from, shape: fromShape });
    rename.set(from, { to, shape: toShape });
  };
  for (let i = 0; i < config.mappingLayers; i++) {
    map(
      `style.${i + 1}.weight`,
      `mapping.fc${i}.weight`,
      [config.wDim, i === 0 ? config.zDim : config.wDim],
      [
        config.wDim,
        i === 0 ? config.zDim : config.wDim,
      ],
    );
    map(`style.${i + 1}.bias`, `mapping.fc${i}.bias`, [config.wDim], [config.wDim]);
  }
  const registry = layerRegistry(config);
  map("input.input", "synthesis.b4.const", [1, registry[0].inChannels, 4, 4], [registry[0].inChannels, 4, 4]);
  for (const layer of registry) {
    const ours = `synthesis.${layer.name}`;
    const theirs = layer.rosinalityName;
    const [o, i, k] = layer.weightShape;
    map(`${theirs}.conv.weight`, `${ours}.weight`, [1, o, i, k, k], [o, i, k, k]);
    map(`${theirs}.conv.modulation.weight`, `${ours}.affine.weight`, [i, config.wDim], [i, config.wDim]);
    map(`${theirs}.conv.modulation.bias`, `${ours}.affine.bias`, [i], [i]);
    if (layer.kind === "torgb") {
      map(`${theirs}.bias`, `${ours}.bias`, [1, o, 1, 1], [o]);
    } else {
      map(`${theirs}.noise.weight`, `${ours}.noise_strength`, [1], []);
      map(`${theirs}.activate.bias`, `${ours}.bias`, [o], [o]);
      const r = layer.resolution;
      map(`noises.noise_${layer.rosinalityNoiseIndex}`, `${ours}.noise_const`, [1, 1, r, r], [r, r]);
    }
  }
  const isBlurKernel = (name: string) =>
    /^(convs\.\d+\.conv\.blur|to_rgbs\.\d+\.upsample)\.kernel$/.test(name);
  assertStateDictFits(stateDict, expected, `rosinality generator "${source}"`, { ignore: isBlurKernel });
  if (!latentAvg) {
    throw new TypeError(`rosinality generator "${source}" has no latent_avg (inversion needs it)`);
  }
  if (latentAvg.data.length !== config.wDim) {
    throw new TypeError(
      `latent_avg of "${source}" has ${latentAvg.data.length} values, expected ${config.wDim}`,
    );
  }
  const weights: StateDict = new Map();
  for (const [from, { to, shape }] of rename) weights.set(to, { data: stateDict.get(from)!.data, shape });
  weights.set("mapping.w_avg", { data: latentAvg.data, shape: [config.wDim] });
  return { config, weights };
}
