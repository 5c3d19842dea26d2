/**
 * `GET /api/suites/:suite/tables/:file`: one of the suite's tables for a paper, as a download. `file` is
 * `<table>.<format>`: table `metrics` (each variant's metrics, factors and the paper's numbers), `grid` (one
 * metric by two factors, mean ± spread over repeats: `rows`, `columns`, `metric`, `where.<factor>=<value>|*`)
 * or `delta_w` (mean |ΔW| per layer × variant); format `csv`, `md` (Markdown) or `tex` (LaTeX, booktabs).
 * `variants=a,b` picks the variants of `metrics` and `delta_w` (default: all).
 *
 * @module
 */

import type { Handlers } from "../../../../../site/fresh.tsx";
import { suiteTableFile } from "../../../../../site/ablation_tables.ts";

/** The table as a file. */
export const handler: Handlers = {
  async GET(_request, ctx) {
    const file = await suiteTableFile(ctx.state.experimentsRoot, ctx.params.suite, ctx.params.file, ctx.url);
    return new Response(file.text, {
      headers: {
        "content-type": file.contentType,
        "content-disposition": `attachment; filename="${file.filename}"`,
      },
    });
  },
};
