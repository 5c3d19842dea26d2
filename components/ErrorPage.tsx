/**
 * Error pages: a short HTML page with the status that fits the error (400 for an invalid name, 404 for a
 * missing suite or variant, 500 otherwise).
 *
 * @module
 */

/** @jsx h */
import { h } from "../deps.ts";
import { renderPage } from "../site/fresh.tsx";
import App from "../routes/_app.tsx";

/**
 * The status of an error.
 *
 * @param error what was thrown
 * @returns 400, 404 or 500
 * @example
 * ```ts
 * import { statusOf } from "./ErrorPage.tsx";
 * console.log(statusOf(new RangeError("Invalid suite"))); // 400
 * ```
 */
export function statusOf(error: unknown): number {
  if (error instanceof Deno.errors.NotFound) return 404;
  if (error instanceof RangeError) return 400;
  return 500;
}

/**
 * An error page.
 *
 * @param error what was thrown
 * @returns the HTML response with the fitting status
 */
export function errorPage(error: unknown): Response {
  const status = statusOf(error);
  const message = (error as Error)?.message ?? String(error);
  const Page = () => (
    <div>
      <h1>{status === 404 ? "Not found" : status === 400 ? "Bad request" : "Error"}</h1>
      <p class="error">{message}</p>
      <p>
        <a href="/">Back to the suites</a>
      </p>
    </div>
  );
  return renderPage(App, {
    component: Page,
    props: { data: null, params: {}, url: new URL("http://local/") },
  }, {
    status,
  });
}
