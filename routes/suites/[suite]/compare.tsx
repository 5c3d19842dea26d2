/**
 * `/suites/:suite/compare?variants=a,b`: chosen variants side by side on the same sample inputs (before/after
 * slider, synchronized zoom, error heatmap), their metrics and their ΔW statistics.
 *
 * @module
 */

/** @jsx h */
import { h, type VNode } from "../../../deps.ts";
import { checkName, listVariantResults, readDeltaW, type VariantResult } from "../../../experiments/store.ts";
import { type Handlers, Island, type PageProps } from "../../../site/fresh.tsx";
import { MetricsTable } from "../../../components/MetricsTable.tsx";
import CompareViewer from "../../../islands/CompareViewer.tsx";
import LinePlot, { type LinePlotProps } from "../../../islands/LinePlot.tsx";
import { deltaWPlot } from "../../../site/plots.ts";
import { sampleIndices } from "../../../site/variants.ts";

interface Data {
  suite: string;
  chosen: VariantResult[];
  samples: string[];
  deltaW: LinePlotProps | null;
}

/** Most variants shown side by side. */
const MAX_COMPARED = 6;

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
    const deltaW = deltaWPlot(
      "delta-w",
      await Promise.all(chosen.map(async (r) => ({
        label: r.label,
        rows: await readDeltaW(suite, r.variant, ctx.state.experimentsRoot),
      }))),
    );
    return ctx.render({ suite, chosen, samples, deltaW });
  },
};

/**
 * The page.
 *
 * @param props the chosen variants
 * @returns the page
 */
export default function ComparePage({ data }: PageProps<Data>): VNode {
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
      {data.deltaW
        ? (
          <div>
            <h2>ΔW statistics</h2>
            <Island name="LinePlot" component={LinePlot} props={data.deltaW} />
          </div>
        )
        : null}
    </div>
  );
}
