/**
 * Bundles the islands for the browser with `deno bundle`: one file per island (`<outDir>/<Name>.js`) that
 * hydrates every marker `data-island="<Name>"` of the page with the island's component and its JSON props.
 * Islands import preact and uPlot through `deps.ts`; the other packages `deps.ts` names (native or server-only)
 * are mapped to an empty stub (`_browser_stub.ts`, or `_browser_stub.json` for JSON imports) by an import map, so
 * no server code reaches the browser.
 *
 * @module
 */

const REPOSITORY = new URL("../", import.meta.url);

/** Packages of `deps.ts` that islands may use in the browser. */
export const BROWSER_PACKAGES: readonly string[] = ["preact", "uplot"];

/** Where bundles go by default (git-ignored). */
export const DEFAULT_BUNDLE_DIRECTORY: string = new URL("./.build/islands", import.meta.url).pathname;

/**
 * The `npm:` specifiers of `deps.ts` that are not browser packages: the import map sends them to the stub.
 *
 * @param depsSource the text of `deps.ts`
 * @returns specifiers such as `npm:onnxruntime-node@1.30.0`
 * @example
 * ```ts
 * import { serverOnlySpecifiers } from "./bundle.ts";
 * console.log(serverOnlySpecifiers('export * from "npm:sharp@1.0.0"; export { h } from "npm:preact@10.0.0";'));
 * // ["npm:sharp@1.0.0"]
 * ```
 */
export function serverOnlySpecifiers(depsSource: string): string[] {
  const specifiers = new Set<string>();
  for (const match of depsSource.matchAll(/["'](npm:(@?[^@"'/]+(?:\/[^@"']+)?)@[^"']+)["']/g)) {
    const name = match[2].split("/")[0];
    if (!BROWSER_PACKAGES.includes(name)) specifiers.add(match[1]);
  }
  return [...specifiers];
}

/** Options of {@linkcode bundleIslands}. */
export interface BundleOptions {
  /** Output folder (default {@linkcode DEFAULT_BUNDLE_DIRECTORY}). */
  outDir?: string;
  /** Minify (default true). */
  minify?: boolean;
}

/**
 * Bundles islands.
 *
 * @param islands island names (`islands/<Name>.tsx`)
 * @param options output folder, minify
 * @returns the bundle path of each island
 * @throws {Error} with the bundler's output when bundling fails
 * @example
 * ```ts
 * import { bundleIslands } from "./bundle.ts";
 * const bundles = await bundleIslands(["SuiteTable"], { outDir: await Deno.makeTempDir() });
 * console.log((await Deno.readTextFile(bundles.get("SuiteTable")!)).includes("data-island")); // true
 * ```
 */
export async function bundleIslands(
  islands: readonly string[],
  options: BundleOptions = {},
): Promise<Map<string, string>> {
  const outDir = options.outDir ?? DEFAULT_BUNDLE_DIRECTORY;
  await Deno.mkdir(outDir, { recursive: true });
  // Each run bundles in its own folder and renames the results into place, so that processes bundling at once
  // (parallel tests) never read a half-written file.
  const work = await Deno.makeTempDir({ dir: outDir, prefix: ".bundling-" });
  try {
    return await bundleInto(islands, outDir, work, options.minify ?? true);
  } finally {
    await Deno.remove(work, { recursive: true }).catch(() => {});
  }
}

async function bundleInto(
  islands: readonly string[],
  outDir: string,
  work: string,
  minify: boolean,
): Promise<Map<string, string>> {
  const entries = `${work}/entries`;
  await Deno.mkdir(entries, { recursive: true });
  const deps = await Deno.readTextFile(new URL("deps.ts", REPOSITORY));
  const stub = (specifier: string) =>
    new URL(specifier.endsWith(".json") ? "site/_browser_stub.json" : "site/_browser_stub.ts", REPOSITORY)
      .href;
  const importMap = `${entries}/import_map.json`;
  await Deno.writeTextFile(
    importMap,
    JSON.stringify(
      { imports: Object.fromEntries(serverOnlySpecifiers(deps).map((s) => [s, stub(s)])) },
      null,
      2,
    ),
  );
  const files: string[] = [];
  for (const name of islands) {
    if (!/^[A-Z][A-Za-z0-9]*$/.test(name)) {
      throw new RangeError(`Island name "${name}" is not a component name`);
    }
    const file = `${entries}/${name}.ts`;
    await Deno.writeTextFile(
      file,
      `import { h, hydrate } from ${JSON.stringify(new URL("deps.ts", REPOSITORY).href)};
import Island from ${JSON.stringify(new URL(`islands/${name}.tsx`, REPOSITORY).href)};
for (const element of document.querySelectorAll<HTMLElement>('[data-island="${name}"]')) {
  hydrate(h(Island, JSON.parse(element.dataset.props ?? "{}")), element);
}
`,
    );
    files.push(file);
  }
  const output = await new Deno.Command(Deno.execPath(), {
    args: [
      "bundle",
      "--quiet",
      "--platform=browser",
      `--import-map=${importMap}`,
      ...(minify ? ["--minify"] : []),
      `--outdir=${work}/out`,
      ...files,
    ],
    cwd: REPOSITORY.pathname,
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!output.success) {
    throw new Error(`Bundling the islands failed:\n${new TextDecoder().decode(output.stderr)}`);
  }
  const bundles = new Map<string, string>();
  for (const name of islands) {
    const path = `${outDir}/${name}.js`;
    try {
      await Deno.rename(`${work}/out/${name}.js`, path);
    } catch {
      throw new Error(`Bundling wrote no ${name}.js:\n${new TextDecoder().decode(output.stderr)}`);
    }
    bundles.set(name, path);
  }
  return bundles;
}
