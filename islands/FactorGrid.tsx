/**
 * The suite as a grid by two of its factors (e.g. fusion × D): pick the row and column factors, the metric, and
 * for each other factor one value or "all" (pooled: mean ± spread over the repeats); cells are colour-scaled
 * from worst (light) to best (dark) and name their variants. The table downloads as CSV, Markdown or LaTeX.
 *
 * @module
 */

/// <reference lib="dom" />
/** @jsx h */
import { h, useState, type VNode } from "../deps.ts";
import {
  defaultWhere,
  factorGrid,
  type FactorValue,
  factorValues,
  type GridPoint,
} from "../experiments/factor_grid.ts";
import { formatMeanSpread, METRIC_COLUMNS, metricColumn } from "../experiments/suite_tables.ts";

/** Props of {@linkcode FactorGrid}. */
export interface FactorGridProps {
  suite: string;
  /** The suite's factors. */
  factors: string[];
  /** The variants on the grid. */
  points: GridPoint[];
}

/**
 * The background of a cell: a blue ramp from the worst value (light) to the best (dark).
 *
 * @param value the cell's mean
 * @param range the smallest and largest mean of the grid
 * @param lowerIsBetter whether smaller values are better
 * @returns a CSS colour and a text colour that reads on it
 * @example
 * ```ts
 * import { cellColour } from "./FactorGrid.tsx";
 * console.log(cellColour(20, [18, 20], false), cellColour(18, [18, 20], false)); // ["hsl(212, 60%, 35%)", "#fff"] ["hsl(212, 60%, 95%)", "#000"]
 * ```
 */
export function cellColour(value: number, range: [number, number], lowerIsBetter: boolean): [string, string] {
  const [min, max] = range;
  let t = max > min ? (value - min) / (max - min) : 1;
  if (lowerIsBetter) t = 1 - t;
  const lightness = Math.round(95 - 60 * t);
  return [`hsl(212, 60%, ${lightness}%)`, lightness < 60 ? "#fff" : "#000"];
}

/**
 * The grid with its controls.
 *
 * @param props suite, factors and points
 * @returns the grid
 */
export default function FactorGrid({ suite, factors, points }: FactorGridProps): VNode {
  const [rows, setRows] = useState(factors[0]);
  const [columns, setColumns] = useState(factors[1] ?? factors[0]);
  const [metric, setMetric] = useState("psnr");
  const [where, setWhere] = useState<Record<string, FactorValue | "*">>(() =>
    defaultWhere(points, factors, [factors[0], factors[1]])
  );
  if (factors.length < 2) return <p class="muted">A grid needs a suite with at least two factors.</p>;
  const choose = (axis: "rows" | "columns", factor: string) => {
    const [r, c] = axis === "rows"
      ? [factor, factor === columns ? rows : columns]
      : [factor === rows ? columns : rows, factor];
    setRows(r);
    setColumns(c);
    setWhere({
      ...defaultWhere(points, factors, [r, c]),
      ...Object.fromEntries(
        Object.entries(where).filter(([f]) => f !== r && f !== c),
      ),
    });
  };
  const grid = factorGrid(points, { rows, columns, metric, where });
  const column = metricColumn(metric);
  const means = grid.cells.flat().map((c) => c.mean).filter((m): m is number => m !== null);
  const range: [number, number] = [Math.min(...means), Math.max(...means)];
  const query = new URLSearchParams({ rows, columns, metric });
  for (const [f, v] of Object.entries(grid.where)) query.set(`where.${f}`, String(v));
  const select = (
    id: string,
    value: string,
    options: string[],
    onChange: (v: string) => void,
    labels?: string[],
  ) => (
    <select id={id} value={value} onChange={(e) => onChange((e.target as HTMLSelectElement).value)}>
      {options.map((o, i) => <option key={o} value={o}>{labels?.[i] ?? o}</option>)}
    </select>
  );
  return (
    <div class="factor-grid">
      <div class="toolbar">
        <label class="inline">Rows {select("grid-rows", rows, factors, (f) => choose("rows", f))}</label>
        <label class="inline">
          Columns {select("grid-columns", columns, factors, (f) => choose("columns", f))}
        </label>
        <label class="inline">
          Metric {select(
            "grid-metric",
            metric,
            METRIC_COLUMNS.map((c) => c.key),
            setMetric,
            METRIC_COLUMNS.map((c) => c.title),
          )}
        </label>
        {Object.keys(grid.where).map((f) => {
          const values = factorValues(points, f).map(String);
          return (
            <label class="inline" key={f}>
              {f} {select(`grid-where-${f}`, String(grid.where[f]), ["*", ...values], (v) =>
                setWhere({
                  ...where,
                  [f]: v === "*" ? "*" : factorValues(points, f).find((x) => String(x) === v)!,
                }), ["all (mean ± sd)", ...values])}
            </label>
          );
        })}
        <span class="exports">
          Export {["csv", "md", "tex"].map((format) => (
            <a
              key={format}
              class="button"
              data-export={`grid.${format}`}
              href={`/api/suites/${suite}/tables/grid.${format}?${query}`}
            >
              {format === "md" ? "Markdown" : format === "tex" ? "LaTeX" : "CSV"}
            </a>
          ))}
        </span>
      </div>
      <table class="data grid" id="factor-grid" data-rows={rows} data-columns={columns} data-metric={metric}>
        <thead>
          <tr>
            <th class="text">{rows} \ {columns}</th>
            {grid.columnValues.map((v) => <th key={String(v)}>{columns}={v}</th>)}
          </tr>
        </thead>
        <tbody>
          {grid.rowValues.map((row, i) => (
            <tr key={String(row)} data-row={String(row)}>
              <th class="text">{row}</th>
              {grid.cells[i].map((cell, j) => {
                const [background, colour] = cell.mean === null
                  ? ["transparent", "inherit"]
                  : cellColour(cell.mean, range, column.lowerIsBetter ?? false);
                return (
                  <td
                    key={j}
                    data-column={String(grid.columnValues[j])}
                    data-n={cell.n}
                    title={cell.variants.join(", ") || "no variant"}
                    style={`background: ${background}; color: ${colour}`}
                  >
                    {formatMeanSpread(cell.mean, cell.spread, column.digits)}
                    {cell.n > 1 ? <small>{` (n=${cell.n})`}</small> : null}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
      <p class="muted">
        {column.title}: mean over the variants in each cell, ± their sample standard deviation where there are
        repeats; darker is better. Hover a cell for its variants.
      </p>
    </div>
  );
}
