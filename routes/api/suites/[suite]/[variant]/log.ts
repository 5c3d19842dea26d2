/**
 * `GET /api/suites/:suite/:variant/log`: the training log's records (`[{ step, time, losses }]`).
 *
 * @module
 */

import { readLog } from "../../../../../experiments/store.ts";
import type { Handlers } from "../../../../../site/fresh.tsx";
import { json } from "../../../../../site/http.ts";

/** The log as JSON. */
export const handler: Handlers = {
  async GET(_request, ctx) {
    return json(await readLog(ctx.params.suite, ctx.params.variant, ctx.state.experimentsRoot));
  },
};
