/**
 * The input of `edit` and `interpolate`: an image to invert, or an inversion file that `invert` wrote.
 *
 * @module
 */

import { readImage } from "../io/image.ts";
import type { InversionCodes } from "../editing/interpolate.ts";
import type { HyperInverter } from "../model/hyperinverter.ts";
import { invertWithCodes, loadInversion } from "../model/compact_inversion.ts";

/** Whether a path names an inversion file rather than an image. */
export function isInversionFile(path: string): boolean {
  return /\.safetensors$/i.test(path);
}

/**
 * An input as an inversion: an inversion file read for the model (its ΔW recomputed from its codes when
 * needed), or an image inverted with its codes. `image` is what the strip shows at that end; `provider` what inverted it.
 *
 * @param path an image or an inversion `.safetensors`
 * @param model the model
 * @param modelPath what the model was loaded from
 * @returns the inversion and its picture
 */
export async function inversionOfInput(
  path: string,
  model: HyperInverter,
  modelPath: string,
): Promise<{ inversion: InversionCodes; image: Float32Array; provider: string }> {
  if (isInversionFile(path)) {
    const inversion = await loadInversion(path, model, modelPath);
    const wrapped = new Map([...inversion.residuals].map(([name, data]) => [name, { data }]));
    return {
      inversion,
      image: (await model.synthesize(inversion.ws, wrapped, 1)).data,
      provider: "(inversion file)",
    };
  }
  const image = await readImage(path, model.resolution);
  const result = await invertWithCodes(model, image.data, 1);
  const residuals = new Map([...result.residuals].map(([name, array]) => [name, array.data]));
  return {
    inversion: { ws: result.wCodes.data, residuals, codes: result.codes },
    image: image.data,
    provider: result.provider,
  };
}
