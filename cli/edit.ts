/**
 * `deno task edit <image> (--direction SPEC | --ganspace PCA --component K --layers A-B) [--gammas -3,-1.5,0,1.5,3]
 *  [--model data/models/default/model.json] [--out edit.png] [--device auto] [--force] [--allow-plugins] [--align]`
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
 * The input may also be an inversion file that `invert` wrote (`<name>.safetensors`, compact or with ΔW): it is
 * edited without inverting again (the strip's first column shows its reconstruction), and refused when it was
 * written with another model (model/compact_inversion.ts `loadInversion`).
 *
 * `--align` takes a photo: its largest face is FFHQ-aligned to the model's resolution first (faces/, as
 * `deno task align`; written beside `--out` as `<out>.aligned.png`, `<out>` being `--out` without `.png`), and each
 * full-model edit is pasted back into the photo (faces/paste_back.ts: the face's quad only, feathered, every pixel
 * outside it unchanged) as `<out>.pasted.png` when there is one γ, else `<out>.pasted.<k>.png` for the k-th γ
 * (from 0). These outputs follow `--out`'s rules (refused when they exist, unless `--force`; never an input).
 *
 * The flags, the input image and every output are checked before the model loads. Exit status 0 written, 2 bad usage
 * or nothing written.
 *
 * @module
 */

import { rgbBytesToTensor, toRgbBytes, writePng } from "../io/image.ts";
import { inversionOfInput, isInversionFile } from "./_inversion_input.ts";
import { type AlignedPhotoFace, alignPhoto } from "./align.ts";
import { planOutputNames } from "./_files.ts";
import { FaceDetector } from "../faces/detect.ts";
import { writePastedPhoto } from "../faces/paste_back.ts";
import { type RgbImage, writeRgbPng } from "../faces/rgb_image.ts";
import { invertWithCodes } from "../model/compact_inversion.ts";
import type { HyperInverter } from "../model/hyperinverter.ts";
import { imageGrid } from "../io/image_grid.ts";
import { loadHyperInverter } from "../model/load.ts";
import { numWs } from "../generator/config.ts";
import { ganSpaceEdit, type GanSpacePca, interfaceGanEdit } from "../editing/directions.ts";
import { loadGanSpacePca, loadInterfaceGanDirection } from "../editing/load_direction.ts";
import { principalComponents } from "../editing/pca.ts";
import { sampleW } from "../editing/sample_latents.ts";
import { DEVICE_NAMES } from "../runtime/devices.ts";
import { checkDevice } from "./_device.ts";
import { EXIT_OK, runCommand, UsageError } from "../io/command_line.ts";
import { checkInputFile, checkOutputFile } from "../io/output_check.ts";
import { ALLOW_PLUGINS_FLAG } from "./_model_flags.ts";

/** The inversion of an aligned face, as `inversionOfInput` gives it for an image. */
async function invertAligned(model: HyperInverter, face: RgbImage) {
  const image = rgbBytesToTensor(face.data, face.width, face.height);
  const result = await invertWithCodes(model, image, 1);
  const residuals = new Map([...result.residuals].map(([name, array]) => [name, array.data]));
  return {
    inversion: { ws: result.wCodes.data, residuals, codes: result.codes },
    image,
    provider: result.provider,
  };
}

/** The most γ columns of one strip. */
const MAX_GAMMAS = 32;
/** The largest |γ| accepted (the paper edits with |γ| ≤ 3; far beyond, images are saturated noise). */
const MAX_GAMMA = 100;

const SPEC = {
  name: "edit",
  usage: "deno task edit <image> (--direction SPEC | --ganspace PCA --component K --layers A-B) " +
    "[--gammas -3,-1.5,0,1.5,3] [--model M] [--out edit.png] [--device auto] [--force] [--allow-plugins] [--align]",
  description:
    "Inverts one image and writes an edit strip: the input, then one column per γ; top row phase I, " +
    "bottom row the full model (ΔW reused).",
  flags: {
    direction: {
      type: "string",
      valueName: "SPEC",
      description: "InterFaceGAN: a learned direction name, file.safetensors:name, a .safetensors or .pt",
    },
    ganspace: {
      type: "string",
      valueName: "PCA",
      description: "GANSpace: a PCA .pt/.safetensors, or sampled",
    },
    component: {
      type: "integer",
      valueName: "K",
      min: 0,
      max: 511,
      description: "GANSpace component, default 0",
    },
    layers: { type: "string", valueName: "A-B", description: "GANSpace W+ rows, inclusive (default: all)" },
    gammas: {
      type: "string",
      valueName: "LIST",
      default: "-3,-1.5,0,1.5,3",
      description: `comma-separated strengths (at most ${MAX_GAMMAS}, each within ±${MAX_GAMMA})`,
    },
    model: {
      type: "string",
      valueName: "M",
      default: "data/models/default/model.json",
      description: "model.json",
    },
    out: { type: "string", valueName: "FILE", default: "edit.png", description: "the strip (PNG)" },
    device: { type: "string", choices: DEVICE_NAMES, default: "auto", description: "where to run" },
    force: { type: "boolean", description: "replace an existing --out" },
    "allow-plugins": ALLOW_PLUGINS_FLAG,
    align: {
      type: "boolean",
      description:
        "FFHQ-align the photo's face first (<out>.aligned.png) and paste each full-model edit back " +
        "into the photo (<out>.pasted.png, or <out>.pasted.<k>.png per γ)",
    },
  },
  positionals: { min: 1, max: 1, names: "image" },
} as const;

/**
 * Parses `-3,-1.5,0` into numbers.
 *
 * @param text the list
 * @param name the flag, for the message
 * @returns the numbers
 * @throws {UsageError} naming the flag and the text when an entry is not a finite number or the list is empty
 * @example
 * ```ts
 * import { parseNumberList } from "./edit.ts";
 * console.log(parseNumberList("-3, 0,1.5", "gammas")); // [-3, 0, 1.5]
 * ```
 */
export function parseNumberList(text: string, name: string): number[] {
  const entries = text.split(",").map((v) => v.trim());
  const values = entries.map((v) => (v === "" ? NaN : Number(v)));
  if (!values.length || values.some((v) => !Number.isFinite(v))) {
    throw new UsageError(`--${name} must be a comma-separated list of numbers, got "${text}"`);
  }
  return values;
}

/** Parses `7-8` (inclusive) into the official [start, end) rows. */
function parseLayers(text: string): { start: number; end: number } {
  const match = /^(\d+)(?:-(\d+))?$/.exec(text);
  if (!match) throw new UsageError(`--layers must look like 7-8 or 7, got "${text}"`);
  const start = Number(match[1]), last = Number(match[2] ?? match[1]);
  if (last < start) throw new UsageError(`--layers ${text}: the last row is before the first`);
  return { start, end: last + 1 };
}

/** The strengths of `--gammas`, checked. */
function parseGammas(text: string): number[] {
  const gammas = parseNumberList(text, "gammas");
  if (gammas.length > MAX_GAMMAS) {
    throw new UsageError(`--gammas has ${gammas.length} values; at most ${MAX_GAMMAS}`);
  }
  const wild = gammas.find((gamma) => Math.abs(gamma) > MAX_GAMMA);
  if (wild !== undefined) throw new UsageError(`--gammas: ${wild} is beyond ±${MAX_GAMMA}`);
  return gammas;
}

/**
 * The paths `edit --align` writes beside `--out`: the aligned face and one pasted photo per γ.
 *
 * @param out the strip's path
 * @param gammas how many γ
 * @returns the aligned face's path and the pasted photos' paths, in the γ order
 * @example
 * ```ts
 * import { alignOutputs } from "./edit.ts";
 * console.log(alignOutputs("out/edit.png", 2)); // { aligned: "out/edit.aligned.png", pasted: ["out/edit.pasted.0.png", "out/edit.pasted.1.png"] }
 * ```
 */
export function alignOutputs(out: string, gammas: number): { aligned: string; pasted: string[] } {
  const stem = out.replace(/\.png$/i, "");
  return {
    aligned: `${stem}.aligned.png`,
    pasted: gammas === 1
      ? [`${stem}.pasted.png`]
      : Array.from({ length: gammas }, (_, k) => `${stem}.pasted.${k}.png`),
  };
}

/** Checks the outputs of `--align` as `--out` is checked, and that none is the input photo. */
async function checkAlignOutputs(image: string, paths: readonly string[], force: boolean): Promise<void> {
  if (isInversionFile(image)) {
    throw new UsageError(`--align needs a photo; "${image}" is an inversion file`);
  }
  const slash = image.lastIndexOf("/");
  const { isInput } = await planOutputNames([image], slash < 0 ? "." : image.slice(0, slash) || "/", []);
  for (const path of paths) {
    if (await isInput(path)) throw new UsageError(`The output "${path}" would replace the input photo`);
    await checkOutputFile(path, { force });
  }
}

/**
 * The command.
 *
 * @param args command-line arguments
 * @returns exit status (0 written, 2 bad usage or nothing written)
 */
export function main(args: readonly string[]): Promise<number> {
  return runCommand(SPEC, args, async (flags, [image]) => {
    const { direction: directionSpec, ganspace, model: modelPath, out } = flags;
    if (!directionSpec === !ganspace) {
      throw new UsageError("Give one of --direction SPEC or --ganspace PCA");
    }
    if (!ganspace && (flags.component !== undefined || flags.layers !== undefined)) {
      throw new UsageError("--component and --layers apply only to --ganspace");
    }
    const gammas = parseGammas(flags.gammas);
    const layers = flags.layers === undefined ? undefined : parseLayers(flags.layers);
    checkDevice(flags.device);
    await checkInputFile(image, "image");
    await checkOutputFile(out, { force: flags.force });
    const pasteOutputs = flags.align ? alignOutputs(out, gammas.length) : null;
    if (pasteOutputs) {
      await checkAlignOutputs(image, [pasteOutputs.aligned, ...pasteOutputs.pasted], flags.force);
    }
    const model = await loadHyperInverter(modelPath, {
      device: flags.device,
      allowPlugins: flags["allow-plugins"],
    });
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
      const component = flags.component ?? 0;
      const { start, end } = layers ?? { start: 0, end: rows };
      if (end > rows) {
        throw new UsageError(`--layers ${flags.layers}: the model has W+ rows 0-${rows - 1}`);
      }
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
    let face: AlignedPhotoFace | null = null;
    if (pasteOutputs) {
      try {
        [face] = await alignPhoto(image, await FaceDetector.load(), { size });
      } catch (error) {
        throw new Error(`Cannot align "${image}" for --align: ${(error as Error).message}`);
      }
      await writeRgbPng(pasteOutputs.aligned, face.image);
    }
    const input = face
      ? await invertAligned(model, face.image)
      : await inversionOfInput(image, model, modelPath);
    const inversion = {
      wCodes: { data: input.inversion.ws },
      residuals: new Map([...input.inversion.residuals].map(([name, data]) => [name, { data }])),
      provider: input.provider,
    };
    const phaseOneRow: (Float32Array | null)[] = [input.image];
    const fullRow: (Float32Array | null)[] = [null];
    for (const gamma of gammas) {
      const ws = edit(inversion.wCodes.data, gamma);
      phaseOneRow.push((await model.synthesize(ws, null, 1)).data);
      fullRow.push((await model.synthesize(ws, inversion.residuals, 1)).data);
    }
    if (face && pasteOutputs) {
      for (const [k, path] of pasteOutputs.pasted.entries()) {
        const edited = { data: toRgbBytes(fullRow[k + 1]!, [1, 3, size, size]), width: size, height: size };
        await writePastedPhoto(path, image, face.quad, edited);
      }
    }
    const strip = imageGrid([phaseOneRow, fullRow], size);
    await writePng(out, strip.data, strip.shape);
    console.log(
      `${out}: ${label}, γ = ${
        gammas.join(", ")
      } (columns after the input); top: phase I, bottom: full model ` +
        `(ΔW reused) on ${inversion.provider}` +
        (pasteOutputs ? `; pasted into the photo: ${pasteOutputs.pasted.join(", ")}` : ""),
    );
    return EXIT_OK;
  });
}

if (import.meta.main) Deno.exit(await main(Deno.args));
