/**
 * Tiles same-size images into one picture (contact sheets, edit strips, interpolation strips).
 *
 * @module
 */

/**
 * Places tiles on a grid, row by row; a `null` tile stays background.
 *
 * @param tiles rows of tiles, each tile [3, size, size] in [−1, 1]
 * @param size tile side
 * @param options `background` value (default −1, black)
 * @returns the picture [1, 3, rows·size, columns·size] and its shape
 * @example
 * ```ts
 * import { imageGrid } from "./image_grid.ts";
 * const white = new Float32Array(3 * 2 * 2).fill(1);
 * const { shape, data } = imageGrid([[white, null], [null, white]], 2);
 * console.log(shape, data[0], data[2]); // [1, 3, 4, 4] 1 -1
 * ```
 */
export function imageGrid(
  tiles: readonly (readonly (Float32Array | null)[])[],
  size: number,
  options: { background?: number } = {},
): { data: Float32Array; shape: [number, number, number, number] } {
  const rows = tiles.length;
  const columns = Math.max(0, ...tiles.map((row) => row.length));
  if (!rows || !columns) throw new RangeError("An image grid needs at least one tile");
  const perTile = 3 * size * size;
  const height = rows * size, width = columns * size;
  const data = new Float32Array(3 * height * width).fill(options.background ?? -1); // [3, H, W]
  tiles.forEach((row, r) =>
    row.forEach((tile, c) => {
      if (!tile) return;
      if (tile.length !== perTile) {
        throw new TypeError(`Tile (${r}, ${c}) has ${tile.length} values, expected 3×${size}×${size}`);
      }
      for (let channel = 0; channel < 3; channel++) {
        for (let y = 0; y < size; y++) {
          const from = (channel * size + y) * size;
          data.set(tile.subarray(from, from + size), (channel * height + r * size + y) * width + c * size);
        }
      }
    })
  );
  return { data, shape: [1, 3, height, width] };
}
