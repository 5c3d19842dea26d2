/**
 * Mean |ΔW| per layer of several variants as a layer × variant heatmap (a server-rendered table: each cell
 * coloured by its value on one scale for the whole table, the number in it), readable for 2–10 variants, with
 * its CSV/Markdown/LaTeX exports.
 *
 * @module
 */

/** @jsx h */
import { h, type VNode } from "../deps.ts";
import type { ExportTable } from "../experiments/table_export.ts";
import { heatColour } from "../islands/CompareViewer.tsx";
import { ExportLinks } from "./ExportLinks.tsx";

/** Props of {@linkcode DeltaWHeatmap}. */
export interface DeltaWHeatmapProps {
  /** From `deltaWTable` (values ×10⁻³). */
  table: ExportTable;
  /** The suite (its table exports). */
  suite: string;
  /** The query of the exports (`variants=a,b`). */
  exportQuery: string;
}

/**
 * The heatmap.
 *
 * @param props the table and its export link
 * @returns the table
 */
export function DeltaWHeatmap({ table, suite, exportQuery }: DeltaWHeatmapProps): VNode {
  const values = table.rows.flatMap((row) => row.slice(1).map(Number)).filter(Number.isFinite);
  const max = Math.max(...values, Number.MIN_VALUE);
  return (
    <div class="delta-w-heatmap">
      <table class="data heatmap" id="delta-w-heatmap">
        <thead>
          <tr>{table.columns.map((c, i) => <th key={i} class={i === 0 ? "text" : ""}>{c.title}</th>)}</tr>
        </thead>
        <tbody>
          {table.rows.map((row) => (
            <tr key={row[0]} data-weight={row[0]}>
              <th class="text">{row[0]}</th>
              {row.slice(1).map((cell, j) => {
                const value = Number(cell);
                if (!Number.isFinite(value)) return <td key={j}>{cell}</td>;
                const t = value / max;
                const [r, g, b] = heatColour(t);
                return (
                  <td
                    key={j}
                    style={`background: rgb(${r}, ${g}, ${b}); color: ${t > 0.55 ? "#000" : "#fff"}`}
                  >
                    {cell}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
      <p class="muted">
        Mean |ΔW| ×10⁻³ per target layer, one colour scale for the table (black: none, yellow: the largest).
        <ExportLinks suite={suite} table="delta_w" query={exportQuery} />
      </p>
    </div>
  );
}
