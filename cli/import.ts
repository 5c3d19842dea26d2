/**
 * `deno task import <kind> <file> --out <path> [options]`: converts the official files of this field to our model
 * folders and safetensors, without Python and without executing anything from the files (a restricted unpickler
 * reads them; see io/pickle.ts). `deno task import list` prints the model zoo (convert/model_zoo.json).
 *
 * | kind | input | output |
 * |---|---|---|
 * | `hyperinverter` | HyperInverter `.pt` + `--generator` (ADA `.pkl` or rosinality `.pt`) [+ `--w-encoder` `.pt`] | a model folder: model.json + 4 safetensors |
 * | `generator` | ADA `.pkl` (G_ema) or rosinality `.pt` (g_ema + latent_avg) | folder: generator.safetensors + generator.json |
 * | `interfacegan` | a direction `.pt` [1, 512] | `.safetensors` with `direction` |
 * | `ganspace` | a PCA `.pt` {mean, comp, std} | `.safetensors` with `mean`, `comp`, `std` |
 * | `lpips` | `alex.pth` / `vgg.pth` / `squeeze.pth` + `--network` | `.safetensors` |
 * | `torchvision` | AlexNet / ResNet-34 `.pth` + `--network alexnet\|resnet34` | `.safetensors` |
 *
 * Existing outputs are never overwritten without `--force`; outputs and inputs are checked before any file is
 * read. Exit status 0 imported, 2 bad usage or nothing imported (the message lists every mismatched tensor).
 *
 * @module
 */

import { writeWeights } from "../io/weights_file.ts";
import { writeFileAtomic } from "../io/atomic_write.ts";
import { EXIT_OK, runCommand, UsageError } from "../io/command_line.ts";
import { checkInputFile, checkOutputFile, prepareOutputFolder } from "../io/output_check.ts";
import { importGenerator } from "../convert/import_generator.ts";
import { convertHyperInverterCheckpoint } from "../convert/hyperinverter.ts";
import { convertGanSpacePca, convertInterfaceGanDirection } from "../convert/directions.ts";
import { convertLpipsLinear, convertTorchvision, LPIPS_CHANNELS } from "../convert/lpips.ts";
import { field, isTorchTensor, readTorch, stateDictOf, tensorWeight } from "../convert/torch_values.ts";
import type { StateDict } from "../convert/state_dict.ts";
import { MANIFEST_FORMAT, MANIFEST_VERSION } from "../model/manifest.ts";
import { sha256Hex } from "../model/weights_digest.ts";

const KINDS = ["hyperinverter", "generator", "interfacegan", "ganspace", "lpips", "torchvision", "list"];

/** Which kinds each optional flag applies to. */
const FLAG_KINDS: Record<string, readonly string[]> = {
  generator: ["hyperinverter"],
  "w-encoder": ["hyperinverter"],
  network: ["lpips", "torchvision"],
};

const SPEC = {
  name: "import",
  usage:
    "deno task import <kind> <file> --out <path> [--force] [--generator F] [--w-encoder F] [--network N]",
  description: `Converts an official file to our formats; kinds: ${
    KINDS.join(", ")
  } (\`list\` prints the zoo).`,
  flags: {
    out: {
      type: "string",
      valueName: "PATH",
      description: "output folder (hyperinverter, generator) or file",
    },
    force: { type: "boolean", description: "replace existing outputs" },
    generator: {
      type: "string",
      valueName: "F",
      description: "hyperinverter: the generator (ADA .pkl or rosinality .pt)",
    },
    "w-encoder": { type: "string", valueName: "F", description: "hyperinverter: a separate W encoder .pt" },
    network: {
      type: "string",
      valueName: "N",
      description: `lpips: ${
        Object.keys(LPIPS_CHANNELS).join("|")
      } (default alex); torchvision: alexnet|resnet34`,
    },
  },
  positionals: { min: 1, max: 2, names: "kind, file" },
} as const;

/** The files a kind writes (into the folder `out`, or `out` itself) and the folder they go in. */
function outputsOf(kind: string, out: string): { folder: string; files: string[] } {
  const inFolder = (names: string[]) => ({ folder: out, files: names.map((name) => `${out}/${name}`) });
  if (kind === "generator") {
    return inFolder(["generator.safetensors", "generator.json", "discriminator.safetensors"]);
  }
  if (kind === "hyperinverter") {
    return inFolder([
      "generator.safetensors",
      "w_encoder.safetensors",
      "w_bar_encoder.safetensors",
      "hypernet.safetensors",
      "model.json",
    ]);
  }
  // A file's folder is made, as the zoo's commands (`--out directions/age.safetensors`) expect.
  const slash = out.lastIndexOf("/");
  return { folder: slash < 0 ? "." : out.slice(0, slash) || "/", files: [out] };
}

/** Checks the command line's kind, flags, inputs and outputs before any file is read. */
async function checkArguments(
  kind: string,
  input: string | undefined,
  flags: { out?: string; force: boolean; generator?: string; "w-encoder"?: string; network?: string },
): Promise<{ input: string; out: string }> {
  if (!KINDS.includes(kind)) throw new UsageError(`Unknown kind "${kind}"; kinds: ${KINDS.join(", ")}`);
  if (!input) {
    throw new UsageError(`import ${kind} needs the file to convert: import ${kind} <file> --out <path>`);
  }
  if (!flags.out) throw new UsageError("--out is required");
  for (const [flag, kinds] of Object.entries(FLAG_KINDS)) {
    if (flags[flag as keyof typeof flags] !== undefined && !kinds.includes(kind)) {
      throw new UsageError(`--${flag} applies only to import ${kinds.join(" or ")}, not ${kind}`);
    }
  }
  if (kind === "hyperinverter" && !flags.generator) {
    throw new UsageError(
      "--generator <ADA .pkl or rosinality .pt> is required: the checkpoint has no generator",
    );
  }
  if (kind === "lpips" && flags.network !== undefined && !(flags.network in LPIPS_CHANNELS)) {
    throw new UsageError(
      `--network must be one of ${Object.keys(LPIPS_CHANNELS).join(", ")} for lpips, got "${flags.network}"`,
    );
  }
  if (kind === "torchvision" && flags.network !== "alexnet" && flags.network !== "resnet34") {
    throw new UsageError(
      `--network must be alexnet or resnet34 for torchvision, got "${flags.network ?? ""}"`,
    );
  }
  await checkInputFile(input, "input");
  if (flags.generator) await checkInputFile(flags.generator, "--generator file");
  if (flags["w-encoder"]) await checkInputFile(flags["w-encoder"], "--w-encoder file");
  const outputs = outputsOf(kind, flags.out);
  await prepareOutputFolder(outputs.folder);
  for (const file of outputs.files) await checkOutputFile(file, { force: flags.force });
  return { input, out: flags.out };
}

/**
 * The command.
 *
 * @param args command-line arguments
 * @returns exit status (0 imported, 2 bad usage or nothing imported)
 */
export function main(args: readonly string[]): Promise<number> {
  return runCommand(SPEC, args, async (flags, positionals) => {
    const kind = positionals[0];
    if (kind === "list") {
      const zoo = JSON.parse(await Deno.readTextFile(new URL("../convert/model_zoo.json", import.meta.url)));
      console.log(zoo.about);
      for (const f of zoo.files) {
        console.log(`\n${f.name}\n  ${f.what} (Google Drive id / source: ${f.drive})\n  ${f.command}`);
      }
      return EXIT_OK;
    }
    const { input, out } = await checkArguments(kind, positionals[1], flags);
    const force = flags.force;
    const write = async (path: string, weights: StateDict, metadata: Record<string, string>) => {
      await writeWeights(path, weights, { overwrite: force, metadata });
    };
    const metadata = { source: input.split("/").pop()!, converter: `hyperinverter-deno import ${kind}` };
    switch (kind) {
      case "generator": {
        const generator = await importGenerator(input);
        await write(`${out}/generator.safetensors`, generator.weights, metadata);
        await writeFileAtomic(`${out}/generator.json`, JSON.stringify(generator.config, null, 2));
        if (generator.discriminator) {
          await write(`${out}/discriminator.safetensors`, generator.discriminator, {
            ...metadata,
            checked: "no",
          });
        }
        console.log(
          `imported the ${generator.config.resolution}² generator (${generator.weights.size} tensors) into ${out}`,
        );
        return EXIT_OK;
      }
      case "hyperinverter": {
        const generatorPath = flags.generator!;
        const checkpoint = await readTorch(input);
        const stateDict = stateDictOf(field(checkpoint, "state_dict"));
        const opts = field(checkpoint, "opts");
        if (!stateDict.size || !opts) {
          throw new TypeError(`"${input}" is not a HyperInverter checkpoint (no state_dict/opts)`);
        }
        const wEncoderPath = flags["w-encoder"];
        const wEncoder = wEncoderPath
          ? stateDictOf(field(await readTorch(wEncoderPath), "state_dict") ?? await readTorch(wEncoderPath))
          : undefined;
        const fromEncoderFile = wEncoder
          ? new Map([...wEncoder].filter(([n]) => n.startsWith("encoder.")).map(([n, w]) => [n.slice(8), w]))
          : undefined;
        const converted = convertHyperInverterCheckpoint(stateDict, opts as Record<string, unknown>, input, {
          wEncoder: fromEncoderFile,
        });
        const generator = await importGenerator(generatorPath);
        if (generator.config.resolution !== converted.architecture.generator.resolution) {
          throw new TypeError(
            `The generator is ${generator.config.resolution}², the checkpoint expects ${converted.architecture.generator.resolution}²`,
          );
        }
        const files = {
          generator: "generator.safetensors",
          wEncoder: "w_encoder.safetensors",
          layerWiseEncoder: "w_bar_encoder.safetensors",
          hypernet: "hypernet.safetensors",
        };
        await write(`${out}/${files.generator}`, generator.weights, { ...metadata, source: generatorPath });
        await write(`${out}/${files.wEncoder}`, converted.wEncoder, {
          ...metadata,
          source: wEncoderPath ?? input,
        });
        await write(`${out}/${files.layerWiseEncoder}`, converted.layerWiseEncoder, metadata);
        await write(`${out}/${files.hypernet}`, converted.hypernet, metadata);
        const architecture = { ...converted.architecture, generator: { ...generator.config } };
        const sha256: Record<string, string> = {}; // verified when the model loads (model/load.ts)
        for (const [module, file] of Object.entries(files)) {
          sha256[module] = await sha256Hex(await Deno.readFile(`${out}/${file}`));
        }
        const manifest = {
          format: MANIFEST_FORMAT,
          version: MANIFEST_VERSION,
          name: out.split("/").pop(),
          architecture,
          weights: files,
          sha256,
          provenance: {
            imported: input,
            generator: generatorPath,
            wEncoder: wEncoderPath ?? "checkpoint w_encoder.*",
            ignored: converted.ignored,
          },
        };
        await writeFileAtomic(`${out}/model.json`, JSON.stringify(manifest, null, 2));
        console.log(`imported ${input} into ${out} (ignored: ${converted.ignored.join(", ") || "nothing"})`);
        return EXIT_OK;
      }
      case "interfacegan": {
        const value = await readTorch(input);
        if (!isTorchTensor(value)) throw new TypeError(`"${input}" does not hold a bare tensor`);
        await write(out, convertInterfaceGanDirection(tensorWeight(value), input), metadata);
        break;
      }
      case "ganspace":
        await write(out, convertGanSpacePca(stateDictOf(await readTorch(input)), input), metadata);
        break;
      case "lpips": {
        const network = flags.network ?? "alex";
        await write(
          out,
          convertLpipsLinear(
            stateDictOf(await readTorch(input)),
            network as keyof typeof LPIPS_CHANNELS,
            input,
          ),
          metadata,
        );
        break;
      }
      case "torchvision": {
        const network = flags.network as "alexnet" | "resnet34";
        await write(out, convertTorchvision(stateDictOf(await readTorch(input)), network, input), metadata);
        break;
      }
    }
    console.log(`imported ${input} into ${out}`);
    return EXIT_OK;
  });
}

if (import.meta.main) Deno.exit(await main(Deno.args));
