/**
 * Small HTTP helpers shared by the API routes: JSON answers, errors with a clear message, and the mapping from
 * errors to status codes.
 *
 * @module
 */

import { QueueFullError } from "./job_queue.ts";

/**
 * A JSON response.
 *
 * @param body any JSON value
 * @param init status and headers
 * @returns the response
 * @example
 * ```ts
 * import { json } from "./http.ts";
 * console.log(json({ ok: true }, { status: 201 }).status); // 201
 * ```
 */
export function json(body: unknown, init: ResponseInit = {}): Response {
  const headers = new Headers(init.headers);
  headers.set("content-type", "application/json; charset=utf-8");
  return new Response(JSON.stringify(body), { ...init, headers });
}

/**
 * A JSON error `{ error, message }`.
 *
 * @param status HTTP status
 * @param error a short machine-readable code (`busy`, `not_found`, `too_large`, …)
 * @param message what went wrong, for people
 * @returns the response
 * @example
 * ```ts
 * import { jsonError } from "./http.ts";
 * console.log(jsonError(404, "not_found", "No suite \"x\"").status); // 404
 * ```
 */
export function jsonError(status: number, error: string, message: string, headers?: HeadersInit): Response {
  return json({ error, message }, { status, headers });
}

/**
 * The "busy" answer: 503 with `Retry-After`.
 *
 * @param error the queue's refusal
 * @returns the response
 */
export function busy(error: QueueFullError): Response {
  return json(
    { error: "busy", message: error.message, capacity: error.capacity },
    { status: 503, headers: { "retry-after": "5" } },
  );
}

/**
 * Maps an error to a response: invalid names and values (RangeError) → 400, missing things → 404, a full queue → 503;
 * anything else → 500 with its message.
 *
 * @param error what was thrown
 * @returns the response
 * @example
 * ```ts
 * import { errorResponse } from "./http.ts";
 * console.log(errorResponse(new RangeError("Invalid suite \"..\"")).status); // 400
 * ```
 */
export function errorResponse(error: unknown): Response {
  if (error instanceof QueueFullError) return busy(error);
  const message = (error as Error)?.message ?? String(error);
  if (error instanceof Deno.errors.NotFound) return jsonError(404, "not_found", message);
  if (error instanceof RangeError) return jsonError(400, "bad_request", message);
  return jsonError(500, "internal", message);
}
