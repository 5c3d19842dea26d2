/**
 * `/suites/:suite`: the live progress of a running suite, the factor grid (when the suite declares factors), the
 * suite table (sortable, the paper's numbers beside ours) with its exports, and the variants to compare.
 *
 * @module
 */

/** @jsx h */
import { h, type VNode } from "../../../deps.ts";
import { checkName, listVariantResults, readSuite, type Suite } from "../../../experiments/store.ts";
import { type Handlers, Island, type PageProps } from "../../../site/fresh.tsx";
import SuiteTable, { OUR_COLUMNS, PAPER_COLUMNS, type SuiteRow } from "../../../islands/SuiteTable.tsx";
import FactorGrid from "../../../islands/FactorGrid.tsx";
import SuiteProgress from "../../../islands/SuiteProgress.tsx";
import { gridPoints } from "../../../experiments/suite_tables.ts";
import type { GridPoint } from "../../../experiments/factor_grid.ts";
import { suiteProgress, type VariantProgressRow } from "../../../site/suite_progress.ts";
import { sampleIndices } from "../../../site/variants.ts";

interface Data {
  suite: Suite;
  rows: SuiteRow[];
  points: GridPoint[];
  progress: VariantProgressRow[];
  /** Milliseconds between progress polls (`?poll=` for tests, 250 … 60000). */
  poll: number;
}

/** Reads the suite and its results. */
export const handler: Handlers<Data> = {
  async GET(_request, ctx) {
    const name = checkName(ctx.params.suite, "suite");
    const suite = await readSuite(name, ctx.state.experimentsRoot);
    const results = await listVariantResults(name, ctx.state.experimentsRoot);
    const rows = results.map((r): SuiteRow => ({
      variant: r.variant,
      label: r.label,
      status: r.status,
      comparable: sampleIndices(r.samples).length > 0,
      ours: Object.fromEntries(OUR_COLUMNS.map((c) => [c.key, (r.metrics?.[c.key] as number) ?? null])),
      paper: r.paper
        ? Object.fromEntries(
          PAPER_COLUMNS.map((c) => [c.key, (r.paper as Record<string, number>)[c.key] ?? null]),
        )
        : null,
      paperRow: r.paper?.row ?? null,
      factors: r.factors,
    }));
    const poll = Math.min(60_000, Math.max(250, Number(ctx.url.searchParams.get("poll") ?? 2000) || 2000));
    const { variants: progress } = await suiteProgress(ctx.state.experimentsRoot, name);
    return ctx.render({ suite, rows, points: gridPoints(results), progress, poll });
  },
};

/**
 * The page.
 *
 * @param props suite and rows
 * @returns the page
 */
export default function SuitePage({ data }: PageProps<Data>): VNode {
  return (
    <div>
      <h1>Suite {data.suite.name}</h1>
      <p class="muted">{data.suite.description}</p>
      <p class="muted">
        Base model <code>{data.suite.base}</code>; {data.suite.training.steps}{" "}
        training steps per variant. Grey columns: the paper's Table 3 (FFHQ 1024², D=256) for the rows our
        variants mirror.
      </p>
      <h2>Progress</h2>
      <Island
        name="SuiteProgress"
        component={SuiteProgress}
        props={{ suite: data.suite.name, variants: data.progress, interval: data.poll }}
      />
      {data.suite.factors && data.suite.factors.length >= 2
        ? (
          <div>
            <h2>Grid by factor</h2>
            <Island
              name="FactorGrid"
              component={FactorGrid}
              props={{ suite: data.suite.name, factors: data.suite.factors, points: data.points }}
            />
          </div>
        )
        : null}
      <h2>Variants</h2>
      <Island
        name="SuiteTable"
        component={SuiteTable}
        props={{ suite: data.suite.name, rows: data.rows, factors: data.suite.factors ?? [] }}
      />
    </div>
  );
}
