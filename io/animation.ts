/**
 * Animated GIF or WebP from frames, with sharp (its `join: { animated }` input).
 *
 * @module
 */

import { loadSharp } from "../deps.ts";
import { toRgbBytes } from "./image.ts";
import { pathExists, writeFileAtomic } from "./atomic_write.ts";

/**
 * Writes frames as an animation that loops forever; the format follows the extension (`.gif` or `.webp`,
 * lossless).
 *
 * @param path output file (`.gif` or `.webp`)
 * @param frames each [3, H, W] in [−1, 1]
 * @param options `height`, `width`; `delayMs` per frame (default 120); `overwrite` (default false)
 * @example
 * ```ts
 * import { writeAnimation } from "./animation.ts";
 * const path = `${await Deno.makeTempDir()}/a.gif`;
 * const frames = [-1, 0, 1].map((v) => new Float32Array(3 * 4 * 4).fill(v));
 * await writeAnimation(path, frames, { height: 4, width: 4 });
 * console.log((await Deno.stat(path)).size > 0); // true
 * ```
 */
export async function writeAnimation(
  path: string,
  frames: readonly Float32Array[],
  options: { height: number; width: number; delayMs?: number; overwrite?: boolean },
): Promise<void> {
  const format = /\.gif$/i.test(path) ? "gif" : /\.webp$/i.test(path) ? "webp" : null;
  if (!format) throw new RangeError(`Animation "${path}" must end in .gif or .webp`);
  if (!frames.length) throw new RangeError("An animation needs at least one frame");
  if (!options.overwrite && await pathExists(path)) {
    throw new Deno.errors.AlreadyExists(`Refusing to overwrite "${path}" (pass --force to replace it)`);
  }
  const sharp = await loadSharp();
  const { height, width } = options;
  const shape = [1, 3, height, width];
  // One frame at a time: a bad frame must not leave other encodes running in sharp's threads (see cli/interpolate.ts).
  const pngs = [];
  for (const frame of frames) {
    pngs.push(
      await sharp(toRgbBytes(frame, shape), { raw: { width, height, channels: 3 } }).png().toBuffer(),
    );
  }
  const delay = frames.map(() => options.delayMs ?? 120);
  const joined = sharp(pngs, { join: { animated: true } });
  const bytes = format === "gif"
    ? await joined.gif({ loop: 0, delay }).toBuffer()
    : await joined.webp({ loop: 0, delay, lossless: true }).toBuffer();
  await writeFileAtomic(path, new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
}
