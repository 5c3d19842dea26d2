/**
 * What the browser sees of a job: its status and events, with an upload's PNG bytes replaced by their URLs.
 *
 * @module
 */

import type { Job, JobEvent, JobQueue } from "./job_queue.ts";
import type { SiteState } from "./state.ts";

/** Job ids as `JobQueue` makes them. */
export const JOB_ID_PATTERN = /^[a-z0-9-]{1,64}$/;

/**
 * The public form of a job's result: an upload's `summary` (the files are served separately).
 *
 * @param result the job's result
 * @returns JSON-safe value
 * @example
 * ```ts
 * import { publicResult } from "./job_view.ts";
 * console.log(publicResult({ summary: { a: 1 }, files: new Map() })); // { a: 1 }
 * ```
 */
export function publicResult(result: unknown): unknown {
  if (result && typeof result === "object" && "summary" in result) {
    return (result as { summary: unknown }).summary;
  }
  return result instanceof Float32Array ? null : result;
}

/**
 * The public form of an event.
 *
 * @param event a job event
 * @returns the event with a public result
 */
export function publicEvent(event: JobEvent): JobEvent {
  return event.type === "done" ? { type: "done", result: publicResult(event.result) } : event;
}

/**
 * The public form of a job.
 *
 * @param job the job
 * @returns id, kind, status, last progress and result
 */
export function publicJob(job: Job): Record<string, unknown> {
  const progress = job.events.findLast((e) => e.type === "progress");
  const failure = job.events.find((e) => e.type === "error");
  return {
    id: job.id,
    kind: job.kind,
    status: job.status,
    progress: progress ?? null,
    error: failure?.type === "error" ? failure.message : null,
    result: job.status === "done" ? publicResult(job.result) : null,
  };
}

/**
 * The queue that holds a job (uploads and renders, or training).
 *
 * @param state site state
 * @param id job id
 * @returns the queue, or null when no queue knows the job
 */
export function queueOf(state: SiteState, id: string): JobQueue | null {
  return [state.queue, state.training].find((queue) => queue.get(id)) ?? null;
}
