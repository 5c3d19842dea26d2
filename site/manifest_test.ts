import assert from "node:assert/strict";
import { manifest } from "./manifest.ts";
import { routePattern } from "./fresh.tsx";
import { manifestSource } from "./manifest_gen.ts";

async function filesUnder(directory: URL, prefix: string): Promise<string[]> {
  const files: string[] = [];
  for await (const entry of Deno.readDir(directory)) {
    if (entry.isDirectory) {
      files.push(...await filesUnder(new URL(`${entry.name}/`, directory), `${prefix}${entry.name}/`));
    } else if (/\.tsx?$/.test(entry.name) && !entry.name.endsWith("_test.ts")) {
      files.push(`${prefix}${entry.name}`);
    }
  }
  return files.sort();
}

Deno.test("the manifest lists every route module under routes/ and every island under islands/", async () => {
  const routes = await filesUnder(new URL("../routes/", import.meta.url), "routes/");
  assert.deepEqual(
    [...Object.keys(manifest.routes), "routes/_app.tsx"].sort(),
    routes,
    "run `deno run -A site/manifest_gen.ts`",
  );
  const islands = (await filesUnder(new URL("../islands/", import.meta.url), "")).map((f) =>
    f.replace(/\.tsx$/, "")
  );
  assert.deepEqual([...manifest.islands].sort(), islands.sort());
});

Deno.test("routePattern maps Fresh file names to URL patterns and rejects names that are not routes", () => {
  assert.equal(routePattern("routes/index.tsx"), "/");
  assert.equal(routePattern("routes/upload.tsx"), "/upload");
  assert.equal(routePattern("routes/suites/[suite]/index.tsx"), "/suites/:suite");
  assert.equal(
    routePattern("routes/api/suites/[suite]/[variant]/samples/[file].ts"),
    "/api/suites/:suite/:variant/samples/:file",
  );
  assert.throws(() => routePattern("site/server.ts"), /not a \.ts\/\.tsx file under routes\//);
  assert.throws(() => routePattern("routes/[a b].tsx"), RangeError);
});

Deno.test("site/manifest.ts is what site/manifest_gen.ts derives from routes/ and islands/ (not kept by hand)", async () => {
  const committed = await Deno.readTextFile(new URL("./manifest.ts", import.meta.url));
  assert.equal(committed, await manifestSource(), "run `deno run -A site/manifest_gen.ts`");
});
