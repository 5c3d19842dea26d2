/**
 * A folder of one's own images as a {@linkcode DataSource}: every PNG, JPEG, WebP, GIF, TIFF or AVIF file under the
 * folder (recursively; hidden files and folders skipped), of any size, decoded as PIL's `convert("RGB")` (or
 * `convert("L")` for one channel), centre-cropped to a square as torchvision's `CenterCrop` and resized to the
 * model's resolution with PIL's bilinear `resize`, bit for bit (`io/pil_resize.ts`, the resize of inference).
 *
 * - Split: each file goes to `test`, `validation` or `train` by the SHA-256 of its relative path (`/`-separated)
 *   read as a number in [0, 1): below `testFraction` → test, below `testFraction + validationFraction` →
 *   validation, else train (defaults 5 % / 5 % / 90 %). A file's split depends only on its own path, so adding
 *   files never moves existing ones. Within a split, files are in path order.
 * - Cache: the decoded, cropped, resized bytes of each file are written atomically to
 *   `<folder>/.hyperinverter-cache/<sha256 of key>.u8` (or `cacheDirectory`), the key holding the relative path,
 *   file size, mtime, crop and resize method, resolution and channels; a second open reads them without decoding.
 * - Memory: images are held in memory up to `memoryBudgetBytes` (default 256 MiB) in all; the others are read
 *   from the cache by each batch.
 * - Unreadable files: one warning line each (`onWarning`), then a count; they are skipped.
 *
 * @module
 */

import { decodeImage } from "../../io/image.ts";
import { pilResize, type Pixels8 } from "../../io/pil_resize.ts";
import { writeFileAtomic } from "../../io/atomic_write.ts";
import type { DataSource, DataSplit, DataSplits, OpenDataOptions } from "./source.ts";

/** File extensions read as images (lower case). */
export const IMAGE_EXTENSIONS: readonly string[] = [
  ".png",
  ".jpg",
  ".jpeg",
  ".webp",
  ".gif",
  ".tif",
  ".tiff",
  ".avif",
];

/** Name of the cache folder made inside the image folder (hidden, so never listed as data). */
export const CACHE_FOLDER = ".hyperinverter-cache";

/** Bumped when the preprocessing changes, so that old cache entries are not read. */
const CACHE_VERSION = 1;

/** Options of {@linkcode imageFolderSource}. */
export interface ImageFolderOptions {
  /** Share of files in validation (default 0.05). */
  validationFraction?: number;
  /** Share of files in test (default 0.05). */
  testFraction?: number;
  /** Where decoded images are cached (default `<folder>/.hyperinverter-cache`). */
  cacheDirectory?: string;
  /** Bytes of images held in memory (default 256 MiB); the others are read from the cache per batch. */
  memoryBudgetBytes?: number;
}

/** What an opened image folder gives: the splits and what opening it cost. */
export interface ImageFolderSplits extends DataSplits {
  /** Files decoded in this open (not found in the cache). */
  decoded: number;
  /** Files read from the cache. */
  cached: number;
  /** Relative paths of the unreadable files that were skipped. */
  skipped: string[];
}

/** Which split a file belongs to. */
export type SplitName = "train" | "validation" | "test";

/**
 * The split of a file, from the SHA-256 of its relative path.
 *
 * @param relativePath path inside the folder, `/`-separated
 * @param fractions `validationFraction`, `testFraction` (defaults 0.05 each)
 * @returns the split
 * @example
 * ```ts
 * import { splitOf } from "./image_folder.ts";
 * console.log(["train", "validation", "test"].includes(await splitOf("cats/1.png"))); // true
 * ```
 */
export async function splitOf(
  relativePath: string,
  fractions: { validationFraction?: number; testFraction?: number } = {},
): Promise<SplitName> {
  const digest = new Uint8Array(
    await crypto.subtle.digest("SHA-256", new TextEncoder().encode(relativePath)),
  );
  const unit = new DataView(digest.buffer).getUint32(0) / 2 ** 32; // [0, 1)
  const test = fractions.testFraction ?? 0.05, validation = fractions.validationFraction ?? 0.05;
  return unit < test ? "test" : unit < test + validation ? "validation" : "train";
}

/** Python's `round` (half to even), which torchvision's `CenterCrop` uses for the crop offset. */
function roundHalfEven(x: number): number {
  const floor = Math.floor(x), fraction = x - floor;
  if (fraction !== 0.5) return Math.round(x);
  return floor % 2 === 0 ? floor : floor + 1;
}

/**
 * Centre-crops interleaved 8-bit pixels to a square (torchvision's `CenterCrop(min(W, H))`: offset
 * `round((W − side) / 2)`, half to even) and resizes it to `resolution`² with PIL's bilinear filter.
 *
 * @param image interleaved pixels
 * @param resolution output side
 * @returns `resolution`² interleaved pixels with the input's channels
 * @example
 * ```ts
 * import { centreCropResize } from "./image_folder.ts";
 * const image = { data: new Uint8Array([0, 50, 100, 150, 200, 250]), width: 3, height: 2, channels: 1 };
 * console.log(centreCropResize(image, 1).data); // Uint8Array(1) [ 100 ]
 * ```
 */
export function centreCropResize(image: Pixels8, resolution: number): Pixels8 {
  const { width, height, channels } = image;
  const side = Math.min(width, height);
  const left = roundHalfEven((width - side) / 2), top = roundHalfEven((height - side) / 2);
  let cropped = image;
  if (side !== width || side !== height) {
    const data = new Uint8Array(side * side * channels);
    for (let y = 0; y < side; y++) {
      const from = ((top + y) * width + left) * channels;
      data.set(image.data.subarray(from, from + side * channels), y * side * channels);
    }
    cropped = { data, width: side, height: side, channels };
  }
  return side === resolution ? cropped : pilResize(cropped, [resolution, resolution]);
}

/**
 * PIL's `convert("L")` of interleaved RGB: `(R·19595 + G·38470 + B·7471 + 0x8000) >> 16` (Pillow `Convert.c`).
 *
 * @param rgb interleaved RGB bytes
 * @returns one byte per pixel
 * @example
 * ```ts
 * import { rgbToGrey } from "./image_folder.ts";
 * console.log(rgbToGrey(new Uint8Array([255, 0, 0, 10, 20, 30]))); // Uint8Array(2) [ 76, 18 ]
 * ```
 */
export function rgbToGrey(rgb: Uint8Array): Uint8Array {
  const grey = new Uint8Array(rgb.length / 3);
  for (let i = 0; i < grey.length; i++) {
    grey[i] = (rgb[3 * i] * 19595 + rgb[3 * i + 1] * 38470 + rgb[3 * i + 2] * 7471 + 0x8000) >>> 16;
  }
  return grey;
}

/** uint8 → float32 as `ToTensor()` then `Normalize(0.5, 0.5)`, each step rounded to float32. */
const NORMALIZED = Float32Array.from(
  { length: 256 },
  (_, u) => Math.fround(Math.fround(u / 255) - 0.5) / 0.5,
);

/** Every image file under `folder`, relative, `/`-separated, sorted; hidden entries skipped, links not followed. */
async function listImages(folder: string): Promise<string[]> {
  const found: string[] = [];
  const walk = async (relative: string) => {
    for await (const entry of Deno.readDir(relative ? `${folder}/${relative}` : folder)) {
      if (entry.name.startsWith(".")) continue;
      const path = relative ? `${relative}/${entry.name}` : entry.name;
      if (entry.isDirectory) await walk(path);
      else if (entry.isFile || entry.isSymlink) {
        const dot = entry.name.lastIndexOf(".");
        if (dot > 0 && IMAGE_EXTENSIONS.includes(entry.name.slice(dot).toLowerCase())) found.push(path);
      }
    }
  };
  await walk("");
  return found.sort();
}

async function sha256Hex(text: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** One preprocessed image: where its bytes are cached, and the bytes when held in memory. */
interface Entry {
  cacheFile: string;
  bytes?: Uint8Array;
}

/**
 * Makes a data source of a folder of images (see the module documentation).
 *
 * @param folder the image folder (absolute, or relative to the current directory)
 * @param options split fractions, cache folder, memory budget
 * @returns the source; its `open` gives {@linkcode ImageFolderSplits}
 * @throws {RangeError} from `open` when the folder has no readable image in `train`
 * @throws {Deno.errors.NotFound} from `open` when the folder does not exist
 * @example
 * ```ts
 * import { imageFolderSource } from "./image_folder.ts";
 * import { writePng } from "../../io/image.ts";
 * const folder = await Deno.makeTempDir();
 * for (let i = 0; i < 8; i++) {
 *   await writePng(`${folder}/${i}.png`, new Float32Array(3 * 8 * 6).fill(i / 8), [1, 3, 8, 6]);
 * }
 * const splits = await imageFolderSource(folder).open({ resolution: 4, channels: 3 });
 * console.log(splits.train.batch(Int32Array.of(0)).length); // 48
 * ```
 */
export function imageFolderSource(folder: string, options: ImageFolderOptions = {}): DataSource {
  const fractions = { validationFraction: options.validationFraction, testFraction: options.testFraction };
  const cacheDirectory = options.cacheDirectory ?? `${folder}/${CACHE_FOLDER}`;
  const budget = options.memoryBudgetBytes ?? 256 * 2 ** 20;
  return {
    name: folder,
    async open(open: OpenDataOptions): Promise<ImageFolderSplits> {
      const { resolution, channels } = open;
      if (!Number.isInteger(resolution) || resolution < 1) {
        throw new RangeError(
          `Image folder ${folder}: resolution must be a positive integer, got ${resolution}`,
        );
      }
      if (channels !== 1 && channels !== 3) {
        throw new RangeError(`Image folder ${folder}: channels must be 1 or 3, got ${channels}`);
      }
      try {
        if (!(await Deno.stat(folder)).isDirectory) throw new Deno.errors.NotFound();
      } catch (error) {
        if (!(error instanceof Deno.errors.NotFound)) throw error;
        throw new Deno.errors.NotFound(`Image folder ${folder} does not exist or is not a folder`);
      }
      const imageBytes = resolution * resolution * channels;
      const entries: Record<SplitName, Entry[]> = { train: [], validation: [], test: [] };
      const skipped: string[] = [];
      let decoded = 0, cached = 0, held = 0;
      await Deno.mkdir(cacheDirectory, { recursive: true });
      for (const relative of await listImages(folder)) {
        const path = `${folder}/${relative}`;
        try {
          const stat = await Deno.stat(path);
          const key = JSON.stringify({
            version: CACHE_VERSION,
            path: relative,
            size: stat.size,
            mtime: stat.mtime?.getTime() ?? null,
            crop: "centre-square",
            resize: "pil-bilinear",
            resolution,
            channels,
          });
          const cacheFile = `${cacheDirectory}/${await sha256Hex(key)}.u8`;
          let bytes: Uint8Array | undefined = await Deno.readFile(cacheFile).catch(() => undefined);
          if (bytes?.length === imageBytes) cached++;
          else {
            const image = await decodeImage(await Deno.readFile(path), { source: path });
            const pixels = channels === 1 ? rgbToGrey(image.rgb) : image.rgb;
            const square = { data: pixels, width: image.width, height: image.height, channels };
            const resized = centreCropResize(square, resolution).data;
            await writeFileAtomic(cacheFile, resized);
            bytes = resized;
            decoded++;
          }
          const keep = held + imageBytes <= budget; // bounded memory: the rest is read from the cache per batch
          if (keep) held += imageBytes;
          entries[await splitOf(relative, fractions)].push({ cacheFile, bytes: keep ? bytes : undefined });
        } catch (error) {
          skipped.push(relative);
          open.onWarning?.(`Skipped unreadable image ${path}: ${(error as Error).message}`);
        }
      }
      if (skipped.length) {
        open.onWarning?.(`${skipped.length} unreadable image file(s) skipped in ${folder}`);
      }
      if (!entries.train.length) {
        throw new RangeError(`Image folder ${folder} has no readable image in its train split`);
      }
      const split = (list: Entry[]): DataSplit => {
        return {
          count: list.length,
          batch(indices: Int32Array): Float32Array {
            const pixels = resolution * resolution;
            const out = new Float32Array(indices.length * channels * pixels); // [B, C, R, R]
            for (let b = 0; b < indices.length; b++) {
              const index = indices[b];
              if (!Number.isInteger(index) || index < 0 || index >= list.length) {
                throw new RangeError(
                  `Index ${index} (batch element ${b}) is outside the split of ${list.length} images`,
                );
              }
              const bytes = list[index].bytes ?? Deno.readFileSync(list[index].cacheFile); // [R, R, C]
              const first = b * channels * pixels;
              for (let p = 0; p < pixels; p++) {
                for (let c = 0; c < channels; c++) {
                  out[first + c * pixels + p] = NORMALIZED[bytes[p * channels + c]];
                }
              }
            }
            return out;
          },
        };
      };
      return {
        train: split(entries.train),
        validation: split(entries.validation),
        test: split(entries.test),
        decoded,
        cached,
        skipped,
      };
    },
  };
}
