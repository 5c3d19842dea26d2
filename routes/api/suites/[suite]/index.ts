/**
 * `GET /api/suites/:suite`: the suite's config and every variant's result (status, metrics, samples, and
 * whether a model can render it).
 *
 * @module
 */

import { checkName, listVariantResults, readSuite } from "../../../../experiments/store.ts";
import type { Handlers } from "../../../../site/fresh.tsx";
import { json } from "../../../../site/http.ts";
import { variantModels } from "../../../../site/variants.ts";

/** The suite as JSON. */
export const handler: Handlers = {
  async GET(_request, ctx) {
    const name = checkName(ctx.params.suite, "suite");
    const suite = await readSuite(name, ctx.state.experimentsRoot);
    const models = await variantModels(ctx.state, name);
    const variants = (await listVariantResults(name, ctx.state.experimentsRoot)).map((v) => ({
      ...v,
      modelPath: undefined, // server paths stay on the server
      hasModel: models.get(v.variant) !== null,
    }));
    return json({ suite, variants });
  },
};
