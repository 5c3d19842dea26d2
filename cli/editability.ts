/**
 * `deno task editability [--model models/default/model.json] [--images 500] [--out DIR] [--force]`
 *
 * The paper's Table 2 protocol on the default model: the first N held-out Fashion-MNIST test images are inverted;
 * each learned direction (`<model folder>/directions/interfacegan.safetensors`, labelled by the `conv` classifier)
 * is applied with γ = −3…3 to the phase-I inversion and to the full model (ΔW reused), and the mean change of the
 * attribute's log-odds is measured by the held-out `mlp` classifier (`<model folder>/attributes/mlp.safetensors`),
 * which never labelled a sample. Writes `<out>/editability.json` and `<out>/editability.md` (default `<out>` =
 * the model folder).
 *
 * @module
 */

import { pathExists, writeFileAtomic } from "../io/atomic_write.ts";
import { loadHyperInverter } from "../model/load.ts";
import { loadFashionMnist, toTensorBatch } from "../train/data/fashion_mnist.ts";
import { AttributeModel } from "../editing/attribute_model.ts";
import { readDirections } from "../editing/direction_file.ts";
import { editabilityMarkdown, measureEditability, TABLE_2_GAMMAS } from "../editing/editability.ts";
import { fashionAttribute } from "../editing/fashion_attributes.ts";
import { LEARNED_DIRECTIONS_FILE } from "../editing/load_direction.ts";
import { option } from "./_args.ts";
import { ProgressBar } from "./_progress.ts";

/**
 * The command.
 *
 * @param args command-line arguments
 * @returns exit status (0 done, 1 failed)
 */
export async function main(args: readonly string[]): Promise<number> {
  const modelPath = option(args, "model") ?? "models/default/model.json";
  const folder = modelPath.slice(0, Math.max(0, modelPath.lastIndexOf("/"))) || ".";
  const out = option(args, "out") ?? folder;
  const count = Number(option(args, "images") ?? "500");
  const batch = 50;
  try {
    if (!Number.isInteger(count) || count < batch || count % batch !== 0) {
      throw new RangeError(`--images must be a positive multiple of ${batch}, got ${option(args, "images")}`);
    }
    for (const file of ["editability.json", "editability.md"]) {
      if (!args.includes("--force") && await pathExists(`${out}/${file}`)) {
        throw new Deno.errors.AlreadyExists(`Refusing to overwrite "${out}/${file}" (pass --force)`);
      }
    }
    const model = await loadHyperInverter(modelPath);
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
    await Deno.mkdir(out, { recursive: true });
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
    return 0;
  } catch (error) {
    console.error(`editability: ${(error as Error).message}`);
    return 1;
  }
}

if (import.meta.main) Deno.exit(await main(Deno.args));
