import assert from "node:assert/strict";
import { factorGrid, type GridPoint } from "./factor_grid.ts";

const point = (fusion: string, D: number, sharing: string, seed: number, psnr: number | null): GridPoint => ({
  variant: `${fusion}_${D}_${sharing}_${seed}`,
  label: "",
  factors: { fusion, D, sharing, seed },
  metrics: psnr === null ? null : { psnr },
});

const POINTS = [
  point("cat", 4, "perLayer", 1, 20),
  point("cat", 4, "perLayer", 2, 21),
  point("cat", 4, "perLayer", 3, 22),
  point("cat", 4, "shared", 1, 10), // another configuration: never pooled with the perLayer repeats by default
  point("sum", 16, "perLayer", 1, null), // not evaluated: listed, not counted
];

Deno.test("a grid pools seed repeats (mean ± sample sd) and fixes other factors at their most common value", () => {
  const grid = factorGrid(POINTS, { rows: "fusion", columns: "D", metric: "psnr" });
  assert.deepEqual(grid.where, { sharing: "perLayer", seed: "*" });
  assert.deepEqual(grid.cells[0][0], {
    mean: 21,
    spread: 1,
    n: 3,
    variants: ["cat_4_perLayer_1", "cat_4_perLayer_2", "cat_4_perLayer_3"],
  });
  assert.deepEqual(grid.cells[1][1], { mean: null, spread: null, n: 0, variants: ["sum_16_perLayer_1"] });
  assert.deepEqual(grid.cells[0][1].variants, []);
  const shared = factorGrid(POINTS, {
    rows: "fusion",
    columns: "D",
    metric: "psnr",
    where: { sharing: "shared" },
  });
  assert.deepEqual([shared.cells[0][0].mean, shared.cells[0][0].spread], [10, null]);
  const one = factorGrid(POINTS, { rows: "fusion", columns: "D", metric: "psnr", where: { seed: 2 } });
  assert.equal(one.cells[0][0].mean, 21);
});

Deno.test("a grid with the same factor on both axes is refused", () => {
  assert.throws(() => factorGrid(POINTS, { rows: "D", columns: "D", metric: "psnr" }), RangeError);
});
