/**
 * The suite table: one row per variant with our metrics beside the paper's Table-3 numbers where the variant
 * mirrors a row; click a header to sort, tick variants to compare them side by side.
 *
 * @module
 */

/// <reference lib="dom" />
/** @jsx h */
import { h, useState, type VNode } from "../deps.ts";
import {
  formatMetric,
  METRIC_COLUMNS,
  type MetricColumn,
  PAPER_COLUMNS,
} from "../experiments/suite_tables.ts";

/** One row. */
export interface SuiteRow {
  variant: string;
  label: string;
  status: "done" | "pending";
  /** Has sample images to compare. */
  comparable: boolean;
  ours: Record<string, number | null>;
  paper: Record<string, number | null> | null;
  paperRow: string | null;
  /** Its point in the suite's factor grid, or null. */
  factors?: Record<string, string | number> | null;
}

/** Props of {@linkcode SuiteTable}. */
export interface SuiteTableProps {
  suite: string;
  rows: SuiteRow[];
  /** The suite's factors: a column each (default none). */
  factors?: string[];
}

/** Our columns: key, header, digits, whether lower is better (`experiments/suite_tables.ts`). */
export const OUR_COLUMNS: readonly MetricColumn[] = METRIC_COLUMNS;

/** The paper's columns (Table 3). */
export { PAPER_COLUMNS };

const format = formatMetric;

type SortKey = { source: "ours" | "paper" | "label" | "factor"; key: string; descending: boolean };

/**
 * The table.
 *
 * @param props suite name and rows
 * @returns the table with its toolbar
 */
export default function SuiteTable({ suite, rows, factors = [] }: SuiteTableProps): VNode {
  const [sort, setSort] = useState<SortKey | null>(null);
  const [chosen, setChosen] = useState<string[]>([]);
  const value = (row: SuiteRow, s: SortKey): number | string | null =>
    s.source === "label"
      ? row.label
      : s.source === "factor"
      ? row.factors?.[s.key] ?? null
      : (s.source === "ours" ? row.ours : row.paper)?.[s.key] ?? null;
  const sorted = sort
    ? [...rows].sort((a, b) => {
      const x = value(a, sort), y = value(b, sort);
      if (x === null) return y === null ? 0 : 1; // missing values last, either direction
      if (y === null) return -1;
      const order = typeof x === "string" || typeof y === "string"
        ? String(x).localeCompare(String(y))
        : x - y;
      return sort.descending ? -order : order;
    })
    : rows;
  const header = (source: SortKey["source"], key: string, title: string, className = "") => {
    const active = sort?.source === source && sort.key === key;
    return (
      <th class={className} aria-sort={active ? (sort!.descending ? "descending" : "ascending") : "none"}>
        <button
          type="button"
          data-sort={`${source}.${key}`}
          onClick={() =>
            setSort({ source, key, descending: active ? !sort!.descending : false })}
        >
          {title}
          {active ? (sort!.descending ? " ▼" : " ▲") : ""}
        </button>
      </th>
    );
  };
  const toggle = (variant: string) =>
    setChosen(chosen.includes(variant) ? chosen.filter((v) => v !== variant) : [...chosen, variant]);
  const compareHref = `/suites/${suite}/compare?variants=${chosen.map(encodeURIComponent).join(",")}`;
  return (
    <div>
      <div class="toolbar">
        <a
          class="button"
          id="compare"
          href={chosen.length >= 1 ? compareHref : undefined}
          aria-disabled={chosen.length < 1}
          style={chosen.length < 1 ? "opacity: .45; pointer-events: none" : ""}
        >
          Compare {chosen.length} selected
        </a>
        <span class="muted">Tick variants with samples; click a header to sort.</span>
        <span class="exports">
          Export {["csv", "md", "tex"].map((format) => (
            <a
              key={format}
              class="button"
              data-export={`metrics.${format}`}
              href={`/api/suites/${suite}/tables/metrics.${format}`}
            >
              {format === "md" ? "Markdown" : format === "tex" ? "LaTeX" : "CSV"}
            </a>
          ))}
        </span>
      </div>
      <table class="data" id="suite-table">
        <thead>
          <tr>
            <th class="text">Pick</th>
            {header("label", "label", "Variant", "text")}
            <th class="text">Status</th>
            {factors.map((f) => header("factor", f, f, "text"))}
            {OUR_COLUMNS.map((c) => header("ours", c.key, c.title))}
            {PAPER_COLUMNS.map((c) => header("paper", c.key, c.title, "paper"))}
          </tr>
        </thead>
        <tbody>
          {sorted.map((row) => (
            <tr key={row.variant} data-variant={row.variant}>
              <td class="text">
                <input
                  type="checkbox"
                  name="variant"
                  value={row.variant}
                  aria-label={`Pick ${row.label}`}
                  disabled={!row.comparable}
                  checked={chosen.includes(row.variant)}
                  onChange={() => toggle(row.variant)}
                />
              </td>
              <td class="text">
                <a href={`/suites/${suite}/${row.variant}`}>{row.label}</a>
              </td>
              <td class={`text status-${row.status}`}>{row.status}</td>
              {factors.map((f) => <td key={f} class="text">{row.factors?.[f] ?? ""}</td>)}
              {OUR_COLUMNS.map((c) => <td key={c.key}>{format(row.ours[c.key], c.digits)}</td>)}
              {PAPER_COLUMNS.map((c) => (
                <td key={c.key} class="paper" title={row.paperRow ?? undefined}>
                  {format(row.paper?.[c.key], c.digits)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
