/**
 * Small HTTP helpers shared by the API routes: JSON answers, errors with a clear message, and the one mapping
 * from errors to status codes and public messages (no server paths, no 5000-character names).
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

/** Longest name (suite, variant, file) in bytes: a file name can be no longer on common file systems. */
export const MAX_NAME_BYTES = 255;

/** Longest run of non-space characters a public message keeps whole. */
const MAX_TOKEN = 200;

/** An absolute path of two segments or more, after a delimiter: `'/home/me/x/suites/a.json'` → `…/a.json`. */
const ABSOLUTE_PATH = /(^|[\s'"`(=:,[{])(\/[^\s'"`)\]},/]+(?:\/[^\s'"`)\]},/]*)+)/g;

/**
 * A message fit to leave the server: absolute paths are cut to their last segment, and runs of more than 200
 * characters without a space are shortened.
 *
 * @param message an error's message
 * @returns the message without server paths or huge names
 * @example
 * ```ts
 * import { publicMessage } from "./http.ts";
 * console.log(publicMessage("No such file: readfile '/srv/app/experiments/suites/x.json'"));
 * // "No such file: readfile '…/x.json'"
 * console.log(publicMessage(`Invalid suite "${"a".repeat(5000)}"`).length < 120); // true
 * ```
 */
export function publicMessage(message: string): string {
  return message
    .replace(ABSOLUTE_PATH, (_match, before: string, path: string) => `${before}…/${path.split("/").at(-1)}`)
    .replace(
      new RegExp(`\\S{${MAX_TOKEN + 1},}`, "g"),
      (token) => `${token.slice(0, 60)}…(${token.length} characters)…${token.slice(-2)}`,
    );
}

/** A name longer than the file system allows (`ENAMETOOLONG`, "os error 36"). */
function isNameTooLong(error: unknown): boolean {
  return (error as { code?: unknown })?.code === "ENAMETOOLONG";
}

/**
 * What a request's error says to the client: its status, a short code and a public message. Invalid names and
 * values (RangeError, or a name too long for a file name) → 400, missing things → 404, anything else → 500.
 *
 * @param error what was thrown
 * @returns status, code and message (without server paths)
 * @example
 * ```ts
 * import { describeError } from "./http.ts";
 * console.log(describeError(new Deno.errors.NotFound("No suite \"x\"")).status); // 404
 * ```
 */
export function describeError(error: unknown): { status: number; error: string; message: string } {
  const message = publicMessage((error as Error)?.message ?? String(error));
  if (error instanceof Deno.errors.NotFound) return { status: 404, error: "not_found", message };
  if (error instanceof RangeError) return { status: 400, error: "bad_request", message };
  if (isNameTooLong(error)) {
    return {
      status: 400,
      error: "name_too_long",
      message: `A name in the request is too long; names are at most ${MAX_NAME_BYTES} bytes`,
    };
  }
  return { status: 500, error: "internal", message };
}

/**
 * The error a page shows (`components/ErrorPage.tsx`): of the class that gives its status, with the public
 * message of {@linkcode describeError}.
 *
 * @param error what was thrown
 * @returns a NotFound (404), a RangeError (400) or an Error (500)
 * @example
 * ```ts
 * import { publicError } from "./http.ts";
 * const error = new Error("x");
 * Object.assign(error, { code: "ENAMETOOLONG" });
 * console.log(publicError(error) instanceof RangeError); // true
 * ```
 */
export function publicError(error: unknown): Error {
  const { status, message } = describeError(error);
  if (status >= 500) console.error(error);
  return status === 404
    ? new Deno.errors.NotFound(message)
    : status === 400
    ? new RangeError(message)
    : new Error(message);
}

/**
 * Maps an error to a response (see {@linkcode describeError}); a full queue → 503, a refused upload → its
 * status (413, 422) and code. A 500's error is logged on
 * the server with its stack.
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
  if (error instanceof UploadRejected) return jsonError(error.status, error.code, error.message);
  const { status, error: code, message } = describeError(error);
  if (status >= 500) console.error(error);
  return jsonError(status, code, message);
}

/** An upload that breaks a limit: `status` is the HTTP status to answer (413 or 422). */
export class UploadRejected extends Error {
  /**
   * @param status 413 (too many bytes) or 422 (not an image, or too large in pixels)
   * @param code short machine-readable reason
   * @param message what is wrong, for people
   */
  constructor(readonly status: 413 | 422, readonly code: string, message: string) {
    super(message);
    this.name = "UploadRejected";
  }
}
