/**
 * `GET /api/suites/:suite/:variant/samples/:file`: one sample image (`NN_input.png`, `NN_phase1.png`,
 * `NN_final.png`). Names are checked against the store's patterns, so the path never leaves the results folder.
 *
 * @module
 */

import { samplePath } from "../../../../../../experiments/store.ts";
import type { Handlers } from "../../../../../../site/fresh.tsx";
import { jsonError } from "../../../../../../site/http.ts";

/** Serves the PNG. */
export const handler: Handlers = {
  async GET(_request, ctx) {
    const { suite, variant, file } = ctx.params;
    const path = samplePath(suite, variant, file, ctx.state.experimentsRoot);
    let bytes: Uint8Array;
    try {
      bytes = await Deno.readFile(path);
    } catch {
      return jsonError(404, "not_found", `No sample "${file}" for variant "${variant}"`);
    }
    return new Response(bytes as Uint8Array<ArrayBuffer>, {
      headers: { "content-type": "image/png", "cache-control": "no-cache" },
    });
  },
};
