/**
 * The tables of a suite as the site shows and exports them ({@linkcode ExportTable}: CSV, Markdown, LaTeX):
 * the metrics of chosen variants (with their factors and the paper's numbers), a factor grid of one metric
 * (mean ± spread over repeats) and the per-layer mean |ΔW| of several variants. Pure: islands import it too.
 *
 * @module
 */

import type { DeltaWRow, VariantResult } from "./store.ts";
import type { ExportTable } from "./table_export.ts";
import type { FactorGrid, GridPoint } from "./factor_grid.ts";

/** A metric column: its key in `metrics.json`, header, digits, and whether lower values are better. */
export interface MetricColumn {
  key: string;
  title: string;
  digits: number;
  lowerIsBetter?: boolean;
}

/** Our metric columns, in the site's order. */
export const METRIC_COLUMNS: readonly MetricColumn[] = [
  { key: "l2", title: "L2 ↓", digits: 4, lowerIsBetter: true },
  { key: "psnr", title: "PSNR ↑", digits: 2 },
  { key: "msSsim", title: "MS-SSIM ↑", digits: 4 },
  { key: "featureIdentity", title: "Feat. ID ↑", digits: 4 },
  { key: "lpips", title: "LPIPS ↓", digits: 4, lowerIsBetter: true },
  { key: "msPerImage", title: "ms/img", digits: 1, lowerIsBetter: true },
  { key: "parameters", title: "Params", digits: 0, lowerIsBetter: true },
  { key: "steps", title: "Steps", digits: 0 },
];

/** The paper's columns (Table 3). */
export const PAPER_COLUMNS: readonly MetricColumn[] = [
  { key: "l2", title: "paper L2", digits: 4, lowerIsBetter: true },
  { key: "lpips", title: "paper LPIPS", digits: 4, lowerIsBetter: true },
  { key: "psnr", title: "paper PSNR", digits: 2 },
  { key: "id", title: "paper ID", digits: 4 },
];

/**
 * A number as the site shows it: fixed digits, integers with thousands separators, "–" when missing.
 *
 * @param value the number
 * @param digits decimals (0: a grouped integer)
 * @returns the text
 * @example
 * ```ts
 * import { formatMetric } from "./suite_tables.ts";
 * console.log(formatMetric(0.012345, 4), formatMetric(12345, 0), formatMetric(null, 2)); // "0.0123" "12,345" "–"
 * ```
 */
export function formatMetric(value: number | null | undefined, digits: number): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return "–";
  return digits === 0 ? Math.round(value).toLocaleString("en-US") : value.toFixed(digits);
}

/**
 * A mean with its spread: `0.0123 ± 0.0004`, or the mean alone for a single value.
 *
 * @param mean the mean (null: "–")
 * @param spread the standard deviation, or null
 * @param digits decimals of both
 * @returns the text
 * @example
 * ```ts
 * import { formatMeanSpread } from "./suite_tables.ts";
 * console.log(formatMeanSpread(21.5, 0.25, 2), formatMeanSpread(21.5, null, 2)); // "21.50 ± 0.25" "21.50"
 * ```
 */
export function formatMeanSpread(mean: number | null, spread: number | null, digits: number): string {
  const text = formatMetric(mean, digits);
  return spread === null || mean === null ? text : `${text} ± ${formatMetric(spread, digits)}`;
}

/**
 * The column of a metric key.
 *
 * @param key a metric key (`psnr`)
 * @returns its column
 * @throws {RangeError} for an unknown key, naming the valid ones
 * @example
 * ```ts
 * import { metricColumn } from "./suite_tables.ts";
 * console.log(metricColumn("psnr").title); // "PSNR ↑"
 * ```
 */
export function metricColumn(key: string): MetricColumn {
  const column = METRIC_COLUMNS.find((c) => c.key === key);
  if (!column) {
    throw new RangeError(
      `Unknown metric ${JSON.stringify(key)}: use ${METRIC_COLUMNS.map((c) => c.key).join(", ")}`,
    );
  }
  return column;
}

/**
 * The variants on a suite's factor grid (those with a point), as {@linkcode factorGrid} takes them.
 *
 * @param results the suite's results
 * @returns one point per variant with factors
 * @example
 * ```ts
 * import { gridPoints } from "./suite_tables.ts";
 * const points = gridPoints([{ variant: "a", label: "A", factors: { D: 4 }, metrics: { psnr: 20 } } as never]);
 * console.log(points[0].factors, points[0].metrics?.psnr); // { D: 4 } 20
 * ```
 */
export function gridPoints(results: readonly VariantResult[]): GridPoint[] {
  return results.filter((r) => r.factors).map((r) => ({
    variant: r.variant,
    label: r.label,
    factors: r.factors!,
    metrics: r.metrics
      ? Object.fromEntries(
        METRIC_COLUMNS.map((
          c,
        ) => [c.key, typeof r.metrics![c.key] === "number" ? r.metrics![c.key] as number : null]),
      )
      : null,
  }));
}

/**
 * The metrics table of variants: label, each factor (when the suite has factors), our metrics, and the paper's
 * columns when a variant mirrors a paper row.
 *
 * @param results the variants, in order
 * @param factors the suite's factors (default none)
 * @returns the table
 * @example
 * ```ts
 * import { metricsTable } from "./suite_tables.ts";
 * const table = metricsTable([{ variant: "a", label: "A", factors: { D: 4 }, metrics: { l2: 0.01 }, paper: null } as never], ["D"]);
 * console.log(table.columns.slice(0, 3).map((c) => c.title), table.rows[0].slice(0, 3)); // ["Variant", "D", "L2 ↓"] ["A", "4", "0.0100"]
 * ```
 */
export function metricsTable(
  results: readonly VariantResult[],
  factors: readonly string[] = [],
): ExportTable {
  const withPaper = results.some((r) => r.paper);
  return {
    columns: [
      { title: "Variant", align: "left" },
      ...factors.map((f) => ({ title: f, align: "left" as const })),
      ...METRIC_COLUMNS.map((c) => ({ title: c.title })),
      ...(withPaper ? PAPER_COLUMNS.map((c) => ({ title: c.title })) : []),
    ],
    rows: results.map((r) => [
      r.label,
      ...factors.map((f) => (r.factors?.[f] === undefined ? "" : String(r.factors[f]))),
      ...METRIC_COLUMNS.map((c) => formatMetric(r.metrics?.[c.key] as number | null | undefined, c.digits)),
      ...(withPaper
        ? PAPER_COLUMNS.map((c) =>
          formatMetric((r.paper as Record<string, number> | null)?.[c.key], c.digits)
        )
        : []),
    ]),
  };
}

/**
 * A factor grid as a table: the row factor's values down, the column factor's across, `mean ± spread` in each
 * cell (the metric's digits).
 *
 * @param grid from {@linkcode factorGrid}
 * @returns the table
 * @example
 * ```ts
 * import { gridTable } from "./suite_tables.ts";
 * const table = gridTable({ rows: "fusion", columns: "D", metric: "psnr", where: {}, rowValues: ["sum"], columnValues: [4],
 *   cells: [[{ mean: 21, spread: 1, n: 2, variants: ["a", "b"] }]] });
 * console.log(table.columns.map((c) => c.title), table.rows); // ["fusion \\ D", "D=4"] [["sum", "21.00 ± 1.00"]]
 * ```
 */
export function gridTable(grid: FactorGrid): ExportTable {
  const { digits } = metricColumn(grid.metric);
  return {
    columns: [
      { title: `${grid.rows} \\ ${grid.columns}`, align: "left" },
      ...grid.columnValues.map((v) => ({ title: `${grid.columns}=${v}` })),
    ],
    rows: grid.rowValues.map((row, i) => [
      String(row),
      ...grid.cells[i].map((cell) => formatMeanSpread(cell.mean, cell.spread, digits)),
    ]),
  };
}

/**
 * Per-layer mean |ΔW| of several variants as a layer × variant table (×10⁻³, two decimals, as the README).
 *
 * @param variants label and rows of each variant with ΔW statistics
 * @returns the table (layers in the order they first appear)
 * @example
 * ```ts
 * import { deltaWTable } from "./suite_tables.ts";
 * const table = deltaWTable([{ label: "A", rows: [{ layer: "b4.conv1.weight", meanAbs: 0.0012 }] }]);
 * console.log(table.columns.map((c) => c.title), table.rows); // ["layer (mean |ΔW|, 1e-3)", "A"] [["b4.conv1", "1.20"]]
 * ```
 */
export function deltaWTable(variants: readonly { label: string; rows: readonly DeltaWRow[] }[]): ExportTable {
  const layers = [...new Set(variants.flatMap((v) => v.rows.map((r) => r.layer)))];
  return {
    columns: [
      { title: "layer (mean |ΔW|, 1e-3)", align: "left" },
      ...variants.map((v) => ({ title: v.label })),
    ],
    rows: layers.map((layer) => [
      layer.replace(/\.weight$/, ""),
      ...variants.map((v) => formatMetric((v.rows.find((r) => r.layer === layer)?.meanAbs ?? NaN) * 1000, 2)),
    ]),
  };
}
