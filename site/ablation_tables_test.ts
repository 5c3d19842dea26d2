/**
 * The ablation views' data and exports on the fixture suite `grid` (fusion × D with seed repeats): the exported
 * CSV, Markdown and LaTeX equal the committed files in `tests/fixtures/ablation_export/`, through the route.
 */
import assert from "node:assert/strict";
import { writeAblationFixture } from "./_ablation_fixture.ts";
import { suiteTableFile } from "./ablation_tables.ts";
import { createSite } from "./server.ts";
import { REPOSITORY_ROOT } from "./_fixture.ts";

const EXPECTED = new URL("../tests/fixtures/ablation_export/", import.meta.url);
const QUERIES: Record<string, string> = {
  metrics: "",
  grid: "rows=fusion&columns=D&metric=psnr",
  delta_w: "variants=cat_d4_s1,sum_d16_s1",
};

Deno.test({
  name:
    "GET /api/suites/:suite/tables/:file exports the fixture's tables as the committed CSV, Markdown and LaTeX",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const root = await Deno.makeTempDir({ prefix: "site-tables-" });
    await writeAblationFixture(root);
    const site = await createSite({ experimentsRoot: root, repositoryRoot: REPOSITORY_ROOT });
    try {
      for (const [table, query] of Object.entries(QUERIES)) {
        for (const format of ["csv", "md", "tex"]) {
          const response = await site.fetch(
            new Request(`http://127.0.0.1/api/suites/grid/tables/${table}.${format}?${query}`),
          );
          assert.equal(response.status, 200, `${table}.${format}`);
          assert.match(
            response.headers.get("content-disposition") ?? "",
            new RegExp(`grid_${table}\\.${format}`),
          );
          const expected = await Deno.readTextFile(new URL(`${table}.${format}`, EXPECTED));
          assert.equal(await response.text(), expected, `${table}.${format} differs from the committed file`);
        }
      }
      const bad = await site.fetch(new Request("http://127.0.0.1/api/suites/grid/tables/grid.docx"));
      assert.equal(bad.status, 400);
      assert.match((await bad.json()).message, /Unknown table format "docx"/);
      const factor = await site.fetch(
        new Request("http://127.0.0.1/api/suites/grid/tables/grid.csv?rows=fuson"),
      );
      assert.equal(factor.status, 400);
      assert.match((await factor.json()).message, /Unknown factor "fuson": the suite's are fusion, D, seed/);
    } finally {
      site.close();
      await Deno.remove(root, { recursive: true });
    }
  },
});

Deno.test("the grid fixes or pools the factors not shown: one seed alone has no spread", async () => {
  const root = await Deno.makeTempDir({ prefix: "site-tables-" });
  try {
    await writeAblationFixture(root);
    const url = new URL("http://x/?rows=D&columns=fusion&where.seed=1");
    const { text } = await suiteTableFile(root, "grid", "grid.csv", url);
    assert.equal(text, "D \\ fusion,fusion=concatConv,fusion=sum\n4,19.00,18.00\n16,19.80,18.80\n");
    await assert.rejects(
      () => suiteTableFile(root, "grid", "grid.csv", new URL("http://x/?where.seed=3")),
      /Factor "seed" has no value "3": it has 1, 2/,
    );
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
