/**
 * `GET /api/suites/:suite/:variant/interpolate?a=00&b=01&t=0.5[&latent=1]`: two samples inverted by the
 * variant, w and every ΔW interpolated at t (or w alone with ΔW = 0: `latent=1`), rendered. PNG.
 *
 * @module
 */

import type { Handlers } from "../../../../../site/fresh.tsx";
import { numberParam, renderSample } from "../../../../../site/render_sample.ts";

/** Renders the interpolation. */
export const handler: Handlers = {
  GET(_request, ctx) {
    const query = ctx.url.searchParams;
    return renderSample(ctx.state, ctx.params, async (model) => ({
      kind: "interpolate",
      modelPath: model.modelPath,
      a: await model.readSample(query.get("a") ?? "00"),
      b: await model.readSample(query.get("b") ?? "01"),
      t: numberParam(ctx.url, "t", 0.5, [0, 1]),
      latentOnly: model.phaseOneOnly || query.get("latent") === "1",
    }));
  },
};
