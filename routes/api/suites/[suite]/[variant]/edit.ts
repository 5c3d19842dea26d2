/**
 * `GET /api/suites/:suite/:variant/edit?sample=00&component=0&gamma=1.5[&direction=name][&phase1=1]`: the sample
 * inverted by the variant, w moved γ standard deviations along a principal direction of W (or γ along a learned
 * InterFaceGAN direction: `direction=footwear`), rendered with the predicted ΔW (or with none: `phase1=1`, and
 * always for a phase-I-only variant). PNG.
 *
 * @module
 */

import type { Handlers } from "../../../../../site/fresh.tsx";
import { numberParam, renderSample } from "../../../../../site/render_sample.ts";
import { EDIT_COMPONENTS } from "../../../../../site/inference_tasks.ts";
import { findLearnedDirections } from "../../../../../site/directions.ts";
import { checkName } from "../../../../../experiments/store.ts";

/** The learned direction a request names (null: a principal direction). */
async function learnedDirection(name: string | null, modelPaths: string[]) {
  if (!name) return undefined;
  checkName(name, "direction");
  const found = await findLearnedDirections(modelPaths);
  if (!found?.names.includes(name)) {
    throw new Deno.errors.NotFound(
      `No learned direction "${name}"${
        found ? ` (there are: ${found.names.join(", ")})` : " (none learned)"
      }`,
    );
  }
  return { file: found.file, name };
}

/** Renders the edit. */
export const handler: Handlers = {
  GET(_request, ctx) {
    return renderSample(ctx.state, ctx.params, async (model) => ({
      kind: "edit",
      modelPath: model.modelPath,
      learned: await learnedDirection(ctx.url.searchParams.get("direction"), model.directionModels),
      image: await model.readSample(ctx.url.searchParams.get("sample") ?? "00"),
      component: numberParam(ctx.url, "component", 0, [0, EDIT_COMPONENTS - 1]) | 0,
      gamma: numberParam(ctx.url, "gamma", 0, [-10, 10]),
      phaseOneOnly: model.phaseOneOnly || ctx.url.searchParams.get("phase1") === "1",
    }));
  },
};
