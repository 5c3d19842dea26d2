/**
 * `deno task assemble-model --generator RUN --phase-one RUN --phase-two RUN --config train/configs/phase_two_….json
 * --out models/NAME [--fp16] [--force]`: builds a model folder (model.json + one safetensors per module) from the
 * three training runs: the generator's EMA weights (latest checkpoint, `ema/*`), the W encoder (phase-one best
 * checkpoint, `w_encoder.*`) and E2 + hypernet (phase-two best checkpoint). The architecture is the phase-two
 * config's. `--fp16` stores float16 (half the size; read back as float32). The output folder is checked before any
 * run is read. Exit status 0 assembled, 2 bad usage or nothing done.
 *
 * @module
 */

import type { Weight } from "../io/weights_file.ts";
import { loadBestCheckpoint, loadLatestCheckpoint } from "../train/checkpoint.ts";
import { resolveArchitecture } from "../model/architecture.ts";
import { HyperInverter } from "../model/hyperinverter.ts";
import { MODULE_NAMES } from "../model/manifest.ts";
import { writeModelFolder } from "../model/model_folder.ts";
import { EXIT_OK, runCommand } from "../io/command_line.ts";
import { checkOutputFile, prepareOutputFolder } from "../io/output_check.ts";

const SPEC = {
  name: "assemble-model",
  usage:
    "deno task assemble-model --generator RUN --phase-one RUN --phase-two RUN --config F --out DIR [--fp16] [--force]",
  description:
    "Builds a model folder (model.json + one safetensors per module) from the three training runs.",
  flags: {
    generator: {
      type: "string",
      valueName: "RUN",
      required: true,
      description: "generator run (EMA weights)",
    },
    "phase-one": { type: "string", valueName: "RUN", required: true, description: "phase-one run (E1)" },
    "phase-two": { type: "string", valueName: "RUN", required: true, description: "phase-two run (E2, H)" },
    config: { type: "string", valueName: "F", required: true, description: "the phase-two config (JSON)" },
    out: { type: "string", valueName: "DIR", required: true, description: "the model folder to write" },
    fp16: { type: "boolean", description: "store float16 weights (half the size)" },
    force: { type: "boolean", description: "replace an existing model in --out" },
  },
} as const;

/**
 * Assembles a model folder from training runs.
 *
 * @param args command-line arguments
 * @returns exit status (0 assembled, 2 bad usage or nothing done)
 */
export function main(args: readonly string[]): Promise<number> {
  return runCommand(SPEC, args, async (flags) => {
    const { generator: generatorRun, "phase-one": phaseOneRun, "phase-two": phaseTwoRun, out } = flags;
    const config = JSON.parse(await Deno.readTextFile(flags.config));
    const architecture = resolveArchitecture(config.architecture);
    await prepareOutputFolder(out);
    for (const file of [...MODULE_NAMES.map((m) => `${m}.safetensors`), "model.json"]) {
      await checkOutputFile(`${out}/${file}`, { force: flags.force });
    }
    const generator = await loadLatestCheckpoint(generatorRun);
    const phaseOne = await loadBestCheckpoint(phaseOneRun) ?? await loadLatestCheckpoint(phaseOneRun);
    const phaseTwo = await loadBestCheckpoint(phaseTwoRun) ?? await loadLatestCheckpoint(phaseTwoRun);
    const missing = [[generatorRun, generator], [phaseOneRun, phaseOne], [phaseTwoRun, phaseTwo]]
      .filter(([, loaded]) => !loaded).map(([run]) => `"${run}"`);
    if (!generator || !phaseOne || !phaseTwo) {
      throw new Deno.errors.NotFound(`The run folder(s) ${missing.join(", ")} have no checkpoint`);
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
    await writeModelFolder(out, {
      name: out.split("/").pop() ?? out,
      architecture: config.architecture,
      weights,
      fp16: flags.fp16,
      provenance: {
        generator: `${generatorRun} step ${generator.step} (EMA)`,
        phaseOne: `${phaseOneRun} step ${phaseOne.step}`,
        phaseTwo: `${phaseTwoRun} step ${phaseTwo.step}`,
      },
    });
    console.log(`assembled ${out} (${weights.size} tensors)`);
    return EXIT_OK;
  });
}

if (import.meta.main) Deno.exit(await main(Deno.args));
