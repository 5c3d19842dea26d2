/**
 * `GET /api/jobs/:id`: a job's status, last progress and (when done) result summary.
 *
 * @module
 */

import type { Handlers } from "../../../../site/fresh.tsx";
import { json, jsonError, publicMessage } from "../../../../site/http.ts";
import { JOB_ID_PATTERN, publicJob, queueOf } from "../../../../site/job_view.ts";

/** The job as JSON. */
export const handler: Handlers = {
  GET(_request, ctx) {
    const id = ctx.params.id;
    if (!JOB_ID_PATTERN.test(id)) {
      return jsonError(400, "bad_request", `Invalid job id ${JSON.stringify(id)}`);
    }
    const job = queueOf(ctx.state, id)?.get(id);
    if (!job) return jsonError(404, "not_found", `No job "${id}" (finished jobs are kept for a while only)`);
    const view = publicJob(job);
    if (typeof view.error === "string") view.error = publicMessage(view.error); // a failure may name server paths
    return json(view);
  },
};
