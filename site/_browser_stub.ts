/**
 * Stands in for the server-only packages of `deps.ts` (onnxruntime-node, sharp, hono, …) when islands are bundled
 * for the browser (`bundle.ts`): islands import preact and uPlot through `deps.ts`, which also names native
 * packages that must never reach a page.
 *
 * @module
 */

/** Nothing: the browser never calls into the stubbed packages. */
const stub: Record<string, never> = {};
export default stub;
