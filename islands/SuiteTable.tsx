/**
 * The suite table: one row per variant with our metrics beside the paper's Table-3 numbers where the variant
 * mirrors a row; click a header to sort, tick variants to compare them side by side.
 *
 * @module
 */

/// <reference lib="dom" />
/** @jsx h */
import { h, useState, type VNode } from "../deps.ts";

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
}

/** Props of {@linkcode SuiteTable}. */
export interface SuiteTableProps {
  suite: string;
  rows: SuiteRow[];
}

/** Our columns: key, header, digits, whether larger is better. */
export const OUR_COLUMNS: readonly { key: string; title: string; digits: number }[] = [
  { key: "l2", title: "L2 ↓", digits: 4 },
  { key: "psnr", title: "PSNR ↑", digits: 2 },
  { key: "msSsim", title: "MS-SSIM ↑", digits: 4 },
  { key: "featureIdentity", title: "Feat. ID ↑", digits: 4 },
  { key: "lpips", title: "LPIPS ↓", digits: 4 },
  { key: "msPerImage", title: "ms/img", digits: 1 },
  { key: "parameters", title: "Params", digits: 0 },
  { key: "steps", title: "Steps", digits: 0 },
];

/** The paper's columns (Table 3). */
export const PAPER_COLUMNS: readonly { key: string; title: string; digits: number }[] = [
  { key: "l2", title: "paper L2", digits: 4 },
  { key: "lpips", title: "paper LPIPS", digits: 4 },
  { key: "psnr", title: "paper PSNR", digits: 2 },
  { key: "id", title: "paper ID", digits: 4 },
];

function format(value: number | null | undefined, digits: number): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return "–";
  return digits === 0 ? Math.round(value).toLocaleString("en-US") : value.toFixed(digits);
}

type SortKey = { source: "ours" | "paper" | "label"; key: string; descending: boolean };

/**
 * The table.
 *
 * @param props suite name and rows
 * @returns the table with its toolbar
 */
export default function SuiteTable({ suite, rows }: SuiteTableProps): VNode {
  const [sort, setSort] = useState<SortKey | null>(null);
  const [chosen, setChosen] = useState<string[]>([]);
  const value = (row: SuiteRow, s: SortKey): number | string | null =>
    s.source === "label" ? row.label : (s.source === "ours" ? row.ours : row.paper)?.[s.key] ?? null;
  const sorted = sort
    ? [...rows].sort((a, b) => {
      const x = value(a, sort), y = value(b, sort);
      if (x === null) return y === null ? 0 : 1; // missing values last, either direction
      if (y === null) return -1;
      const order = typeof x === "string" ? x.localeCompare(String(y)) : x - (y as number);
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
      </div>
      <table class="data" id="suite-table">
        <thead>
          <tr>
            <th class="text">Pick</th>
            {header("label", "label", "Variant", "text")}
            <th class="text">Status</th>
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
