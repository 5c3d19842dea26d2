/**
 * `GET /api/suites`: the suites (name, description, number of variants).
 *
 * @module
 */

import { listSuites } from "../../../experiments/store.ts";
import type { Handlers } from "../../../site/fresh.tsx";
import { json } from "../../../site/http.ts";

/** Lists the suites as JSON. */
export const handler: Handlers = {
  async GET(_request, ctx) {
    return json(await listSuites(ctx.state.experimentsRoot));
  },
};
