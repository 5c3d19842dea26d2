/**
 * `deno run -A experiments/report.ts <suite> [DIR]` (DIR: the experiments folder, default ./data): the suite's results as Markdown (the README's tables): one row
 * per variant with our metrics beside the paper's Table-3 row, and the per-layer mean |ΔW| (the paper's
 * Fig. 8) with its two summary ratios (main convs vs toRGB, last resolution vs the others); for a suite with
 * factors, the grid of PSNR and L2 by its first two factors (mean ± sd over seed repeats).
 *
 * @module
 */

import { listVariantResults, readDeltaW, readSuite } from "./store.ts";
import { factorGrid } from "./factor_grid.ts";
import { gridPoints, gridTable } from "./suite_tables.ts";
import { toMarkdown } from "./table_export.ts";
import { EXPERIMENTS_ROOT } from "./store.ts";

const fixed = (value: unknown, digits: number) =>
  typeof value === "number" && Number.isFinite(value) ? value.toFixed(digits) : "–";

/**
 * Summary ratios of per-layer mean |ΔW|: mean over main convs ÷ mean over toRGB layers, and mean over the
 * last resolution's layers ÷ mean over the other resolutions' layers (the paper's two Fig. 8 insights).
 *
 * @param rows per-layer rows (`b32.conv0.weight`, `b32.torgb.weight`, …)
 * @returns the two ratios (NaN where a group is empty)
 * @example
 * ```ts
 * import { deltaWSummary } from "./report.ts";
 * const s = deltaWSummary([
 *   { layer: "b4.conv1.weight", meanAbs: 2 }, { layer: "b4.torgb.weight", meanAbs: 1 },
 *   { layer: "b8.conv0.weight", meanAbs: 4 }, { layer: "b8.torgb.weight", meanAbs: 1 },
 * ]);
 * console.log(s.convOverToRgb, s.lastOverOthers); // 3 1.6666666666666667
 * ```
 */
export function deltaWSummary(
  rows: readonly { layer: string; meanAbs: number }[],
): { convOverToRgb: number; lastOverOthers: number } {
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const resolution = (layer: string) => Number(/^b(\d+)\./.exec(layer)?.[1] ?? NaN);
  const last = Math.max(...rows.map((r) => resolution(r.layer)));
  const torgb = rows.filter((r) => r.layer.includes("torgb")).map((r) => r.meanAbs);
  const conv = rows.filter((r) => !r.layer.includes("torgb")).map((r) => r.meanAbs);
  const atLast = rows.filter((r) => resolution(r.layer) === last).map((r) => r.meanAbs);
  const others = rows.filter((r) => resolution(r.layer) !== last).map((r) => r.meanAbs);
  return { convOverToRgb: mean(conv) / mean(torgb), lastOverOthers: mean(atLast) / mean(others) };
}

/**
 * The Markdown report of a suite.
 *
 * @param suiteName the suite
 * @param root experiments folder
 * @returns Markdown text
 * @example
 * ```ts
 * import { suiteMarkdown } from "./report.ts";
 * console.log((await suiteMarkdown("table3")).startsWith("| variant")); // true
 * ```
 */
export async function suiteMarkdown(suiteName: string, root: string = EXPERIMENTS_ROOT): Promise<string> {
  const suite = await readSuite(suiteName, root);
  const rows = await listVariantResults(suiteName, root);
  const lines = [
    "| variant | L2 ↓ | PSNR ↑ | MS-SSIM ↑ | feat. id ↑ | ms/image | phase-II params | train s | paper row | paper L2 | paper LPIPS | paper ID | paper PSNR |",
    "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
  ];
  for (const r of rows) {
    const m = r.metrics;
    const p = r.paper;
    lines.push(
      `| ${r.label} | ${fixed(m?.l2, 4)} | ${fixed(m?.psnr, 2)} | ${fixed(m?.msSsim, 3)} | ${
        fixed(m?.featureIdentity, 3)
      } | ${fixed(m?.msPerImage, 1)} | ${m ? m.parameters.toLocaleString("en-US") : "–"} | ${
        fixed(m?.trainSeconds, 0)
      } | ${p?.row ?? ""} | ${fixed(p?.l2, 4)} | ${fixed(p?.lpips, 4)} | ${fixed(p?.id, 4)} | ${
        fixed(p?.psnr, 2)
      } |`,
    );
  }
  const withDelta: { label: string; rows: { layer: string; meanAbs: number }[] }[] = [];
  for (const r of rows) {
    const d = await readDeltaW(suiteName, r.variant, root);
    if (d?.length) withDelta.push({ label: r.variant, rows: d });
  }
  if (withDelta.length) {
    lines.push("", `Per-layer mean |ΔW| over the held-out images (Fig. 8), ×10⁻³:`, "");
    lines.push(`| layer | ${withDelta.map((d) => d.label).join(" | ")} |`);
    lines.push(`| --- | ${withDelta.map(() => "---").join(" | ")} |`);
    for (const [i, { layer }] of withDelta[0].rows.entries()) {
      const cells = withDelta.map((d) => {
        const row = d.rows[i]?.layer === layer ? d.rows[i] : d.rows.find((x) => x.layer === layer);
        return row ? (row.meanAbs * 1000).toFixed(2) : "–";
      });
      lines.push(`| ${layer} | ${cells.join(" | ")} |`);
    }
    const summaries = withDelta.map((d) => deltaWSummary(d.rows));
    lines.push(`| conv ÷ toRGB | ${summaries.map((s) => s.convOverToRgb.toFixed(2)).join(" | ")} |`);
    lines.push(`| last res. ÷ others | ${summaries.map((s) => s.lastOverOthers.toFixed(2)).join(" | ")} |`);
  }
  const factors = suite.factors ?? [];
  if (factors.length >= 2) {
    const points = gridPoints(rows);
    for (const metric of ["psnr", "l2"]) {
      const grid = factorGrid(points, { rows: factors[0], columns: factors[1], metric });
      const fixed = Object.entries(grid.where).map((
        [f, v],
      ) => (v === "*" ? `${f}: mean ± sd` : `${f} = ${v}`));
      lines.push(
        "",
        `${metric === "psnr" ? "PSNR" : "L2"} by ${factors[0]} × ${factors[1]} (${fixed.join(", ")}):`,
        "",
      );
      lines.push(toMarkdown(gridTable(grid)).trimEnd());
    }
  }
  lines.push(
    "",
    `Budget: ${JSON.stringify(suite.training)}; evaluation: ${JSON.stringify(suite.evaluation ?? {})}.`,
  );
  return lines.join("\n");
}

if (import.meta.main) {
  const [suite, root] = Deno.args;
  if (!suite) {
    console.error("usage: deno run -A experiments/report.ts <suite> [experiments folder]");
    Deno.exit(1);
  }
  console.log(await suiteMarkdown(suite, root));
}
