/**
 * A table for a paper: the same cells written as CSV (RFC 4180), Markdown (GitHub's pipe tables) and LaTeX
 * (booktabs: `\toprule`, `\midrule`, `\bottomrule`). Cells arrive already formatted (the digits the site shows),
 * so the three formats agree digit for digit.
 *
 * @module
 */

/** A table: column titles (with their alignment) and rows of formatted cells. */
export interface ExportTable {
  columns: { title: string; align?: "left" | "right" }[];
  rows: string[][];
}

/** The export formats, by file extension. */
export const TABLE_FORMATS = ["csv", "md", "tex"] as const;
/** One of {@linkcode TABLE_FORMATS}. */
export type TableFormat = typeof TABLE_FORMATS[number];

/** The media type of each format. */
export const TABLE_MEDIA_TYPES: Record<TableFormat, string> = {
  csv: "text/csv; charset=utf-8",
  md: "text/markdown; charset=utf-8",
  tex: "application/x-tex; charset=utf-8",
};

function checkShape(table: ExportTable): void {
  if (!Array.isArray(table?.columns) || !Array.isArray(table?.rows)) {
    throw new TypeError("A table needs columns and rows");
  }
  table.rows.forEach((row, i) => {
    if (row.length !== table.columns.length) {
      throw new TypeError(`Row ${i} has ${row.length} cells, the table has ${table.columns.length} columns`);
    }
  });
}

/**
 * The table as CSV: a header line, then one line per row; a cell with a comma, quote or line break is quoted.
 *
 * @param table the table
 * @returns CSV text, ending in a newline
 * @throws {TypeError} when a row's length differs from the columns'
 * @example
 * ```ts
 * import { toCsv } from "./table_export.ts";
 * console.log(toCsv({ columns: [{ title: "variant" }, { title: "L2, ↓" }], rows: [["a \"b\"", "0.1"]] }));
 * // variant,"L2, ↓"
 * // "a ""b""",0.1
 * ```
 */
export function toCsv(table: ExportTable): string {
  checkShape(table);
  const cell = (text: string) => /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
  return [table.columns.map((c) => c.title), ...table.rows].map((r) => r.map(cell).join(",")).join("\n") +
    "\n";
}

/**
 * The table as Markdown: a pipe table with its columns padded to one width (as `deno fmt` writes tables, so a
 * formatter leaves an exported file as it is; `|` in a cell is escaped).
 *
 * @param table the table
 * @returns Markdown text, ending in a newline
 * @throws {TypeError} when a row's length differs from the columns'
 * @example
 * ```ts
 * import { toMarkdown } from "./table_export.ts";
 * console.log(toMarkdown({ columns: [{ title: "variant", align: "left" }, { title: "L2" }], rows: [["a", "0.1"]] }));
 * // | variant |  L2 |
 * // | :------ | --: |
 * // | a       | 0.1 |
 * ```
 */
export function toMarkdown(table: ExportTable): string {
  checkShape(table);
  const rows = [table.columns.map((c) => c.title), ...table.rows].map((r) =>
    r.map((c) => c.replaceAll("|", "\\|"))
  );
  const width = table.columns.map((_, j) => Math.max(2, ...rows.map((r) => [...r[j]].length)));
  const pad = (text: string, j: number) => {
    const fill = " ".repeat(width[j] - [...text].length);
    return table.columns[j].align === "left" ? text + fill : fill + text;
  };
  const line = (cells: string[]) => `| ${cells.map(pad).join(" | ")} |`;
  const rule = table.columns.map((c, j) =>
    c.align === "left" ? `:${"-".repeat(width[j] - 1)}` : `${"-".repeat(width[j] - 1)}:`
  );
  return [line(rows[0]), `| ${rule.join(" | ")} |`, ...rows.slice(1).map(line)].join("\n") + "\n";
}

/** Characters LaTeX treats specially, and symbols the site's headers use, as LaTeX. */
const LATEX: Record<string, string> = {
  "\\": "\\textbackslash{}",
  "&": "\\&",
  "%": "\\%",
  "$": "\\$",
  "#": "\\#",
  "_": "\\_",
  "{": "\\{",
  "}": "\\}",
  "~": "\\textasciitilde{}",
  "^": "\\textasciicircum{}",
  "±": "$\\pm$",
  "↓": "$\\downarrow$",
  "↑": "$\\uparrow$",
  "Δ": "$\\Delta$",
  "×": "$\\times$",
  "²": "$^2$",
  "–": "--",
  "|": "$|$",
  "γ": "$\\gamma$",
  "—": "---",
  "→": "$\\rightarrow$",
  "≤": "$\\leq$",
  "≥": "$\\geq$",
  "·": "$\\cdot$",
};

/** U+0302 COMBINING CIRCUMFLEX ACCENT, as in the variant label "x̂_w": LaTeX's \^{x}. */
const COMBINING_CIRCUMFLEX = "\u0302";

/**
 * Escapes text for LaTeX (the special characters; ± ↓ ↑ Δ × ² γ → ≤ ≥ · as math; a combining circumflex as `\^{…}`).
 *
 * @param text the text
 * @returns LaTeX source
 * @example
 * ```ts
 * import { latexEscape } from "./table_export.ts";
 * console.log(latexEscape("mean |ΔW| 50% a_b ± 1")); // "mean $|$$\\Delta$W$|$ 50\\% a\\_b $\\pm$ 1"
 * console.log(latexEscape("w/o x\u0302_w features, γ ≤ 3")); // "w/o \\^{x}\\_w features, $\\gamma$ $\\leq$ 3"
 * ```
 */
export function latexEscape(text: string): string {
  const chars = [...text];
  let out = "";
  for (let i = 0; i < chars.length; i++) {
    const escaped = LATEX[chars[i]] ?? chars[i];
    if (chars[i + 1] === COMBINING_CIRCUMFLEX) {
      out += `\\^{${escaped}}`;
      i++;
    } else out += escaped;
  }
  return out;
}

/**
 * The table as LaTeX with booktabs rules (needs `\usepackage{booktabs}`).
 *
 * @param table the table
 * @returns a `tabular` environment, ending in a newline
 * @throws {TypeError} when a row's length differs from the columns'
 * @example
 * ```ts
 * import { toLatex } from "./table_export.ts";
 * console.log(toLatex({ columns: [{ title: "variant", align: "left" }, { title: "L2 ↓" }], rows: [["full", "0.1"]] }));
 * // \begin{tabular}{lr}
 * // \toprule
 * // variant & L2 $\downarrow$ \\
 * // \midrule
 * // full & 0.1 \\
 * // \bottomrule
 * // \end{tabular}
 * ```
 */
export function toLatex(table: ExportTable): string {
  checkShape(table);
  const line = (cells: string[]) => `${cells.map(latexEscape).join(" & ")} \\\\`;
  return [
    `\\begin{tabular}{${table.columns.map((c) => (c.align === "left" ? "l" : "r")).join("")}}`,
    "\\toprule",
    line(table.columns.map((c) => c.title)),
    "\\midrule",
    ...table.rows.map(line),
    "\\bottomrule",
    "\\end{tabular}",
  ].join("\n") + "\n";
}

/**
 * The table in a format named by its extension.
 *
 * @param table the table
 * @param format `csv`, `md` or `tex`
 * @returns the text
 * @throws {RangeError} for another format, naming the valid ones
 * @example
 * ```ts
 * import { formatTable } from "./table_export.ts";
 * console.log(formatTable({ columns: [{ title: "a" }], rows: [["1"]] }, "csv")); // "a\n1\n"
 * ```
 */
export function formatTable(table: ExportTable, format: string): string {
  switch (format) {
    case "csv":
      return toCsv(table);
    case "md":
      return toMarkdown(table);
    case "tex":
      return toLatex(table);
  }
  throw new RangeError(`Unknown table format ${JSON.stringify(format)}: use ${TABLE_FORMATS.join(", ")}`);
}
