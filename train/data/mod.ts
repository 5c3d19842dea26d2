/**
 * Training data: the data-source contract (`source.ts`: Fashion-MNIST, image folders, plug-ins), the IDX reader, Fashion-MNIST splits (train / validation / held-out test) as padded grey
 * images and normalized float batches, and a seeded, resumable batch sampler.
 *
 * @example
 * ```ts
 * import { BatchSampler, toTensorBatch } from "./mod.ts";
 * const split = { images: new Uint8Array(3 * 4).fill(255), labels: new Uint8Array([0, 1, 2]), count: 3, size: 2 };
 * const sampler = new BatchSampler(split.count, 2, 7);
 * console.log(toTensorBatch(split, sampler.next()).length); // 8
 * ```
 *
 * @module
 */

export { encodeIdx, type IdxArray, parseIdx, type ParseIdxOptions, readIdx } from "./idx.ts";
export {
  FASHION_MNIST_DIRECTORY,
  type FashionMnist,
  type ImageSplit,
  loadFashionMnist,
  type LoadFashionMnistOptions,
  toTensorBatch,
  type ToTensorBatchOptions,
} from "./fashion_mnist.ts";
export {
  BUILTIN_DATA_SOURCES,
  checkDataSource,
  checkDataSplits,
  DATA_SOURCE_CONTRACT,
  type DataSource,
  type DataSpec,
  type DataSplit,
  type DataSplits,
  DEFAULT_DATA_SOURCE,
  type FolderDataSpec,
  isPluginSpecifier,
  type OpenDataOptions,
  parseDataSpec,
  resolveDataSource,
  type ResolveDataSourceOptions,
} from "./source.ts";
export {
  CACHE_FOLDER,
  centreCropResize,
  IMAGE_EXTENSIONS,
  type ImageFolderOptions,
  imageFolderSource,
  type ImageFolderSplits,
  rgbToGrey,
  type SplitName,
  splitOf,
} from "./image_folder.ts";
export { fashionMnistFrom, fashionMnistSource } from "./fashion_mnist_source.ts";
export { BatchSampler, type BatchSamplerOptions, type SamplerState } from "./batches.ts";
export { sampleIndicesByClass } from "./class_samples.ts";
