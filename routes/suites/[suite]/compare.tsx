/**
 * `/suites/:suite/compare?variants=a,b`: 1–10 chosen variants on the same sample inputs (side by side with a
 * before/after slider, synchronized zoom and error heatmap, or a variants × samples grid; against the input or
 * the difference to a chosen variant), their metrics, their training and validation curves overlaid (one axis
 * per unit, a shared step axis) and their per-layer ΔW as grouped bars and a layer × variant heatmap.
 *
 * @module
 */

/** @jsx h */
import { h, type VNode } from "../../../deps.ts";
import {
  checkName,
  listVariantResults,
  readDeltaW,
  readLog,
  readSuite,
  type VariantResult,
} from "../../../experiments/store.ts";
import { deltaWTable } from "../../../experiments/suite_tables.ts";
import type { ExportTable } from "../../../experiments/table_export.ts";
import { DeltaWHeatmap } from "../../../components/DeltaWHeatmap.tsx";
import { ExportLinks } from "../../../components/ExportLinks.tsx";
import { type Handlers, Island, type PageProps } from "../../../site/fresh.tsx";
import { MetricsTable } from "../../../components/MetricsTable.tsx";
import CompareViewer from "../../../islands/CompareViewer.tsx";
import LinePlot, { type LinePlotProps } from "../../../islands/LinePlot.tsx";
import { curvesPlot, deltaWPlot } from "../../../site/plots.ts";
import { sampleIndices } from "../../../site/variants.ts";

interface Data {
  suite: string;
  chosen: VariantResult[];
  samples: string[];
  deltaW: LinePlotProps | null;
  deltaWTable: ExportTable | null;
  curves: LinePlotProps | null;
}

/** Most variants compared at once. */
const MAX_COMPARED = 10;

/** Reads the chosen variants. */
export const handler: Handlers<Data> = {
  async GET(_request, ctx) {
    const suite = checkName(ctx.params.suite, "suite");
    const names = (ctx.url.searchParams.get("variants") ?? "").split(",").filter(Boolean)
      .concat(ctx.url.searchParams.getAll("variant"))
      .map((v) => checkName(v, "variant"));
    if (!names.length) throw new RangeError("Choose variants to compare: ?variants=a,b");
    if (names.length > MAX_COMPARED) {
      throw new RangeError(`Compare at most ${MAX_COMPARED} variants at once`);
    }
    const results = await listVariantResults(suite, ctx.state.experimentsRoot);
    const chosen = [...new Set(names)].map((name) => {
      const found = results.find((r) => r.variant === name);
      if (!found) throw new Deno.errors.NotFound(`Suite "${suite}" has no variant "${name}"`);
      return found;
    });
    const lists = chosen.map((r) => sampleIndices(r.samples));
    const samples = lists[0].filter((s) => lists.every((list) => list.includes(s)));
    await readSuite(suite, ctx.state.experimentsRoot);
    const root = ctx.state.experimentsRoot;
    const deltaWRows = await Promise.all(chosen.map(async (r) => ({
      label: r.label,
      rows: await readDeltaW(suite, r.variant, root),
    })));
    const withDeltaW = deltaWRows.filter((d) => d.rows?.length).map((d) => ({
      label: d.label,
      rows: d.rows!,
    }));
    const curves = curvesPlot(
      "curves",
      await Promise.all(
        chosen.map(async (r) => ({ label: r.label, records: await readLog(suite, r.variant, root) })),
      ),
    );
    return ctx.render({
      suite,
      chosen,
      samples,
      deltaW: deltaWPlot("delta-w", deltaWRows),
      deltaWTable: withDeltaW.length ? deltaWTable(withDeltaW) : null,
      curves: curves ? { ...curves, width: 900, height: 320 } : null,
    });
  },
};

/**
 * The page.
 *
 * @param props the chosen variants
 * @returns the page
 */
export default function ComparePage({ data }: PageProps<Data>): VNode {
  const variantsQuery = `variants=${data.chosen.map((r) => r.variant).join(",")}`;
  return (
    <div>
      <h1>
        <a href={`/suites/${data.suite}`}>{data.suite}</a>: {data.chosen.map((r) => r.label).join(" vs ")}
      </h1>
      <Island
        name="CompareViewer"
        component={CompareViewer}
        props={{
          suite: data.suite,
          variants: data.chosen.map((r) => ({ variant: r.variant, label: r.label })),
          samples: data.samples,
        }}
      />
      <h2>Metrics</h2>
      <MetricsTable results={data.chosen} />
      <p>
        <ExportLinks suite={data.suite} table="metrics" query={variantsQuery} />
      </p>
      <h2>Curves</h2>
      {data.curves
        ? <Island name="LinePlot" component={LinePlot} props={data.curves} />
        : <p class="muted">None of these variants has a training log.</p>}
      <p class="muted">
        Solid: training; dashed: validation. Click a legend entry to hide or show its curve.
      </p>
      {data.deltaW
        ? (
          <div>
            <h2>ΔW per layer</h2>
            <Island name="LinePlot" component={LinePlot} props={data.deltaW} />
            {data.deltaWTable
              ? <DeltaWHeatmap table={data.deltaWTable} suite={data.suite} exportQuery={variantsQuery} />
              : null}
          </div>
        )
        : null}
    </div>
  );
}
