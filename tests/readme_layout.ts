/**
 * What the README's "Architecture" section says the top-level folders are, read from its code blocks, so that
 * a test can hold it against the checkout (`tests/readme_layout_test.ts`).
 *
 * A folder is named in a block line's first column or in a run of names at its start (`site/ routes/
 * islands/ components/`); indented lines (continuations and the sub-folders of `data/`) are not top-level.
 *
 * @module
 */

/**
 * The top-level folder names the README's "## Architecture" section lists in its code blocks.
 *
 * @param readme the README's text
 * @returns the folder names without their slash, sorted, unique
 * @throws {SyntaxError} when the README has no "## Architecture" section
 * @example
 * ```ts
 * import { architectureFolders } from "./readme_layout.ts";
 * const fence = "`".repeat(3);
 * const readme = `## Architecture\n\n${fence}\ngraph/   IR\nsite/ routes/   the site\n  sub/  no\n${fence}\n`;
 * console.log(architectureFolders(readme)); // ["graph", "routes", "site"]
 * ```
 */
export function architectureFolders(readme: string): string[] {
  const start = readme.search(/^## Architecture$/m);
  if (start < 0) throw new SyntaxError('The README has no "## Architecture" section');
  const end = readme.indexOf("\n## ", start + 1);
  const section = readme.slice(start, end < 0 ? undefined : end);
  const folders = new Set<string>();
  for (const block of section.split("```").filter((_, i) => i % 2 === 1)) {
    for (const line of block.split("\n")) {
      const leading = line.match(/^((?:[a-z][a-z0-9_-]*\/ +)+)/i);
      if (!leading) continue;
      for (const name of leading[1].trim().split(/ +/)) folders.add(name.slice(0, -1));
    }
  }
  return [...folders].sort();
}

/**
 * The top-level folders of a list of repository paths (as `git ls-files` prints them), hidden ones left out.
 *
 * @param paths repository-relative file paths
 * @returns the folder names, sorted, unique
 * @example
 * ```ts
 * import { topLevelFolders } from "./readme_layout.ts";
 * console.log(topLevelFolders(["a/x.ts", "a/b/y.ts", "z.ts", ".ci/run", "c/d"])); // ["a", "c"]
 * ```
 */
export function topLevelFolders(paths: readonly string[]): string[] {
  return [...new Set(paths.filter((p) => p.includes("/") && !p.startsWith(".")).map((p) => p.split("/")[0]))]
    .sort();
}
