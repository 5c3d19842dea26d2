/**
 * `GET /api/suites/:suite/:variant/delta_w`: mean |ΔW| per layer (`[{ layer, meanAbs }]`, or null).
 *
 * @module
 */

import { readDeltaW } from "../../../../../experiments/store.ts";
import type { Handlers } from "../../../../../site/fresh.tsx";
import { json } from "../../../../../site/http.ts";

/** The ΔW statistics as JSON. */
export const handler: Handlers = {
  async GET(_request, ctx) {
    return json(await readDeltaW(ctx.params.suite, ctx.params.variant, ctx.state.experimentsRoot));
  },
};
