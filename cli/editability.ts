/**
 * `deno task editability [--model data/models/default/model.json] [--images 500] [--out DIR] [--force]`
 *
 * The paper's Table 2 protocol on the default model: the first N held-out Fashion-MNIST test images are inverted;
 * each learned direction (`<model folder>/directions/interfacegan.safetensors`, labelled by the `conv` classifier)
 * is applied with γ = −3…3 to the phase-I inversion and to the full model (ΔW reused), and the mean change of the
 * attribute's log-odds is measured by the held-out `mlp` classifier (`<model folder>/attributes/mlp.safetensors`),
 * which never labelled a sample. Writes `<out>/editability.json` and `<out>/editability.md` (default `<out>` =
 * the model folder). The flags, the model, its classifier and directions, and the outputs are checked before
 * anything loads. Exit status 0 written, 2 bad usage or nothing written.
 *
 * @module
 */

import { writeFileAtomic } from "../io/atomic_write.ts";
import { EXIT_OK, runCommand, UsageError } from "../io/command_line.ts";
import { checkInputFile, checkOutputFile, prepareOutputFolder } from "../io/output_check.ts";
import { DEVICE_NAMES } from "../runtime/devices.ts";
import { checkDevice } from "./_device.ts";
import { loadHyperInverter } from "../model/load.ts";
import { loadFashionMnist, toTensorBatch } from "../train/data/fashion_mnist.ts";
import { AttributeModel } from "../editing/attribute_model.ts";
import { readDirections } from "../editing/direction_file.ts";
import { editabilityMarkdown, measureEditability, TABLE_2_GAMMAS } from "../editing/editability.ts";
import { fashionAttribute } from "../editing/fashion_attributes.ts";
import { LEARNED_DIRECTIONS_FILE } from "../editing/load_direction.ts";
import { ProgressBar } from "./_progress.ts";

/** Images per inversion batch; `--images` is a multiple of it. */
const BATCH = 50;

const SPEC = {
  name: "editability",
  usage: "deno task editability [--model M] [--images 500] [--out DIR] [--device cpu] [--force]",
  description: "The paper's Table 2 protocol on held-out Fashion-MNIST test images → editability.{json,md}.",
  flags: {
    model: {
      type: "string",
      valueName: "M",
      default: "data/models/default/model.json",
      description: "model.json",
    },
    images: {
      type: "integer",
      min: BATCH,
      max: 10_000,
      default: 500,
      description: `held-out test images, a multiple of ${BATCH}`,
    },
    out: { type: "string", valueName: "DIR", description: "output folder (default: the model's folder)" },
    device: { type: "string", choices: DEVICE_NAMES, default: "cpu", description: "where to run" },
    force: { type: "boolean", description: "replace existing editability.{json,md}" },
  },
} as const;

/**
 * The command.
 *
 * @param args command-line arguments
 * @returns exit status (0 written, 2 bad usage or nothing written)
 */
export function main(args: readonly string[]): Promise<number> {
  return runCommand(SPEC, args, async (flags) => {
    const { model: modelPath, images: count } = flags;
    const folder = modelPath.slice(0, Math.max(0, modelPath.lastIndexOf("/"))) || ".";
    const out = flags.out ?? folder;
    const batch = BATCH;
    if (count % batch !== 0) throw new UsageError(`--images must be a multiple of ${batch}, got ${count}`);
    checkDevice(flags.device);
    await checkInputFile(modelPath, "model");
    for (
      const [path, what] of [[`${folder}/attributes/mlp.safetensors`, "classifier"], [
        `${folder}/${LEARNED_DIRECTIONS_FILE}`,
        "directions file",
      ]]
    ) {
      await checkInputFile(path, `${what} (run deno task learn-directions first)`);
    }
    await prepareOutputFolder(out);
    for (const file of ["editability.json", "editability.md"]) {
      await checkOutputFile(`${out}/${file}`, { force: flags.force });
    }
    const model = await loadHyperInverter(modelPath, { device: flags.device });
    const measure = await AttributeModel.load(`${folder}/attributes/mlp.safetensors`);
    const learned = await readDirections(`${folder}/${LEARNED_DIRECTIONS_FILE}`);
    const directions = [...learned].map(([name, { direction }]) => ({
      attribute: fashionAttribute(name),
      direction,
    }));
    const data = await loadFashionMnist();
    const images = toTensorBatch(data.test, Array.from({ length: count }, (_, i) => i), { channels: 3 });
    const progress = new ProgressBar(count, "editability");
    let reported = 0;
    const started = performance.now();
    const results = await measureEditability(model, images, {
      measure,
      directions,
      batch,
      onProgress: (done) => {
        progress.tick("", done - reported);
        reported = done;
      },
    });
    progress.finish();
    const report = {
      model: modelPath,
      images: `the first ${count} images of the Fashion-MNIST test split (held out from every trainer)`,
      gammas: TABLE_2_GAMMAS,
      directionsLearnedWith: "conv classifier (attributes/conv.safetensors) on 4000 sampled G(w)",
      measuredWith:
        `mlp classifier (attributes/mlp.safetensors, test accuracy ${measure.metadata.testAccuracy}), ` +
        "trained on the other half of the training split; never labelled a sample",
      score: "log-odds of the attribute's class group",
      results,
      seconds: (performance.now() - started) / 1000,
    };
    await writeFileAtomic(`${out}/editability.json`, JSON.stringify(report, null, 2) + "\n");
    const markdown = [
      "# Editability of the default model (the paper's Table 2 protocol)",
      "",
      `Mean change of each attribute's log-odds from γ = 0, over ${report.images}; directions learned with the`,
      "`conv` classifier, changes measured with the held-out `mlp` classifier. `deno task editability` writes this.",
      "",
      editabilityMarkdown(results),
      "",
    ].join("\n");
    await writeFileAtomic(`${out}/editability.md`, markdown);
    console.log(markdown);
    return EXIT_OK;
  });
}

if (import.meta.main) Deno.exit(await main(Deno.args));
