/**
 * Writes `site/manifest.ts` from the files under `routes/` and `islands/` (Fresh's `fresh.gen.ts`): the route
 * list is derived from the folder, never kept by hand. `manifest_test.ts` fails when the committed manifest
 * differs from what this generates. Run after adding, renaming or removing a route or an island:
 * `deno run -A site/manifest_gen.ts`.
 *
 * @module
 */

const REPOSITORY = new URL("../", import.meta.url);

/** Files under a folder of the repository (`.ts`/`.tsx`, not tests), relative to the root, sorted. */
async function moduleFiles(folder: string): Promise<string[]> {
  const files: string[] = [];
  const walk = async (relative: string) => {
    for await (const entry of Deno.readDir(new URL(relative, REPOSITORY))) {
      const path = `${relative}${entry.name}`;
      if (entry.isDirectory) await walk(`${path}/`);
      else if (/\.tsx?$/.test(entry.name) && !/_test\.tsx?$/.test(entry.name)) files.push(path);
    }
  };
  await walk(`${folder}/`);
  return files.sort();
}

/**
 * The source of `site/manifest.ts` for the repository's `routes/` and `islands/` as they are now.
 *
 * @returns the TypeScript source, formatted as `deno fmt` leaves it
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { manifestSource } from "./manifest_gen.ts";
 * const source = await manifestSource();
 * assert.match(source, /"routes\/index\.tsx": \$\d+,/);
 * assert.match(source, /import \* as app from "\.\.\/routes\/_app\.tsx";/);
 * ```
 */
export async function manifestSource(): Promise<string> {
  const routes = (await moduleFiles("routes")).filter((f) => f !== "routes/_app.tsx");
  const islands = (await moduleFiles("islands")).map((f) =>
    f.replace(/^islands\//, "").replace(/\.tsx?$/, "")
  );
  const lines = [
    "/**",
    " * The site's routes and islands (Fresh's `fresh.gen.ts`), generated from `routes/` and `islands/` by",
    " * `deno run -A site/manifest_gen.ts`: do not edit by hand (`manifest_test.ts` checks it matches the folders).",
    " *",
    " * @module",
    " */",
    "",
    'import type { Manifest } from "./fresh.tsx";',
    'import * as app from "../routes/_app.tsx";',
    ...routes.map((file, i) => `import * as $${i} from "../${file}";`),
    "",
    "/** Every route and island. */",
    "export const manifest: Manifest = {",
    "  app,",
    "  routes: {",
    ...routes.map((file, i) => `    ${JSON.stringify(file)}: $${i},`),
    "  },",
    "  islands: [",
    ...islands.map((name) => `    ${JSON.stringify(name)},`),
    "  ],",
    "};",
    "",
  ];
  return lines.join("\n");
}

if (import.meta.main) {
  const path = new URL("site/manifest.ts", REPOSITORY);
  await Deno.writeTextFile(path, await manifestSource());
  console.log(`Wrote ${path.pathname}`);
}
