/**
 * `deno task edit <image> (--direction SPEC | --ganspace PCA --component K --layers A-B) [--gammas -3,-1.5,0,1.5,3]
 *  [--model models/default/model.json] [--out edit.png] [--device auto] [--force]`
 *
 * Inverts one image and writes a strip: the input, then one column per γ; the top row edits the phase-I inversion
 * (G(w'), the W encoder alone), the bottom row the full model (G(w', θ + ΔW) with the predicted ΔW reused
 * unchanged, spec §7).
 *
 * - InterFaceGAN: `w' = w + γ·n` on every row. SPEC is a direction learned for the model (`footwear`, see
 *   `deno task learn-directions`), `file.safetensors:name`, an imported `.safetensors` or the official `.pt`.
 * - GANSpace: γ is the strength, which *sets* the coordinate along component K on W+ rows A…B (inclusive),
 *   as the official code does (spec §7). PCA is the official `.pt`, its imported `.safetensors`, or `sampled`
 *   (a PCA of 4 096 sampled w of this model).
 *
 * @module
 */

import { pathExists } from "../io/atomic_write.ts";
import { readImage, writePng } from "../io/image.ts";
import { imageGrid } from "../io/image_grid.ts";
import { loadHyperInverter } from "../model/load.ts";
import { numWs } from "../generator/config.ts";
import { ganSpaceEdit, type GanSpacePca, interfaceGanEdit } from "../editing/directions.ts";
import { loadGanSpacePca, loadInterfaceGanDirection } from "../editing/load_direction.ts";
import { principalComponents } from "../editing/pca.ts";
import { sampleW } from "../editing/sample_latents.ts";
import { option, positionals } from "./_args.ts";

/** Parses `-3,-1.5,0` into numbers. */
export function parseNumberList(text: string, name: string): number[] {
  const values = text.split(",").map((v) => v.trim()).filter((v) => v !== "").map(Number);
  if (!values.length || values.some((v) => !Number.isFinite(v))) {
    throw new RangeError(`--${name} must be a comma-separated list of numbers, got "${text}"`);
  }
  return values;
}

/** Parses `7-8` (inclusive) into the official [start, end) rows. */
function parseLayers(text: string): { start: number; end: number } {
  const match = /^(\d+)(?:-(\d+))?$/.exec(text);
  if (!match) throw new RangeError(`--layers must look like 7-8 or 7, got "${text}"`);
  const start = Number(match[1]), last = Number(match[2] ?? match[1]);
  if (last < start) throw new RangeError(`--layers ${text}: the last row is before the first`);
  return { start, end: last + 1 };
}

/**
 * The command.
 *
 * @param args command-line arguments
 * @returns exit status (0 done, 1 failed, 2 bad arguments)
 */
export async function main(args: readonly string[]): Promise<number> {
  const image = positionals(args)[0];
  const directionSpec = option(args, "direction");
  const ganspace = option(args, "ganspace");
  if (!image || (!directionSpec === !ganspace)) {
    console.error(
      "Usage: deno task edit <image> (--direction SPEC | --ganspace PCA --component K --layers A-B) " +
        "[--gammas -3,-1.5,0,1.5,3] [--model M] [--out edit.png] [--force]",
    );
    return 2;
  }
  const modelPath = option(args, "model") ?? "models/default/model.json";
  const out = option(args, "out") ?? "edit.png";
  try {
    const gammas = parseNumberList(option(args, "gammas") ?? "-3,-1.5,0,1.5,3", "gammas");
    if (!args.includes("--force") && await pathExists(out)) {
      throw new Deno.errors.AlreadyExists(`Refusing to overwrite "${out}" (pass --force to replace it)`);
    }
    const model = await loadHyperInverter(modelPath, { device: option(args, "device") ?? "auto" });
    const config = model.architecture.generator;
    const rows = numWs(config);
    const modelFolder = modelPath.slice(0, Math.max(0, modelPath.lastIndexOf("/"))) || ".";
    let edit: (ws: Float32Array, gamma: number) => Float32Array;
    let label: string;
    if (directionSpec) {
      const direction = await loadInterfaceGanDirection(directionSpec, { modelFolder, wDim: config.wDim });
      edit = (ws, gamma) => interfaceGanEdit(ws, rows, direction, gamma);
      label = `InterFaceGAN ${directionSpec}`;
    } else {
      const component = Number(option(args, "component") ?? "0");
      const { start, end } = parseLayers(option(args, "layers") ?? `0-${rows - 1}`);
      let pca: GanSpacePca;
      if (ganspace === "sampled") {
        pca = principalComponents(await sampleW(model, 4096, { seed: 7 }), config.wDim, component + 1);
      } else pca = await loadGanSpacePca(ganspace!);
      if (pca.mean.length !== config.wDim) {
        throw new TypeError(`The PCA is for wDim ${pca.mean.length}; the model's wDim is ${config.wDim}`);
      }
      edit = (ws, gamma) => ganSpaceEdit(ws, rows, pca, { component, start, end, strength: gamma });
      label = `GANSpace component ${component}, rows ${start}…${end - 1}`;
    }
    const size = model.resolution;
    const input = await readImage(image, size);
    const inversion = await model.invert(input.data, 1);
    const phaseOneRow: (Float32Array | null)[] = [input.data];
    const fullRow: (Float32Array | null)[] = [null];
    for (const gamma of gammas) {
      const ws = edit(inversion.wCodes.data, gamma);
      phaseOneRow.push((await model.synthesize(ws, null, 1)).data);
      fullRow.push((await model.synthesize(ws, inversion.residuals, 1)).data);
    }
    const strip = imageGrid([phaseOneRow, fullRow], size);
    await writePng(out, strip.data, strip.shape);
    console.log(
      `${out}: ${label}, γ = ${
        gammas.join(", ")
      } (columns after the input); top: phase I, bottom: full model ` +
        `(ΔW reused) on ${inversion.provider}`,
    );
    return 0;
  } catch (error) {
    console.error(`edit: ${(error as Error).message}`);
    return 1;
  }
}

if (import.meta.main) Deno.exit(await main(Deno.args));
