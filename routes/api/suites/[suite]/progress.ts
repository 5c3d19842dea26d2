/**
 * `GET /api/suites/:suite/progress`: where each variant of the suite stands, read from the `progress.json`
 * files that `ablate` writes (on this machine or another one sharing the experiments folder):
 * `{ variants: [{ variant, status, progress: { state, step, steps, host, jobId, updatedAt } | null }] }`.
 * The suite page polls it.
 *
 * @module
 */

import type { Handlers } from "../../../../site/fresh.tsx";
import { json } from "../../../../site/http.ts";
import { suiteProgress } from "../../../../site/suite_progress.ts";

/** The progress as JSON (never cached: it changes while a suite runs). */
export const handler: Handlers = {
  async GET(_request, ctx) {
    return json(await suiteProgress(ctx.state.experimentsRoot, ctx.params.suite), {
      headers: { "cache-control": "no-store" },
    });
  },
};
