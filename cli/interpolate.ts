/**
 * `deno task interpolate <imageA> <imageB> [--steps 8] [--model data/models/default/model.json] [--out interpolation.png]
 *  [--animation interpolation.gif|.webp] [--device auto] [--force] [--allow-plugins]`
 *
 * Real-image interpolation (paper §4.6, spec §7): inverts both images, then for t = 0 … 1 renders
 * G(lerp(w_A, w_B, t), θ + lerp(ΔW_A, ΔW_B, t)) — both the latent and every layer's weight residual interpolated —
 * and the latent-only baseline G(lerp(w_A, w_B, t)). The strip has the inputs at both ends, the top row ours and
 * the bottom row the baseline; the optional animation shows ours, forth and back.
 *
 * The flags, both images and the outputs are checked before the model loads. Exit status 0 written, 2 bad usage
 * or nothing written.
 *
 * @module
 */

import { writePng } from "../io/image.ts";
import { imageGrid } from "../io/image_grid.ts";
import { writeAnimation } from "../io/animation.ts";
import { loadHyperInverter } from "../model/load.ts";
import { interpolateAt, interpolateCodesAt, interpolateInversions } from "../editing/interpolate.ts";
import type { InversionCodes } from "../editing/interpolate.ts";
import type { HyperInverter } from "../model/hyperinverter.ts";
import { residualsFromCodes } from "../model/compact_inversion.ts";
import { inversionOfInput } from "./_inversion_input.ts";
import { DEVICE_NAMES } from "../runtime/devices.ts";
import { checkDevice } from "./_device.ts";
import { EXIT_OK, runCommand, UsageError } from "../io/command_line.ts";
import { checkInputFile, checkOutputFile } from "../io/output_check.ts";
import { ALLOW_PLUGINS_FLAG } from "./_model_flags.ts";

const SPEC = {
  name: "interpolate",
  usage: "deno task interpolate <imageA> <imageB> [--steps 8] [--model M] [--out interpolation.png] " +
    "[--animation a.gif|a.webp] [--device auto] [--force] [--allow-plugins]",
  description:
    "Real-image interpolation of w and every ΔW (ours, top) above the latent-only baseline (bottom).",
  flags: {
    steps: { type: "integer", min: 2, max: 256, default: 8, description: "frames from A to B" },
    model: {
      type: "string",
      valueName: "M",
      default: "data/models/default/model.json",
      description: "model.json",
    },
    out: { type: "string", valueName: "FILE", default: "interpolation.png", description: "the strip (PNG)" },
    animation: { type: "string", valueName: "FILE", description: "also a looping .gif or .webp of ours" },
    device: { type: "string", choices: DEVICE_NAMES, default: "auto", description: "where to run" },
    force: { type: "boolean", description: "replace existing outputs" },
    "allow-plugins": ALLOW_PLUGINS_FLAG,
  },
  positionals: { min: 2, max: 2, names: "imageA, imageB" },
} as const;

/**
 * The frame at t: through the codes when both inversions carry them (v interpolated, then mapped to ΔW), else
 * through ΔW.
 *
 * @param model the model
 * @param a the first inversion
 * @param b the second inversion
 * @param t position in [0, 1]
 * @returns w and ΔW at t
 */
export async function frameAt(
  model: HyperInverter,
  a: InversionCodes,
  b: InversionCodes,
  t: number,
): Promise<InversionCodes> {
  if (!a.codes || !b.codes) return interpolateAt(a, b, t);
  const frame = interpolateCodesAt({ ws: a.ws, codes: a.codes }, { ws: b.ws, codes: b.codes }, t);
  return { ws: frame.ws, codes: frame.codes, residuals: await residualsFromCodes(model, frame.codes) };
}

/**
 * The command.
 *
 * @param args command-line arguments
 * @returns exit status (0 written, 2 bad usage or nothing written)
 */
export function main(args: readonly string[]): Promise<number> {
  return runCommand(SPEC, args, async (flags, positional) => {
    const { steps, out, animation, force } = flags;
    if (animation && !/\.(gif|webp)$/i.test(animation)) {
      throw new UsageError(`--animation must end in .gif or .webp, got "${animation}"`);
    }
    if (animation === out) throw new UsageError(`--animation and --out are the same file "${out}"`);
    checkDevice(flags.device);
    for (const image of positional) await checkInputFile(image, "image");
    for (const path of [out, animation]) if (path) await checkOutputFile(path, { force });
    const model = await loadHyperInverter(flags.model, {
      device: flags.device,
      allowPlugins: flags["allow-plugins"],
    });
    const size = model.resolution;
    // One after the other: with Promise.all, a failing read would leave the other decode running in sharp's
    // threads after the command returned, and a process that goes on (a test runner) could crash when it lands.
    const a = await inversionOfInput(positional[0], model, flags.model);
    const b = await inversionOfInput(positional[1], model, flags.model);
    const baseline = interpolateInversions(a.inversion, b.inversion, steps, { latentOnly: true });
    const wrap = (residuals: ReadonlyMap<string, Float32Array>) =>
      new Map([...residuals].map(([name, data]) => [name, { data }]));
    const oursRow: Float32Array[] = [], baselineRow: Float32Array[] = [];
    for (let k = 0; k < steps; k++) {
      const frame = await frameAt(model, a.inversion, b.inversion, k / (steps - 1));
      oursRow.push((await model.synthesize(frame.ws, wrap(frame.residuals), 1)).data);
      baselineRow.push((await model.synthesize(baseline[k].ws, null, 1)).data);
    }
    const strip = imageGrid([[a.image, ...oursRow, b.image], [a.image, ...baselineRow, b.image]], size);
    await writePng(out, strip.data, strip.shape);
    if (animation) {
      const frames = [...oursRow, ...oursRow.slice(1, -1).reverse()];
      await writeAnimation(animation, frames, { height: size, width: size, overwrite: force });
    }
    console.log(
      `${out}: ${steps} steps; top: w and ΔW interpolated (ours), bottom: w only (baseline)` +
        (animation ? `; animation ${animation}` : ""),
    );
    return EXIT_OK;
  });
}

if (import.meta.main) Deno.exit(await main(Deno.args));
