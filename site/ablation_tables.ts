/**
 * A suite's tables read from the store for the site: the metrics table, a factor grid and the ΔW table, chosen
 * by a file name (`metrics.csv`, `grid.tex`, `delta_w.md`) and query parameters, exported as CSV, Markdown or
 * LaTeX (`GET /api/suites/:suite/tables/:file`).
 *
 * @module
 */

import { factorGrid, type FactorValue, factorValues, type GridOptions } from "../experiments/factor_grid.ts";
import { checkName, listVariantResults, readDeltaW, readSuite } from "../experiments/store.ts";
import {
  deltaWTable,
  gridPoints,
  gridTable,
  metricColumn,
  metricsTable,
} from "../experiments/suite_tables.ts";
import {
  type ExportTable,
  formatTable,
  TABLE_MEDIA_TYPES,
  type TableFormat,
} from "../experiments/table_export.ts";

/** The tables a suite exports. */
export const SUITE_TABLES = ["metrics", "grid", "delta_w"] as const;

/** An exported table. */
export interface TableFile {
  text: string;
  contentType: string;
  /** `<suite>_<table>.<format>`, for `Content-Disposition`. */
  filename: string;
}

/**
 * The grid a URL asks for: `rows`, `columns`, `metric` (default the suite's first two factors and `psnr`), and
 * `where.<factor>=<value>` or `*` for the others.
 *
 * @param url the request URL
 * @param factors the suite's factors
 * @param values each factor's values (a `where` value is matched against them, so `D=16` finds the number 16)
 * @returns the grid options
 * @throws {RangeError} for a factor the suite lacks, a value it does not have, or an unknown metric
 * @example
 * ```ts
 * import { gridOptionsFromUrl } from "./ablation_tables.ts";
 * const url = new URL("http://x/?rows=fusion&columns=D&where.seed=2");
 * console.log(gridOptionsFromUrl(url, ["fusion", "D", "seed"], { fusion: ["sum"], D: [4], seed: [1, 2] }));
 * // { rows: "fusion", columns: "D", metric: "psnr", where: { seed: 2 } }
 * ```
 */
export function gridOptionsFromUrl(
  url: URL,
  factors: readonly string[],
  values: Record<string, FactorValue[]>,
): GridOptions {
  if (factors.length < 2) throw new RangeError("A factor grid needs a suite with at least two factors");
  const factor = (name: string | null, fallback: string) => {
    const chosen = name ?? fallback;
    if (!factors.includes(chosen)) {
      throw new RangeError(`Unknown factor ${JSON.stringify(chosen)}: the suite's are ${factors.join(", ")}`);
    }
    return chosen;
  };
  const rows = factor(url.searchParams.get("rows"), factors[0]);
  const columns = factor(url.searchParams.get("columns"), factors.find((f) => f !== rows)!);
  const metric = metricColumn(url.searchParams.get("metric") ?? "psnr").key;
  const where: Record<string, FactorValue | "*"> = {};
  for (const [key, text] of url.searchParams) {
    if (!key.startsWith("where.")) continue;
    const name = factor(key.slice("where.".length), "");
    if (text === "*") where[name] = "*";
    else {
      const value = values[name].find((v) => String(v) === text);
      if (value === undefined) {
        throw new RangeError(
          `Factor "${name}" has no value ${JSON.stringify(text)}: it has ${values[name].join(", ")}`,
        );
      }
      where[name] = value;
    }
  }
  return { rows, columns, metric, ...(Object.keys(where).length ? { where } : {}) };
}

/**
 * Builds one of a suite's tables in a format.
 *
 * @param root experiments folder
 * @param suite suite name
 * @param file `<table>.<format>`: table `metrics`, `grid` or `delta_w`; format `csv`, `md` or `tex`
 * @param url the request (`variants=a,b` picks variants for `metrics` and `delta_w`; the grid's parameters)
 * @returns the text, its media type and a file name
 * @throws {RangeError} for an unknown table, format, variant, factor or metric; NotFound for an unknown suite
 */
export async function suiteTableFile(
  root: string,
  suite: string,
  file: string,
  url: URL,
): Promise<TableFile> {
  checkName(suite, "suite");
  const match = /^([a-z_]+)\.([a-z]+)$/.exec(file);
  const table = match?.[1], format = match?.[2];
  if (!match || !(SUITE_TABLES as readonly string[]).includes(table!)) {
    throw new RangeError(
      `Unknown table file ${JSON.stringify(file)}: use <${SUITE_TABLES.join("|")}>.<csv|md|tex>`,
    );
  }
  if (!(format! in TABLE_MEDIA_TYPES)) {
    throw new RangeError(`Unknown table format ${JSON.stringify(format)}: use csv, md, tex`);
  }
  const spec = await readSuite(suite, root);
  const results = await listVariantResults(suite, root);
  const names = (url.searchParams.get("variants") ?? "").split(",").filter(Boolean).map((v) =>
    checkName(v, "variant")
  );
  const chosen = names.length
    ? names.map((name) => {
      const found = results.find((r) => r.variant === name);
      if (!found) throw new RangeError(`Suite "${suite}" has no variant "${name}"`);
      return found;
    })
    : results;
  let exported: ExportTable;
  if (table === "metrics") exported = metricsTable(chosen, spec.factors ?? []);
  else if (table === "grid") {
    const points = gridPoints(results);
    const factors = spec.factors ?? [];
    const values = Object.fromEntries(factors.map((f) => [f, factorValues(points, f)]));
    exported = gridTable(factorGrid(points, gridOptionsFromUrl(url, factors, values)));
  } else {
    const withDeltaW = [];
    for (const r of chosen) {
      const rows = await readDeltaW(suite, r.variant, root);
      if (rows?.length) withDeltaW.push({ label: r.label, rows });
    }
    exported = deltaWTable(withDeltaW);
  }
  return {
    text: formatTable(exported, format!),
    contentType: TABLE_MEDIA_TYPES[format as TableFormat],
    filename: `${suite}_${table}.${format}`,
  };
}
