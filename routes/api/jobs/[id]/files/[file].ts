/**
 * `GET /api/jobs/:id/files/:file`: a file an upload job produced: its images (`<variant>_input.png`, `_phase1`,
 * `_final`, `_pasted`) and its compact inversion file (`<variant>_inversion.safetensors`, as a download).
 *
 * @module
 */

import type { Handlers } from "../../../../../site/fresh.tsx";
import { jsonError } from "../../../../../site/http.ts";
import { JOB_ID_PATTERN, queueOf } from "../../../../../site/job_view.ts";
import { JOB_FILE_PATTERN, type UploadResult } from "../../../../../site/upload_job.ts";

/** Serves the file: a PNG inline, an inversion file as an attachment. */
export const handler: Handlers = {
  GET(_request, ctx) {
    const { id, file } = ctx.params;
    if (!JOB_ID_PATTERN.test(id)) {
      return jsonError(400, "bad_request", `Invalid job id ${JSON.stringify(id)}`);
    }
    if (!JOB_FILE_PATTERN.test(file)) {
      return jsonError(400, "bad_request", `Invalid file name ${JSON.stringify(file)}`);
    }
    const job = queueOf(ctx.state, id)?.get(id);
    if (!job) return jsonError(404, "not_found", `No job "${id}"`);
    if (job.status !== "done") return jsonError(409, "not_ready", `Job "${id}" is ${job.status}`);
    const bytes = (job.result as UploadResult | undefined)?.files?.get(file);
    if (!bytes) return jsonError(404, "not_found", `Job "${id}" has no file "${file}"`);
    const headers: Record<string, string> = file.endsWith(".safetensors")
      ? {
        "content-type": "application/octet-stream",
        "content-disposition": `attachment; filename="${file}"`,
      }
      : { "content-type": "image/png" };
    return new Response(bytes as Uint8Array<ArrayBuffer>, {
      headers: { ...headers, "cache-control": "private, max-age=3600" },
    });
  },
};
