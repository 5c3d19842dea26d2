/**
 * Fashion-MNIST as a {@linkcode DataSource} (the built-in `"fashion-mnist"`): the 28×28 grey images zero-padded,
 * centred, to the asked resolution (≥ 28), grey replicated to RGB when 3 channels are asked; `train` (55,000),
 * `validation` (5,000) and the official test file as `test` (10,000), with their labels.
 *
 * @module
 */

import { type FashionMnist, loadFashionMnist, toTensorBatch } from "./fashion_mnist.ts";
import type { DataSource, DataSplit, OpenDataOptions } from "./source.ts";
import type { ImageSplit } from "./fashion_mnist.ts";

/** Loaded datasets by padded size, shared by every open in this process (70 MB at 32²). */
const loaded = new Map<string, Promise<FashionMnist>>();

function split(images: ImageSplit, channels: 1 | 3): DataSplit {
  return {
    count: images.count,
    batch: (indices) => toTensorBatch(images, indices, { channels }),
    labels: images.labels,
  };
}

/**
 * Makes a Fashion-MNIST source reading from a folder.
 *
 * @param directory folder with the four IDX files (default: the Debian package's)
 * @returns the source
 * @example
 * ```ts ignore
 * import { fashionMnistFrom } from "./fashion_mnist_source.ts";
 * const { train } = await fashionMnistFrom().open({ resolution: 32, channels: 3 });
 * console.log(train.count, train.batch(Int32Array.of(0)).length); // 55000 3072
 * ```
 */
export function fashionMnistFrom(directory?: string): DataSource {
  return {
    name: "fashion-mnist",
    async open(options: OpenDataOptions) {
      const key = `${directory ?? ""}\0${options.resolution}`;
      if (!loaded.has(key)) {
        const loading = loadFashionMnist({ directory, padTo: options.resolution });
        loading.catch(() => loaded.delete(key));
        loaded.set(key, loading);
      }
      const data = await loaded.get(key)!;
      return {
        train: split(data.train, options.channels),
        validation: split(data.validation, options.channels),
        test: split(data.test, options.channels),
      };
    },
  };
}

/**
 * The built-in `"fashion-mnist"` source (the Debian package's files).
 *
 * @example
 * ```ts ignore
 * import { fashionMnistSource } from "./fashion_mnist_source.ts";
 * const { test } = await fashionMnistSource.open({ resolution: 32, channels: 1 });
 * console.log(test.count, test.labels?.[0]); // 10000 9
 * ```
 */
export const fashionMnistSource: DataSource = fashionMnistFrom();
