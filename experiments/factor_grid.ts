/**
 * A suite's results as a grid by two of its factors (rows × columns, e.g. fusion × D), one metric per cell:
 * the factors not shown are either fixed to one value or pooled, and a cell that pools several variants (seed
 * repeats) shows their mean ± sample standard deviation. Pure functions: the suite page's island runs them in
 * the browser, the export route on the server, so both show the same numbers.
 *
 * @module
 */

import type { FactorPoint } from "./store.ts";

/** A factor's value. */
export type FactorValue = string | number;

/** One variant as the grid sees it. */
export interface GridPoint {
  variant: string;
  label: string;
  factors: FactorPoint;
  /** Metrics by key (`l2`, `psnr`, …); null when not evaluated. */
  metrics: Record<string, number | null> | null;
}

/** Which grid: the two factors shown, the metric, and what the other factors are set to. */
export interface GridOptions {
  rows: string;
  columns: string;
  metric: string;
  /**
   * Each other factor: one value (only variants with it count) or `"*"` (pooled: mean ± spread). Default
   * ({@linkcode defaultWhere}): repeat factors (`seed`, `repeat`, `run`) pooled, the others at their most common
   * value.
   */
  where?: Record<string, FactorValue | "*">;
}

/** One cell. */
export interface GridCell {
  /** Mean of the metric over the variants in the cell with a value; null when none has one. */
  mean: number | null;
  /** Sample standard deviation (n − 1) over them; null for fewer than two. */
  spread: number | null;
  /** How many variants had a value. */
  n: number;
  /** Every variant at this point (evaluated or not). */
  variants: string[];
}

/** A grid. */
export interface FactorGrid {
  rows: string;
  columns: string;
  metric: string;
  where: Record<string, FactorValue | "*">;
  rowValues: FactorValue[];
  columnValues: FactorValue[];
  /** `cells[row][column]`. */
  cells: GridCell[][];
}

/** Factors whose values are repeats of one configuration: pooled by default. */
export const REPEAT_FACTORS: readonly string[] = ["seed", "repeat", "run"];

/**
 * The distinct values of a factor: numbers ascending, then strings in the order they first appear.
 *
 * @param points the grid's variants
 * @param factor a factor name
 * @returns its values
 * @example
 * ```ts
 * import { factorValues } from "./factor_grid.ts";
 * const p = (D: number, fusion: string) => ({ variant: "v", label: "v", factors: { D, fusion }, metrics: null });
 * console.log(factorValues([p(16, "sum"), p(4, "concat"), p(16, "concat")], "D")); // [4, 16]
 * console.log(factorValues([p(16, "sum"), p(4, "concat")], "fusion")); // ["sum", "concat"]
 * ```
 */
export function factorValues(points: readonly GridPoint[], factor: string): FactorValue[] {
  const values = [...new Set(points.map((p) => p.factors[factor]).filter((v) => v !== undefined))];
  const numbers = values.filter((v): v is number => typeof v === "number").sort((a, b) => a - b);
  return [...numbers, ...values.filter((v) => typeof v === "string")];
}

/**
 * The default setting of the factors not shown: repeat factors pooled, each other at its most common value
 * (the first such value on a tie).
 *
 * @param points the grid's variants
 * @param factors every factor of the suite
 * @param shown the row and column factors
 * @returns factor → value or `"*"`
 * @example
 * ```ts
 * import { defaultWhere } from "./factor_grid.ts";
 * const p = (D: number, sharing: string, seed: number) => ({ variant: "v", label: "v", factors: { D, sharing, seed }, metrics: null });
 * const points = [p(4, "perLayer", 1), p(4, "perLayer", 2), p(16, "shared", 1), p(16, "perLayer", 1)];
 * console.log(defaultWhere(points, ["D", "sharing", "seed"], ["D"])); // { sharing: "perLayer", seed: "*" }
 * ```
 */
export function defaultWhere(
  points: readonly GridPoint[],
  factors: readonly string[],
  shown: readonly string[],
): Record<string, FactorValue | "*"> {
  const where: Record<string, FactorValue | "*"> = {};
  for (const factor of factors) {
    if (shown.includes(factor)) continue;
    if (REPEAT_FACTORS.includes(factor)) {
      where[factor] = "*";
      continue;
    }
    const counts = new Map<FactorValue, number>();
    for (const p of points) {
      const value = p.factors[factor];
      if (value !== undefined) counts.set(value, (counts.get(value) ?? 0) + 1);
    }
    let best: FactorValue | "*" = "*", most = 0;
    for (const [value, count] of counts) if (count > most) [best, most] = [value, count];
    where[factor] = best;
  }
  return where;
}

/**
 * Mean and sample standard deviation.
 *
 * @param values the numbers
 * @returns mean (null when empty) and spread (null for fewer than two)
 * @example
 * ```ts
 * import { meanAndSpread } from "./factor_grid.ts";
 * console.log(meanAndSpread([1, 2, 3])); // { mean: 2, spread: 1 }
 * console.log(meanAndSpread([5])); // { mean: 5, spread: null }
 * ```
 */
export function meanAndSpread(values: readonly number[]): { mean: number | null; spread: number | null } {
  if (!values.length) return { mean: null, spread: null };
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  if (values.length < 2) return { mean, spread: null };
  const variance = values.reduce((a, v) => a + (v - mean) ** 2, 0) / (values.length - 1);
  return { mean, spread: Math.sqrt(variance) };
}

/**
 * The grid of a metric by two factors.
 *
 * @param points the suite's variants on the grid (those with factors)
 * @param options rows, columns, metric, and the other factors' setting
 * @returns the grid
 * @throws {RangeError} when rows and columns name the same factor
 * @example
 * ```ts
 * import { factorGrid } from "./factor_grid.ts";
 * const p = (fusion: string, D: number, seed: number, psnr: number) =>
 *   ({ variant: `${fusion}${D}_${seed}`, label: "", factors: { fusion, D, seed }, metrics: { psnr } });
 * const grid = factorGrid([p("sum", 4, 1, 20), p("sum", 4, 2, 22), p("sum", 16, 1, 23), p("cat", 4, 1, 21)], {
 *   rows: "fusion", columns: "D", metric: "psnr",
 * });
 * console.log(grid.rowValues, grid.columnValues); // ["sum", "cat"] [4, 16]
 * console.log(grid.cells[0][0].mean, grid.cells[0][0].spread?.toFixed(3), grid.cells[1][1].n); // 21 "1.414" 0
 * ```
 */
export function factorGrid(points: readonly GridPoint[], options: GridOptions): FactorGrid {
  if (options.rows === options.columns) {
    throw new RangeError(`Rows and columns are both "${options.rows}": choose two different factors`);
  }
  const factors = [...new Set(points.flatMap((p) => Object.keys(p.factors)))];
  const where = {
    ...defaultWhere(points, factors, [options.rows, options.columns]),
    ...options.where,
  };
  delete where[options.rows];
  delete where[options.columns];
  const selected = points.filter((p) =>
    Object.entries(where).every(([factor, value]) => value === "*" || p.factors[factor] === value)
  );
  const rowValues = factorValues(points, options.rows);
  const columnValues = factorValues(points, options.columns);
  const cells = rowValues.map((row) =>
    columnValues.map((column): GridCell => {
      const inCell = selected.filter((p) =>
        p.factors[options.rows] === row && p.factors[options.columns] === column
      );
      const values = inCell.map((p) => p.metrics?.[options.metric])
        .filter((v): v is number => typeof v === "number" && Number.isFinite(v));
      return { ...meanAndSpread(values), n: values.length, variants: inCell.map((p) => p.variant) };
    })
  );
  return {
    rows: options.rows,
    columns: options.columns,
    metric: options.metric,
    where,
    rowValues,
    columnValues,
    cells,
  };
}
