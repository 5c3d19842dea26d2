import assert from "node:assert/strict";
import { Hono } from "../deps.ts";
import { registerRoutes } from "./fresh.tsx";
import * as app from "../routes/_app.tsx";
import { UploadRejected } from "./http.ts";
import type { SiteState } from "./state.ts";

Deno.test("a route's thrown error takes the one error path: JSON for an API, the error page for a page", async () => {
  const site = new Hono();
  const throwing = (error: Error) => ({ GET: () => Promise.reject(error) });
  registerRoutes(site, {
    app,
    routes: {
      "routes/api/missing.ts": { handler: throwing(new Deno.errors.NotFound('No suite "x" in /srv/secret')) },
      "routes/api/upload.ts": { handler: throwing(new UploadRejected(422, "not_an_image", "Not an image")) },
      "routes/page.tsx": { handler: throwing(new RangeError("Invalid suite")), default: () => null },
    },
    islands: [],
  }, {} as SiteState);
  const missing = await site.request("/api/missing");
  assert.equal(missing.status, 404);
  const body = await missing.json();
  assert.equal(body.error, "not_found");
  assert.doesNotMatch(body.message, /\/srv\/secret/, "no server paths");
  const upload = await site.request("/api/upload");
  assert.equal(upload.status, 422);
  assert.equal((await upload.json()).error, "not_an_image");
  const page = await site.request("/page");
  assert.equal(page.status, 400);
  assert.match(page.headers.get("content-type")!, /text\/html/);
  assert.match(await page.text(), /Bad request[\s\S]*Invalid suite/);
});
