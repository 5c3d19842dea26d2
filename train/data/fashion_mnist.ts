/**
 * Fashion-MNIST (Xiao et al. 2017) as padded grey images: the official 60,000-image training file split
 * deterministically into `train` (first 55,000) and `validation` (last 5,000), and the official 10,000-image
 * `t10k` file as the held-out `test` split that no trainer sees.
 *
 * @module
 */

import { readIdx } from "./idx.ts";

/** Where the Debian package `dataset-fashion-mnist` installs the four `.gz` files. */
export const FASHION_MNIST_DIRECTORY = "/usr/share/datasets/fashion-mnist";

/** Side of the original images. */
const SOURCE_SIZE = 28;
/** Images of the official training file that go to `train`; the rest go to `validation`. */
const TRAIN_COUNT = 55_000;
/** Number of classes (T-shirt/top … ankle boot). */
const CLASS_COUNT = 10;

/** One split: `count` grey images of `size`×`size` and their labels. */
export interface ImageSplit {
  /** Row-major uint8 pixels, `[count, size, size]`, the 28×28 image centred and zero-padded. */
  images: Uint8Array;
  /** Class of each image, 0–9. */
  labels: Uint8Array;
  /** Number of images. */
  count: number;
  /** Side of each (square) image. */
  size: number;
}

/** The three splits of {@linkcode loadFashionMnist}. */
export interface FashionMnist {
  /** First 55,000 images of the official training file. */
  train: ImageSplit;
  /** Last 5,000 images of the official training file, for model selection. */
  validation: ImageSplit;
  /** The official 10,000-image test file: held out, never seen by a trainer. */
  test: ImageSplit;
}

/** Options of {@linkcode loadFashionMnist}. */
export interface LoadFashionMnistOptions {
  /** Folder with `train-images-idx3-ubyte[.gz]` etc. (default {@linkcode FASHION_MNIST_DIRECTORY}). */
  directory?: string;
  /** Side to zero-pad the 28×28 images to, centred (default 32, a power of two for the generator). */
  padTo?: number;
}

/** Reads `<stem>.gz` if present, else `<stem>`. */
async function readIdxFile(directory: string, stem: string, ndims: number) {
  for (const path of [`${directory}/${stem}.gz`, `${directory}/${stem}`]) {
    try {
      return await readIdx(path, { ndims });
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    }
  }
  throw new Deno.errors.NotFound(`Fashion-MNIST file ${directory}/${stem}[.gz] does not exist`);
}

/**
 * Loads one official file pair, checks that images and labels agree, and pads the images.
 *
 * @returns all images of the pair as one split
 */
async function loadPair(directory: string, prefix: string, padTo: number): Promise<ImageSplit> {
  const [images, labels] = await Promise.all([
    readIdxFile(directory, `${prefix}-images-idx3-ubyte`, 3),
    readIdxFile(directory, `${prefix}-labels-idx1-ubyte`, 1),
  ]);
  const [count, height, width] = images.dims;
  if (height !== SOURCE_SIZE || width !== SOURCE_SIZE) {
    throw new TypeError(`${directory}/${prefix}-images has ${height}×${width} images, expected 28×28`);
  }
  if (labels.dims[0] !== count) {
    throw new TypeError(
      `${directory}/${prefix}: ${count} images but ${labels.dims[0]} labels`,
    );
  }
  const badLabel = labels.data.findIndex((label) => label >= CLASS_COUNT);
  if (badLabel >= 0) {
    throw new RangeError(
      `${directory}/${prefix}-labels: label ${labels.data[badLabel]} at index ${badLabel} is not in 0–9`,
    );
  }
  const offset = (padTo - SOURCE_SIZE) >> 1; // 2 for 32: the digit stays centred
  const padded = new Uint8Array(count * padTo * padTo); // [N, S, S], zeros outside the image
  for (let n = 0; n < count; n++) {
    for (let y = 0; y < SOURCE_SIZE; y++) {
      const from = (n * SOURCE_SIZE + y) * SOURCE_SIZE;
      padded.set(
        images.data.subarray(from, from + SOURCE_SIZE),
        (n * padTo + y + offset) * padTo + offset,
      );
    }
  }
  return { images: padded, labels: labels.data.slice(), count, size: padTo };
}

/** Images `[start, end)` of a split as a new split that shares no memory with it. */
function sliceSplit(split: ImageSplit, start: number, end: number): ImageSplit {
  const pixels = split.size * split.size;
  return {
    images: split.images.slice(start * pixels, end * pixels),
    labels: split.labels.slice(start, end),
    count: end - start,
    size: split.size,
  };
}

/**
 * Loads Fashion-MNIST from the four official IDX files (gzip or raw) and pads every image to `padTo`².
 *
 * @param options `directory` (default {@linkcode FASHION_MNIST_DIRECTORY}), `padTo` (default 32)
 * @returns `train` (55,000), `validation` (5,000) and the held-out `test` (10,000)
 * @throws {Deno.errors.NotFound} if the directory is missing, saying how to install the dataset
 * @throws {RangeError} if `padTo` is not an integer ≥ 28
 * @throws {SyntaxError} if a file is not valid IDX (naming the file and sizes)
 *
 * @example
 * ```ts ignore
 * import { loadFashionMnist } from "./fashion_mnist.ts";
 * const { train, validation, test } = await loadFashionMnist();
 * console.log(train.count, validation.count, test.count, train.size); // 55000 5000 10000 32
 * ```
 */
export async function loadFashionMnist(options: LoadFashionMnistOptions = {}): Promise<FashionMnist> {
  const directory = options.directory ?? FASHION_MNIST_DIRECTORY;
  const padTo = options.padTo ?? 32;
  if (!Number.isInteger(padTo) || padTo < SOURCE_SIZE) {
    throw new RangeError(`padTo=${padTo} is not an integer ≥ ${SOURCE_SIZE}`);
  }
  try {
    if (!(await Deno.stat(directory)).isDirectory) throw new Deno.errors.NotFound();
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
    throw new Deno.errors.NotFound(
      `Fashion-MNIST directory ${directory} does not exist: install it with ` +
        "`apt-get install dataset-fashion-mnist` (Debian/Ubuntu) or pass `directory`",
    );
  }
  const [official, test] = await Promise.all([
    loadPair(directory, "train", padTo),
    loadPair(directory, "t10k", padTo),
  ]);
  if (official.count <= TRAIN_COUNT) {
    throw new RangeError(
      `${directory}/train has ${official.count} images, need more than ${TRAIN_COUNT} to split off validation`,
    );
  }
  return {
    train: sliceSplit(official, 0, TRAIN_COUNT),
    validation: sliceSplit(official, TRAIN_COUNT, official.count),
    test,
  };
}

/** Options of {@linkcode toTensorBatch}. */
export interface ToTensorBatchOptions {
  /** 1 for grey, 3 to replicate grey into RGB (default 1). */
  channels?: 1 | 3;
}

/**
 * uint8 → float32 as torchvision's `ToTensor()` then `Normalize(0.5, 0.5)`: each step rounded to float32
 * (`fround(fround(u / 255) − 0.5) / 0.5`), so values match PyTorch bit for bit.
 */
const NORMALIZED = Float32Array.from(
  { length: 256 },
  (_, u) => Math.fround(Math.fround(u / 255) - 0.5) / 0.5,
);

/**
 * Gathers images of a split into a float32 batch `[B, C, S, S]` in [−1, 1].
 *
 * @param split a split from {@linkcode loadFashionMnist}
 * @param indices images to take, in order (e.g. from a `BatchSampler`)
 * @param options `channels`: 1 (default) or 3 (grey replicated)
 * @returns a new Float32Array of length `B · C · S · S`
 * @throws {RangeError} for an index outside the split or a channel count other than 1 or 3
 *
 * @example
 * ```ts
 * import { toTensorBatch } from "./fashion_mnist.ts";
 * const split = { images: new Uint8Array([0, 255, 128, 0]), labels: new Uint8Array([3]), count: 1, size: 2 };
 * const batch = toTensorBatch(split, [0], { channels: 3 }); // [1, 3, 2, 2]
 * console.log(batch.length, batch[0], batch[1], batch[5]); // 12 -1 1 1
 * ```
 */
export function toTensorBatch(
  split: ImageSplit,
  indices: ArrayLike<number>,
  options: ToTensorBatchOptions = {},
): Float32Array {
  const channels = options.channels ?? 1;
  if (channels !== 1 && channels !== 3) {
    throw new RangeError(`channels=${channels} is not 1 or 3`);
  }
  const pixels = split.size * split.size;
  const out = new Float32Array(indices.length * channels * pixels); // [B, C, S, S]
  for (let b = 0; b < indices.length; b++) {
    const index = indices[b];
    if (!Number.isInteger(index) || index < 0 || index >= split.count) {
      throw new RangeError(
        `Index ${index} (batch element ${b}) is outside the split of ${split.count} images`,
      );
    }
    const image = split.images.subarray(index * pixels, (index + 1) * pixels);
    const first = b * channels * pixels;
    for (let p = 0; p < pixels; p++) out[first + p] = NORMALIZED[image[p]];
    for (let c = 1; c < channels; c++) out.copyWithin(first + c * pixels, first, first + pixels);
  }
  return out;
}

/**
 * A split as the trainers take it: its size and a batch function giving [B, 3, S, S] in [−1, 1].
 *
 * @param split a Fashion-MNIST split
 * @returns `{ count, batch(indices) }`
 * @example
 * ```ts
 * import { trainerSource } from "./fashion_mnist.ts";
 * const split = { images: new Uint8Array(2 * 32 * 32), labels: new Uint8Array(2), count: 2, size: 32 };
 * console.log(trainerSource(split).batch(Int32Array.from([1])).length); // 3072
 * ```
 */
export function trainerSource(
  split: ImageSplit,
): { count: number; batch: (indices: Int32Array) => Float32Array } {
  return { count: split.count, batch: (indices) => toTensorBatch(split, indices, { channels: 3 }) };
}
