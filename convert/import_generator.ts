/**
 * Reads an official generator file, whichever its format: a StyleGAN2-ADA pickle (`G_ema`, and `D` when it is
 * there) or a rosinality checkpoint (`g_ema` + `latent_avg`), with a restricted unpickler (io/pickle.ts).
 *
 * @module
 */

import { convertAdaGenerator, type ConvertedGenerator, convertRosinalityGenerator } from "./generator.ts";
import type { StateDict } from "./state_dict.ts";
import {
  adaModuleStateDict,
  field,
  isTorchTensor,
  readTorch,
  stateDictOf,
  tensorWeight,
} from "./torch_values.ts";

/**
 * Reads a generator file of either format.
 *
 * @param path ADA `.pkl` or rosinality `.pt`
 * @returns config and ADA-named weights (and the discriminator's state dict of an ADA pickle that has one)
 * @throws {TypeError} when the file holds neither generator, or an ADA `G_ema` without its init kwargs
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { referenceFixturesRoot } from "../io/reference_fixture.ts";
 * import { importGenerator } from "./import_generator.ts";
 * const { config, weights } = await importGenerator(`${referenceFixturesRoot()}/generator-64/G_ema.pkl`);
 * assert.equal(config.resolution, 64);
 * assert.ok(weights.has("mapping.w_avg"));
 * ```
 */
export async function importGenerator(
  path: string,
): Promise<ConvertedGenerator & { discriminator?: StateDict }> {
  const value = await readTorch(path);
  const ada = field(value, "G_ema");
  const discriminatorObject = field(value, "D");
  // D is only needed for training (issue 6); its names and shapes are checked when our discriminator exists.
  const discriminator = discriminatorObject === undefined ? undefined : new Map(
    [...adaModuleStateDict(discriminatorObject)].map(([name, tensor]) => [name, tensorWeight(tensor)]),
  );
  if (ada !== undefined) {
    const state = field(ada, "state");
    const initKwargs = field(state, "_init_kwargs") ?? field(state, "init_kwargs");
    if (!initKwargs) throw new TypeError(`"${path}": G_ema has no init_kwargs`);
    const kwargs = initKwargs instanceof Map ? Object.fromEntries(mapToObject(initKwargs)) : initKwargs;
    const stateDict = new Map(
      [...adaModuleStateDict(ada)].map(([name, tensor]) => [name, tensorWeight(tensor)]),
    );
    return { ...convertAdaGenerator(stateDict, kwargs as Record<string, unknown>, path), discriminator };
  }
  const gEma = field(value, "g_ema");
  if (gEma !== undefined) {
    const latentAvg = field(value, "latent_avg");
    return convertRosinalityGenerator(
      stateDictOf(gEma),
      isTorchTensor(latentAvg) ? tensorWeight(latentAvg) : undefined,
      path,
    );
  }
  throw new TypeError(`"${path}" holds neither an ADA G_ema nor a rosinality g_ema`);
}

function mapToObject(map: Map<unknown, unknown>): [string, unknown][] {
  return [...map].map(([k, v]) => [String(k), v instanceof Map ? Object.fromEntries(mapToObject(v)) : v]);
}
