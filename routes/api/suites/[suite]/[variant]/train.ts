/**
 * `POST /api/suites/:suite/:variant/train`: trains (if it has no model yet) and evaluates the variant in a
 * worker, one run at a time. Answers 202 `{ id, events }` (progress: SSE at `events`), 503 busy while another
 * run is under way, 404 for an unknown suite or variant.
 *
 * @module
 */

import type { Handlers } from "../../../../../site/fresh.tsx";
import { json } from "../../../../../site/http.ts";
import { submitTraining } from "../../../../../site/training_job.ts";

/** Queues the run. */
export const handler: Handlers = {
  async POST(_request, ctx) {
    const job = await submitTraining(ctx.state, ctx.params.suite, ctx.params.variant);
    return json(
      { id: job.id, status: job.status, events: `/api/jobs/${job.id}/events`, job: `/api/jobs/${job.id}` },
      { status: 202, headers: { location: `/api/jobs/${job.id}` } },
    );
  },
};
