/**
 * The data a trainer command reads: its `--data` flag (relative to the current directory) or else its config's
 * `data` field (relative to the config file), resolved to a source and opened at the model's resolution and
 * channels, unreadable files reported on stderr.
 *
 * @module
 */

import { type DataSource, type DataSplits, resolveDataSource } from "./source.ts";

/** Options of {@linkcode openTrainingData}. */
export interface OpenTrainingDataOptions {
  /** The command line's `--data`, if given (wins over the config). */
  flag?: string;
  /** The config's `data` value (`null` for the default, Fashion-MNIST). */
  config?: unknown;
  /** The config file's path, which the config's relative folders and modules resolve against. */
  configPath?: string;
  /** Side of the images. */
  resolution: number;
  /** 1 grayscale, 3 RGB. */
  channels: 1 | 3;
  /** Receives warnings (default `console.warn`). */
  onWarning?: (message: string) => void;
}

/**
 * Resolves and opens a trainer's data.
 *
 * @param options the flag, the config's value and path, resolution and channels
 * @returns the source (its `name` for logs and provenance) and its splits
 * @throws the errors of `resolveDataSource` and of the source's `open`
 * @example
 * ```ts
 * import { openTrainingData } from "./training_data.ts";
 * const folder = await Deno.makeTempDir();
 * await Deno.writeTextFile(`${folder}/data.js`, `export const flat = { name: "flat", open: async ({ resolution, channels }) => {
 *   const split = { count: 2, batch: (i) => new Float32Array(i.length * channels * resolution * resolution) };
 *   return { train: split, validation: split, test: split };
 * } };`);
 * const { splits } = await openTrainingData({ config: "./data.js#flat", configPath: `${folder}/config.json`, resolution: 8, channels: 1 });
 * console.log(splits.train.count); // 2
 * ```
 */
export async function openTrainingData(
  options: OpenTrainingDataOptions,
): Promise<{ source: DataSource; splits: DataSplits }> {
  const source = options.flag !== undefined
    ? await resolveDataSource(options.flag, { base: `${Deno.cwd()}/` })
    : await resolveDataSource(options.config ?? null, { base: options.configPath });
  const splits = await source.open({
    resolution: options.resolution,
    channels: options.channels,
    onWarning: options.onWarning ?? ((message) => console.warn(message)),
  });
  return { source, splits };
}
