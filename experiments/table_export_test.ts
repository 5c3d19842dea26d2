import assert from "node:assert/strict";
import { formatTable, latexEscape, toCsv, toLatex, toMarkdown } from "./table_export.ts";

const TABLE = {
  columns: [{ title: "variant", align: "left" as const }, { title: "PSNR ↑" }],
  rows: [['a, "quoted"', "21.00 ± 0.25"], ["b|c", "–"]],
};

Deno.test("a table is written as CSV (quoted where needed), Markdown (pipes escaped) and LaTeX booktabs", () => {
  assert.equal(toCsv(TABLE), 'variant,PSNR ↑\n"a, ""quoted""",21.00 ± 0.25\nb|c,–\n');
  assert.equal(
    toMarkdown(TABLE),
    [
      "| variant     |       PSNR ↑ |",
      "| :---------- | -----------: |",
      '| a, "quoted" | 21.00 ± 0.25 |',
      "| b\\|c        |            – |",
      "",
    ].join("\n"),
  );
  assert.equal(
    toLatex(TABLE),
    [
      "\\begin{tabular}{lr}",
      "\\toprule",
      "variant & PSNR $\\uparrow$ \\\\",
      "\\midrule",
      'a, "quoted" & 21.00 $\\pm$ 0.25 \\\\',
      "b$|$c & -- \\\\",
      "\\bottomrule",
      "\\end{tabular}",
      "",
    ].join("\n"),
  );
  assert.equal(
    latexEscape("50% of a_b & {c} #1 $x ~ ^ \\"),
    "50\\% of a\\_b \\& \\{c\\} \\#1 \\$x \\textasciitilde{} \\textasciicircum{} \\textbackslash{}",
  );
});

Deno.test("a ragged table and an unknown format are refused by name", () => {
  assert.throws(
    () => toCsv({ columns: [{ title: "a" }], rows: [["1", "2"]] }),
    /Row 0 has 2 cells, the table has 1 columns/,
  );
  assert.throws(
    () => formatTable(TABLE, "docx"),
    (e: Error) => e instanceof RangeError && /"docx": use csv, md, tex/.test(e.message),
  );
});

Deno.test("LaTeX: a combining circumflex (the table3 label x̂_w) becomes \\^{x}; arrows and ≤ ≥ · become math", () => {
  assert.equal(latexEscape("w/o x\u0302_w features"), "w/o \\^{x}\\_w features");
  assert.equal(
    latexEscape("a → b ≤ c ≥ d · e — f"),
    "a $\\rightarrow$ b $\\leq$ c $\\geq$ d $\\cdot$ e --- f",
  );
});
