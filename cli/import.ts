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
 * Existing outputs are never overwritten without `--force`. Exit status 0 on success, 1 on any error (the
 * message lists every mismatched tensor).
 *
 * @module
 */

import { writeWeights } from "../io/weights_file.ts";
import { pathExists, writeFileAtomic } from "../io/atomic_write.ts";
import {
  convertAdaGenerator,
  type ConvertedGenerator,
  convertRosinalityGenerator,
} from "../convert/generator.ts";
import { convertHyperInverterCheckpoint } from "../convert/hyperinverter.ts";
import { convertGanSpacePca, convertInterfaceGanDirection } from "../convert/directions.ts";
import { convertLpipsLinear, convertTorchvision, LPIPS_CHANNELS } from "../convert/lpips.ts";
import {
  adaModuleStateDict,
  field,
  isTorchTensor,
  readTorch,
  stateDictOf,
  tensorWeight,
} from "../convert/torch_values.ts";
import type { StateDict } from "../convert/state_dict.ts";
import { MANIFEST_FORMAT, MANIFEST_VERSION } from "../model/manifest.ts";
import { option } from "./_args.ts";

/**
 * Reads a generator file of either format.
 *
 * @param path ADA `.pkl` or rosinality `.pt`
 * @returns config and ADA-named weights
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

async function refuseExisting(paths: string[], force: boolean): Promise<void> {
  if (force) return;
  const existing = [];
  for (const path of paths) if (await pathExists(path)) existing.push(path);
  if (existing.length) {
    throw new Deno.errors.AlreadyExists(`Refusing to overwrite ${existing.join(", ")} (pass --force)`);
  }
}

/**
 * The command.
 *
 * @param args command-line arguments
 * @returns exit status
 */
export async function main(args: string[]): Promise<number> {
  const [kind, input] = args;
  const out = option(args, "out");
  const force = args.includes("--force");
  try {
    if (kind === "list") {
      const zoo = JSON.parse(await Deno.readTextFile(new URL("../convert/model_zoo.json", import.meta.url)));
      console.log(zoo.about);
      for (const f of zoo.files) {
        console.log(`\n${f.name}\n  ${f.what} (Google Drive id / source: ${f.drive})\n  ${f.command}`);
      }
      return 0;
    }
    if (!input || !out) {
      throw new RangeError(
        "Usage: deno task import <kind> <file> --out <path> [--force]; kinds: hyperinverter, generator, interfacegan, ganspace, lpips, torchvision, list",
      );
    }
    const write = async (path: string, weights: StateDict, metadata: Record<string, string>) => {
      await writeWeights(path, weights, { overwrite: force, metadata });
    };
    const metadata = { source: input.split("/").pop()!, converter: `hyperinverter-deno import ${kind}` };
    switch (kind) {
      case "generator": {
        const generator = await importGenerator(input);
        await refuseExisting([`${out}/generator.safetensors`, `${out}/generator.json`], force);
        await Deno.mkdir(out, { recursive: true });
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
        return 0;
      }
      case "hyperinverter": {
        const generatorPath = option(args, "generator");
        if (!generatorPath) {
          throw new RangeError(
            "--generator <ADA .pkl or rosinality .pt> is required: the checkpoint has no generator",
          );
        }
        const checkpoint = await readTorch(input);
        const stateDict = stateDictOf(field(checkpoint, "state_dict"));
        const opts = field(checkpoint, "opts");
        if (!stateDict.size || !opts) {
          throw new TypeError(`"${input}" is not a HyperInverter checkpoint (no state_dict/opts)`);
        }
        const wEncoderPath = option(args, "w-encoder");
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
        await refuseExisting([...Object.values(files).map((f) => `${out}/${f}`), `${out}/model.json`], force);
        await Deno.mkdir(out, { recursive: true });
        await write(`${out}/${files.generator}`, generator.weights, { ...metadata, source: generatorPath });
        await write(`${out}/${files.wEncoder}`, converted.wEncoder, {
          ...metadata,
          source: wEncoderPath ?? input,
        });
        await write(`${out}/${files.layerWiseEncoder}`, converted.layerWiseEncoder, metadata);
        await write(`${out}/${files.hypernet}`, converted.hypernet, metadata);
        const architecture = { ...converted.architecture, generator: { ...generator.config } };
        const manifest = {
          format: MANIFEST_FORMAT,
          version: MANIFEST_VERSION,
          name: out.split("/").pop(),
          architecture,
          weights: files,
          provenance: {
            imported: input,
            generator: generatorPath,
            wEncoder: wEncoderPath ?? "checkpoint w_encoder.*",
            ignored: converted.ignored,
          },
        };
        await writeFileAtomic(`${out}/model.json`, JSON.stringify(manifest, null, 2));
        console.log(`imported ${input} into ${out} (ignored: ${converted.ignored.join(", ") || "nothing"})`);
        return 0;
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
        const network = option(args, "network") ?? "alex";
        if (!(network in LPIPS_CHANNELS)) {
          throw new RangeError(`--network must be one of ${Object.keys(LPIPS_CHANNELS).join(", ")}`);
        }
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
        const network = option(args, "network");
        if (network !== "alexnet" && network !== "resnet34") {
          throw new RangeError("--network must be alexnet or resnet34");
        }
        await write(out, convertTorchvision(stateDictOf(await readTorch(input)), network, input), metadata);
        break;
      }
      default:
        throw new RangeError(
          `Unknown kind "${kind}"; kinds: hyperinverter, generator, interfacegan, ganspace, lpips, torchvision, list`,
        );
    }
    console.log(`imported ${input} into ${out}`);
    return 0;
  } catch (error) {
    console.error(`import: ${(error as Error).message}`);
    return 1;
  }
}

if (import.meta.main) Deno.exit(await main(Deno.args));
