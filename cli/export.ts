/**
 * `deno task export --model M --out DIR [--force] [--allow-plugins]`
 *
 * Writes the model as standalone ONNX files (opset 17, batch 1, weights baked in; external data only past the
 * 2 GB protobuf limit) and `model.export.json` (inputs, outputs, preprocessing, how the stages chain) into DIR:
 * `encode.onnx` (E1 + E2 of the input), `e2.onnx`, `hypernet.onnx`, `synthesis.onnx` (residual inputs),
 * `code_mapper.onnx` (ΔW from a compact inversion file's codes) and `hyperinverter.onnx` (the fused whole);
 * model/export.ts. Any ONNX runtime runs them without this project.
 *
 * The command line and every output are checked before the model loads; existing outputs are never overwritten
 * unless `--force` is given. Exit status: 0 written, 2 bad usage or nothing written.
 *
 * @module
 */

import { EXIT_OK, runCommand } from "../io/command_line.ts";
import { checkOutputFile, prepareOutputFolder } from "../io/output_check.ts";
import { loadHyperInverter } from "../model/load.ts";
import { exportModel, exportPaths } from "../model/export.ts";
import { ALLOW_PLUGINS_FLAG } from "./_model_flags.ts";

/** The command line of `export`. */
export const EXPORT_COMMAND = {
  name: "export",
  usage: "deno task export --model MODEL --out DIR [--force] [--allow-plugins]",
  description:
    "Writes the model as standalone ONNX files (stages and the fused whole) and model.export.json.",
  flags: {
    model: {
      type: "string",
      required: true,
      valueName: "MODEL",
      description: "model.json, or reference:church256 / reference:ffhq1024",
    },
    out: { type: "string", required: true, valueName: "DIR", description: "output folder" },
    force: { type: "boolean", description: "replace existing outputs" },
    "allow-plugins": ALLOW_PLUGINS_FLAG,
  },
} as const;

/**
 * The command.
 *
 * @param args command-line arguments
 * @returns the exit status (0 written, 2 bad usage or nothing written)
 */
export function main(args: readonly string[]): Promise<number> {
  return runCommand(EXPORT_COMMAND, args, async (flags) => {
    const { out, force } = flags;
    await prepareOutputFolder(out);
    for (const path of exportPaths(out)) {
      await checkOutputFile(path, { force });
      if (path.endsWith(".onnx")) await checkOutputFile(`${path}.data`, { force });
    }
    const model = await loadHyperInverter(flags.model, { allowPlugins: flags["allow-plugins"] });
    const description = await exportModel(model, out, { name: flags.model });
    for (const [file, info] of Object.entries(description.files)) {
      console.log(
        `${out}/${file}: ${(info.bytes / 2 ** 20).toFixed(1)} MiB${
          info.externalData ? " (external data)" : ""
        }`,
      );
    }
    console.log(`${out}/model.export.json: opset ${description.opset}, batch 1, ${description.resolution}²`);
    return EXIT_OK;
  });
}

if (import.meta.main) Deno.exit(await main(Deno.args));
