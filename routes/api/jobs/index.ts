/**
 * `POST /api/jobs` (multipart form: `image`, `suite`, `variant`…): queues an upload to run through the chosen
 * variants. Answers 202 `{ id, events, status }`; 413 when the body passes the byte limit; 422 when the file is
 * not an image or too large in pixels; 400 for a bad form; 503 `{ "error": "busy" }` when the queue is full.
 *
 * @module
 */

import type { Handlers } from "../../../site/fresh.tsx";
import { json, jsonError, publicMessage } from "../../../site/http.ts";
import { readBodyWithLimit } from "../../../site/images.ts";
import { submitUpload } from "../../../site/upload_job.ts";

/** Form overhead allowed beyond the image's own limit (field names, boundaries). */
const FORM_OVERHEAD = 64 * 1024;

/** Accepts an upload. */
export const handler: Handlers = {
  async POST(request, ctx) {
    const type = request.headers.get("content-type") ?? "";
    if (!type.startsWith("multipart/form-data")) {
      return jsonError(
        415,
        "unsupported_media_type",
        `Send multipart/form-data, not ${JSON.stringify(type)}`,
      );
    }
    const body = await readBodyWithLimit(request, ctx.state.limits.maxUploadBytes + FORM_OVERHEAD);
    let form: FormData;
    try {
      form = await new Response(body as Uint8Array<ArrayBuffer>, { headers: { "content-type": type } })
        .formData();
    } catch (error) {
      return jsonError(
        400,
        "bad_form",
        publicMessage(`The form could not be read: ${(error as Error).message}`),
      );
    }
    const job = await submitUpload(ctx.state, form);
    return json(
      { id: job.id, status: job.status, events: `/api/jobs/${job.id}/events`, job: `/api/jobs/${job.id}` },
      { status: 202, headers: { location: `/api/jobs/${job.id}` } },
    );
  },
};
