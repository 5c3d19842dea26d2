/**
 * `GET /api/jobs/:id/events`: the job's progress as server-sent events (`text/event-stream`): `queued`
 * (position), `progress` (fraction, message), then `done` (result summary) or `error` (message); the stream
 * closes after the last (or when the client goes: the stream is cancelled). Past events are replayed, so a late
 * listener sees the whole story.
 *
 * @module
 */

import type { Handlers } from "../../../../site/fresh.tsx";
import { jsonError, publicMessage } from "../../../../site/http.ts";
import { JOB_ID_PATTERN, publicEvent, queueOf } from "../../../../site/job_view.ts";

/** Streams the events. */
export const handler: Handlers = {
  GET(_request, ctx) {
    const id = ctx.params.id;
    if (!JOB_ID_PATTERN.test(id)) {
      return jsonError(400, "bad_request", `Invalid job id ${JSON.stringify(id)}`);
    }
    const queue = queueOf(ctx.state, id);
    if (!queue) return jsonError(404, "not_found", `No job "${id}"`);
    const encoder = new TextEncoder();
    let stop: (() => void) | null = null;
    let closed = false;
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        const close = () => {
          if (closed) return;
          closed = true;
          stop?.();
          controller.close();
        };
        stop = queue.listen(id, (event) => {
          if (closed) return;
          // A failed job's message may name server paths.
          const shown = event.type === "error" ? { ...event, message: publicMessage(event.message) } : event;
          controller.enqueue(
            encoder.encode(`event: ${event.type}\ndata: ${JSON.stringify(publicEvent(shown))}\n\n`),
          );
          if (event.type === "done" || event.type === "error") queueMicrotask(close);
        });
        if (!stop) close();
      },
      cancel() {
        closed = true;
        stop?.();
      },
    });
    return new Response(body, {
      headers: {
        "content-type": "text/event-stream",
        "cache-control": "no-store",
        "x-accel-buffering": "no",
      },
    });
  },
};
