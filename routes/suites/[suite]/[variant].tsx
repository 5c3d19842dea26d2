/**
 * `/suites/:suite/:variant`: one variant: its metrics beside the paper's, the ΔW statistics plot, the loss
 * curves, and edit sliders and interpolation rendered by its model.
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
import { type Handlers, Island, type PageProps } from "../../../site/fresh.tsx";
import { MetricsTable } from "../../../components/MetricsTable.tsx";
import { ExportLinks } from "../../../components/ExportLinks.tsx";
import LinePlot, { type LinePlotProps } from "../../../islands/LinePlot.tsx";
import EditPanel from "../../../islands/EditPanel.tsx";
import TrainButton from "../../../islands/TrainButton.tsx";
import { deltaWPlot, lossPlot } from "../../../site/plots.ts";
import { sampleIndices, variantModel } from "../../../site/variants.ts";
import { EDIT_COMPONENTS } from "../../../site/inference_tasks.ts";
import { findLearnedDirections } from "../../../site/directions.ts";

interface Data {
  suite: string;
  result: VariantResult;
  description: string | null;
  changes: string;
  hasModel: boolean;
  phaseOneOnly: boolean;
  /** Learned InterFaceGAN directions that apply (the variant's model's, else its base model's). */
  learned: string[];
  deltaW: LinePlotProps | null;
  losses: LinePlotProps | null;
}

/** Reads the variant. */
export const handler: Handlers<Data> = {
  async GET(_request, ctx) {
    const suite = checkName(ctx.params.suite, "suite"), variant = checkName(ctx.params.variant, "variant");
    const spec = (await readSuite(suite, ctx.state.experimentsRoot)).variants.find((v) => v.name === variant);
    if (!spec) throw new Deno.errors.NotFound(`Suite "${suite}" has no variant "${variant}"`);
    const result = (await listVariantResults(suite, ctx.state.experimentsRoot)).find((r) =>
      r.variant === variant
    )!;
    const model = await variantModel(ctx.state, suite, variant);
    return ctx.render({
      suite,
      result,
      description: spec.description ?? null,
      changes: JSON.stringify(spec.changes ?? {}),
      hasModel: model !== null,
      phaseOneOnly: model?.phaseOneOnly ?? false,
      learned: model
        ? (await findLearnedDirections([model.modelPath, model.baseModelPath]))?.names ?? []
        : [],
      deltaW: deltaWPlot("delta-w", [{
        label: result.label,
        rows: await readDeltaW(suite, variant, ctx.state.experimentsRoot),
      }]),
      losses: lossPlot("losses", await readLog(suite, variant, ctx.state.experimentsRoot)),
    });
  },
};

/**
 * The page.
 *
 * @param props the variant
 * @returns the page
 */
export default function VariantPage({ data }: PageProps<Data>): VNode {
  const r = data.result;
  return (
    <div>
      <h1>
        <a href={`/suites/${data.suite}`}>{data.suite}</a>: {r.label}
      </h1>
      {data.description ? <p class="muted">{data.description}</p> : null}
      <p class="muted">
        Mode <code>{r.mode}</code>, changes <code>{data.changes}</code>, status{" "}
        <span class={`status-${r.status}`}>{r.status}</span>
        {r.paper?.row ? `; mirrors the paper's row "${r.paper.row}"` : ""}.
      </p>
      <MetricsTable results={[r]} />
      <p>
        <ExportLinks suite={data.suite} table="metrics" query={`variants=${r.variant}`} />
      </p>
      {r.status === "pending"
        ? (
          <Island
            name="TrainButton"
            component={TrainButton}
            props={{
              suite: data.suite,
              variant: r.variant,
              action: r.mode === "train" && !data.hasModel ? "Train and evaluate" : "Evaluate",
            }}
          />
        )
        : null}
      <div class="row">
        {data.deltaW
          ? <Island name="LinePlot" component={LinePlot} props={data.deltaW} />
          : <p class="muted">No ΔW statistics (delta_w.json) for this variant.</p>}
        {data.losses
          ? <Island name="LinePlot" component={LinePlot} props={data.losses} />
          : <p class="muted">No training log (log.jsonl) for this variant.</p>}
      </div>
      {data.hasModel
        ? (
          <Island
            name="EditPanel"
            component={EditPanel}
            props={{
              suite: data.suite,
              variant: r.variant,
              samples: sampleIndices(r.samples),
              components: EDIT_COMPONENTS,
              phaseOneOnly: data.phaseOneOnly,
              learned: data.learned,
            }}
          />
        )
        : r.status === "pending"
        ? <p class="muted">This variant has no model yet: train it (above, or `deno task ablate`).</p>
        : (
          <p class="muted">
            This variant's model is not stored in the repository (only its results are):{" "}
            <code>deno task ablate {data.suite} --restore-models</code> trains it again for edits and uploads.
          </p>
        )}
    </div>
  );
}
