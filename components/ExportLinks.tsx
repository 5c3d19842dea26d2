/**
 * The download links of a table: CSV, Markdown and LaTeX (`GET /api/suites/:suite/tables/:file`).
 *
 * @module
 */

/** @jsx h */
import { h, type VNode } from "../deps.ts";
import { TABLE_FORMATS } from "../experiments/table_export.ts";

const NAMES: Record<string, string> = { csv: "CSV", md: "Markdown", tex: "LaTeX" };

/**
 * The links.
 *
 * @param props the suite, the table (`metrics`, `grid`, `delta_w`) and the query (`variants=a,b`)
 * @returns "Export" and one link per format
 */
export function ExportLinks(
  { suite, table, query = "" }: { suite: string; table: string; query?: string },
): VNode {
  return (
    <span class="exports">
      Export {TABLE_FORMATS.map((format) => (
        <a
          key={format}
          class="button"
          data-export={`${table}.${format}`}
          href={`/api/suites/${suite}/tables/${table}.${format}${query ? `?${query}` : ""}`}
        >
          {NAMES[format]}
        </a>
      ))}
    </span>
  );
}
