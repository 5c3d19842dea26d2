/**
 * `deno task interpolate <imageA> <imageB> [--steps 8] [--model models/default/model.json] [--out interpolation.png]
 *  [--animation interpolation.gif|.webp] [--device auto] [--force]`
 *
 * Real-image interpolation (paper §4.6, spec §7): inverts both images, then for t = 0 … 1 renders
 * G(lerp(w_A, w_B, t), θ + lerp(ΔW_A, ΔW_B, t)) — both the latent and every layer's weight residual interpolated —
 * and the latent-only baseline G(lerp(w_A, w_B, t)). The strip has the inputs at both ends, the top row ours and
 * the bottom row the baseline; the optional animation shows ours, forth and back.
 *
 * @module
 */

import { pathExists } from "../io/atomic_write.ts";
import { readImage, writePng } from "../io/image.ts";
import { imageGrid } from "../io/image_grid.ts";
import { writeAnimation } from "../io/animation.ts";
import { loadHyperInverter } from "../model/load.ts";
import { interpolateInversions } from "../editing/interpolate.ts";
import { option, positionals } from "./_args.ts";

/**
 * The command.
 *
 * @param args command-line arguments
 * @returns exit status (0 done, 1 failed, 2 bad arguments)
 */
export async function main(args: readonly string[]): Promise<number> {
  const positional = positionals(args);
  if (positional.length !== 2) {
    console.error(
      "Usage: deno task interpolate <imageA> <imageB> [--steps 8] [--model M] [--out strip.png] " +
        "[--animation a.gif|a.webp] [--force]",
    );
    return 2;
  }
  const modelPath = option(args, "model") ?? "models/default/model.json";
  const out = option(args, "out") ?? "interpolation.png";
  const animation = option(args, "animation");
  const force = args.includes("--force");
  try {
    const steps = Number(option(args, "steps") ?? "8");
    if (!Number.isInteger(steps) || steps < 2 || steps > 256) {
      throw new RangeError(`--steps must be an integer in 2…256, got ${option(args, "steps")}`);
    }
    for (const path of [out, animation]) {
      if (path && !force && await pathExists(path)) {
        throw new Deno.errors.AlreadyExists(`Refusing to overwrite "${path}" (pass --force to replace it)`);
      }
    }
    if (animation && !/\.(gif|webp)$/i.test(animation)) {
      throw new RangeError(`--animation must end in .gif or .webp, got "${animation}"`);
    }
    const model = await loadHyperInverter(modelPath, { device: option(args, "device") ?? "auto" });
    const size = model.resolution;
    // One after the other: with Promise.all, a failing read would leave the other decode running in sharp's
    // threads after the command returned, and a process that goes on (a test runner) could crash when it lands.
    const a = await readImage(positional[0], size);
    const b = await readImage(positional[1], size);
    const codes = [];
    for (const image of [a, b]) {
      const inversion = await model.invert(image.data, 1);
      const residuals = new Map([...inversion.residuals].map(([name, array]) => [name, array.data]));
      codes.push({ ws: inversion.wCodes.data, residuals });
    }
    const ours = interpolateInversions(codes[0], codes[1], steps);
    const baseline = interpolateInversions(codes[0], codes[1], steps, { latentOnly: true });
    const wrap = (residuals: ReadonlyMap<string, Float32Array>) =>
      new Map([...residuals].map(([name, data]) => [name, { data }]));
    const oursRow: Float32Array[] = [], baselineRow: Float32Array[] = [];
    for (let k = 0; k < steps; k++) {
      oursRow.push((await model.synthesize(ours[k].ws, wrap(ours[k].residuals), 1)).data);
      baselineRow.push((await model.synthesize(baseline[k].ws, null, 1)).data);
    }
    const strip = imageGrid([[a.data, ...oursRow, b.data], [a.data, ...baselineRow, b.data]], size);
    await writePng(out, strip.data, strip.shape);
    if (animation) {
      const frames = [...oursRow, ...oursRow.slice(1, -1).reverse()];
      await writeAnimation(animation, frames, { height: size, width: size, overwrite: force });
    }
    console.log(
      `${out}: ${steps} steps; top: w and ΔW interpolated (ours), bottom: w only (baseline)` +
        (animation ? `; animation ${animation}` : ""),
    );
    return 0;
  } catch (error) {
    console.error(`interpolate: ${(error as Error).message}`);
    return 1;
  }
}

if (import.meta.main) Deno.exit(await main(Deno.args));
