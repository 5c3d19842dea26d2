/**
 * `GET /api/suites/:suite`: the suite's config and every variant's result (status, metrics, samples).
 *
 * @module
 */

import { checkName, listVariantResults, readSuite } from "../../../../experiments/store.ts";
import type { Handlers } from "../../../../site/fresh.tsx";
import { errorResponse, json } from "../../../../site/http.ts";

/** The suite as JSON. */
export const handler: Handlers = {
  async GET(_request, ctx) {
    try {
      const name = checkName(ctx.params.suite, "suite");
      const suite = await readSuite(name, ctx.state.experimentsRoot);
      const variants = (await listVariantResults(name, ctx.state.experimentsRoot)).map((v) => ({
        ...v,
        modelPath: undefined, // server paths stay on the server
        hasModel: v.modelPath !== null,
      }));
      return json({ suite, variants });
    } catch (error) {
      return errorResponse(error);
    }
  },
};
