/**
 * What phase II starts from: the frozen E1 and G, and the initial D, read from the runs of the generator and
 * phase-I trainers, or E1 and G from a model folder (D then starts seeded).
 *
 * @module
 */

import { loadBestCheckpoint, loadLatestCheckpoint } from "./checkpoint.ts";
import { loadModelModules } from "../model/load.ts";

/**
 * The frozen weights of phase II and the initial D: G and D from a generator run's latest checkpoint (EMA G
 * under `ema/<name>`, D under `D.*`), E1 from a phase-one run's best checkpoint (`w_encoder.*`).
 *
 * @param generatorRun the generator run folder
 * @param phaseOneRun the phase-one run folder
 * @returns frozen weights (E1 + G) and the discriminator
 * @throws {Deno.errors.NotFound} when a run has no (best) checkpoint or lacks the tensors
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadPhaseTwoInputs } from "./phase_two_inputs.ts";
 * const empty = await Deno.makeTempDir();
 * await assert.rejects(loadPhaseTwoInputs(empty, empty), /No checkpoint in .*: train the generator first/);
 * await Deno.remove(empty);
 * ```
 */
export async function loadPhaseTwoInputs(
  generatorRun: string,
  phaseOneRun: string,
): Promise<{ frozenWeights: Map<string, Float32Array>; discriminator: Map<string, Float32Array> }> {
  const generator = await loadLatestCheckpoint(generatorRun);
  if (!generator) {
    throw new Deno.errors.NotFound(`No checkpoint in ${generatorRun}: train the generator first`);
  }
  const frozenWeights = new Map<string, Float32Array>();
  for (const [name, value] of generator.extra) {
    if (name.startsWith("ema/")) frozenWeights.set(name.slice(4), value);
  }
  if (!frozenWeights.size) throw new Deno.errors.NotFound(`${generator.file} holds no ema/* tensors`);
  const discriminator = new Map<string, Float32Array>();
  for (const [name, p] of generator.parameters) if (name.startsWith("D.")) discriminator.set(name, p.data);
  const phaseOne = await loadBestCheckpoint(phaseOneRun);
  if (!phaseOne) {
    throw new Deno.errors.NotFound(`No best checkpoint in ${phaseOneRun}: train phase one first`);
  }
  let encoder = 0;
  for (const [name, p] of phaseOne.parameters) {
    if (name.startsWith("w_encoder.")) frozenWeights.set(name, p.data), encoder++;
  }
  if (!encoder) throw new Deno.errors.NotFound(`${phaseOne.file} holds no w_encoder.* parameters`);
  return { frozenWeights, discriminator };
}

/**
 * The frozen weights of phase II from a model folder (or a reference model): its generator (`synthesis.*`,
 * `mapping.w_avg`) and E1 (`w_encoder.*`), checked as a model load checks them; no plug-in code is imported. A
 * model holds no discriminator: D starts from seeded values.
 *
 * @param manifestPath the model's `model.json`, or `reference:<name>`
 * @returns frozen weights (E1 + G) and an empty discriminator
 * @throws errors naming the manifest field or the weights file
 * @example
 * ```ts
 * import { loadPhaseTwoInputsFromModel } from "./phase_two_inputs.ts";
 * const { frozenWeights, discriminator } = await loadPhaseTwoInputsFromModel("reference:church256");
 * console.log(frozenWeights.has("mapping.w_avg"), frozenWeights.has("w_encoder.linear.weight"), discriminator.size); // true true 0
 * ```
 */
export async function loadPhaseTwoInputsFromModel(
  manifestPath: string,
): Promise<{ frozenWeights: Map<string, Float32Array>; discriminator: Map<string, Float32Array> }> {
  const weights = await loadModelModules(manifestPath, ["generator", "wEncoder"]);
  const frozenWeights = new Map([...weights].map(([name, weight]) => [name, weight.data]));
  return { frozenWeights, discriminator: new Map() };
}
