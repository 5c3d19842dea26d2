/**
 * Images to and from tensors: NCHW float32 in [−1, 1] (the generator's range) ↔ 8-bit RGB files, via sharp.
 *
 * @module
 */

import { loadSharp } from "../deps.ts";
import { writeFileAtomic } from "./atomic_write.ts";

/**
 * Converts one image of an NCHW batch from [−1, 1] to interleaved 8-bit RGB (clamped, rounded), as
 * `(x + 1) · 127.5`.
 *
 * @param data NCHW values
 * @param shape [B, 3, H, W]
 * @param index which image of the batch
 * @returns HWC bytes
 * @example
 * ```ts
 * import { toRgbBytes } from "./image.ts";
 * console.log(toRgbBytes(new Float32Array([-1, 0, 1]), [1, 3, 1, 1])); // Uint8Array [0, 128, 255]
 * ```
 */
export function toRgbBytes(data: Float32Array, shape: readonly number[], index = 0): Uint8Array {
  const [batch, channels, height, width] = shape;
  if (shape.length !== 4 || channels !== 3) {
    throw new TypeError(`Expected an RGB batch [B, 3, H, W], got [${shape}]`);
  }
  if (!Number.isInteger(index) || index < 0 || index >= batch) {
    throw new RangeError(`Image index ${index} is not in [0, ${batch})`);
  }
  const plane = height * width;
  const out = new Uint8Array(plane * 3);
  const base = index * 3 * plane;
  for (let c = 0; c < 3; c++) {
    for (let p = 0; p < plane; p++) {
      const v = Math.round((data[base + c * plane + p] + 1) * 127.5);
      out[p * 3 + c] = v < 0 ? 0 : v > 255 ? 255 : v; // NaN becomes 0
    }
  }
  return out;
}

/**
 * Writes one image of an NCHW batch in [−1, 1] as a PNG file, atomically.
 *
 * @param path output path
 * @param data NCHW values
 * @param shape [B, 3, H, W]
 * @param index which image of the batch (default 0)
 * @returns when the file is written
 */
export async function writePng(
  path: string,
  data: Float32Array,
  shape: readonly number[],
  index = 0,
): Promise<void> {
  const sharp = await loadSharp();
  const [, , height, width] = shape;
  const png = await sharp(toRgbBytes(data, shape, index), { raw: { width, height, channels: 3 } }).png()
    .toBuffer();
  await writeFileAtomic(path, new Uint8Array(png.buffer, png.byteOffset, png.byteLength));
}
