/**
 * `deno task assemble-model --generator RUN --phase-one RUN --phase-two RUN --config train/configs/phase_two_….json
 * --out models/NAME [--fp16] [--force]`: builds a model folder (model.json + one safetensors per module) from the
 * three training runs: the generator's EMA weights (latest checkpoint, `ema/*`), the W encoder (phase-one best
 * checkpoint, `w_encoder.*`) and E2 + hypernet (phase-two best checkpoint). The architecture is the phase-two
 * config's. `--fp16` stores float16 (half the size; read back as float32).
 *
 * @module
 */

import { pathExists } from "../io/atomic_write.ts";
import type { Weight } from "../io/weights_file.ts";
import { loadBestCheckpoint, loadLatestCheckpoint } from "../train/checkpoint.ts";
import { resolveArchitecture } from "../model/architecture.ts";
import { HyperInverter } from "../model/hyperinverter.ts";
import { MODULE_NAMES } from "../model/manifest.ts";
import { writeModelFolder } from "../model/model_folder.ts";
import { option } from "./_args.ts";

/**
 * Assembles a model folder from training runs.
 *
 * @param args command-line arguments
 * @returns exit status
 */
export async function main(args: string[]): Promise<number> {
  try {
    const [generatorRun, phaseOneRun, phaseTwoRun, configPath, out] = [
      "generator",
      "phase-one",
      "phase-two",
      "config",
      "out",
    ]
      .map((name) => {
        const value = option(args, name);
        if (!value) throw new RangeError(`--${name} is required`);
        return value;
      });
    const config = JSON.parse(await Deno.readTextFile(configPath));
    const architecture = resolveArchitecture(config.architecture);
    const generator = await loadLatestCheckpoint(generatorRun);
    const phaseOne = await loadBestCheckpoint(phaseOneRun) ?? await loadLatestCheckpoint(phaseOneRun);
    const phaseTwo = await loadBestCheckpoint(phaseTwoRun) ?? await loadLatestCheckpoint(phaseTwoRun);
    if (!generator || !phaseOne || !phaseTwo) {
      throw new Deno.errors.NotFound("A run folder has no checkpoint");
    }
    const weights = new Map<string, Weight>();
    for (const [name, value] of generator.extra) {
      if (name.startsWith("ema/")) {
        const live = generator.parameters.get(name.slice(4));
        weights.set(name.slice(4), { data: value, shape: live?.shape ?? [value.length] });
      }
    }
    for (const [name, value] of phaseOne.parameters) {
      if (name.startsWith("w_encoder.")) weights.set(name, value);
    }
    for (const [name, value] of phaseTwo.parameters) {
      if (name.startsWith("w_bar_encoder.") || name.startsWith("hypernet.")) weights.set(name, value);
    }
    new HyperInverter(architecture, weights).graph(1); // every weight present with its shape, or a full list of what is not
    if (!args.includes("--force")) {
      for (
        const path of [...MODULE_NAMES.map((m) => `${m}.safetensors`), "model.json"].map((f) => `${out}/${f}`)
      ) {
        if (await pathExists(path)) {
          throw new Deno.errors.AlreadyExists(`${path} exists (pass --force)`);
        }
      }
    }
    await writeModelFolder(out, {
      name: out.split("/").pop() ?? out,
      architecture: config.architecture,
      weights,
      fp16: args.includes("--fp16"),
      provenance: {
        generator: `${generatorRun} step ${generator.step} (EMA)`,
        phaseOne: `${phaseOneRun} step ${phaseOne.step}`,
        phaseTwo: `${phaseTwoRun} step ${phaseTwo.step}`,
      },
    });
    console.log(`assembled ${out} (${weights.size} tensors)`);
    return 0;
  } catch (error) {
    console.error(`assemble-model: ${(error as Error).message}`);
    return 1;
  }
}

if (import.meta.main) Deno.exit(await main(Deno.args));
