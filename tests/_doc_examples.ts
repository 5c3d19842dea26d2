/**
 * Runs the JSDoc examples of some modules with their `console.log(…); // comment` statements turned into
 * claims that {@linkcode claimHolds} checks (the convention is in `tests/_doc_claims.ts` and
 * `tests/README.md`). `deno test --doc` runs the same examples but checks nothing they print; this checker
 * is what makes the comments true.
 *
 * How: every ```` ```ts ```` block in a `/** … *\/` comment (not ```` ```ts ignore ````) becomes one test
 * module in a temporary folder: its imports stay at the top (relative ones made absolute, `import.meta.url`
 * replaced by the source file's URL), the rest goes inside a `Deno.test`, and each `console.log(ARGS); //
 * comment` becomes a call that records the comment, the source line and what `ARGS` print. One `deno test
 * --no-check` (the `--doc` run type-checks the same code) runs them all in the repository root.
 *
 * @module
 */

import type { ClaimVerdict } from "./_doc_claims.ts";

/** One fenced code block of a JSDoc comment. */
export interface DocExample {
  /** The source file's path, as given. */
  file: string;
  /** The 1-based line of the block's first code line in the source file. */
  line: number;
  /** The code lines, without the comment's leading ` * `. */
  lines: string[];
}

/**
 * The fenced `ts`/`tsx`/`js` code blocks of every JSDoc comment (`/** … *\/`) of a source text, as `deno
 * test --doc` finds them; blocks marked `ignore` are left out.
 *
 * @param file The path reported with each example.
 * @param text The source text.
 * @returns The examples, in source order.
 *
 * @example
 * ```ts ignore
 * import { extractExamples } from "./_doc_examples.ts";
 * const text = "/**\n * @example\n * ```ts\n * console.log(1); // 1\n * ```\n *\/\nexport const a = 1;\n";
 * console.log(extractExamples("a.ts", text)[0].line); // 4
 * ```
 */
export function extractExamples(file: string, text: string): DocExample[] {
  const examples: DocExample[] = [];
  const sourceLines = text.split("\n");
  let inComment = false;
  let block: DocExample | null = null;
  for (const [index, raw] of sourceLines.entries()) {
    if (!inComment) {
      if (/^\s*\/\*\*/.test(raw) && !/\*\/\s*$/.test(raw.replace(/^\s*\/\*\*/, ""))) inComment = true;
      continue;
    }
    if (/^\s*\*\/\s*$/.test(raw) || /\*\/\s*$/.test(raw) && !block) {
      inComment = false;
      block = null;
      continue;
    }
    const line = raw.replace(/^\s*\* ?/, "");
    const fence = line.match(/^\s*```(\S*)\s*(.*)$/);
    if (fence && !block) {
      const language = fence[1];
      const runs = /^(ts|tsx|typescript|js|jsx|javascript)$/.test(language) && !/\bignore\b/.test(fence[2]);
      block = { file, line: index + 2, lines: [] };
      if (runs) examples.push(block);
      continue;
    }
    if (fence && block) {
      block = null;
      continue;
    }
    if (block) block.lines.push(line);
  }
  return examples;
}

/** One `console.log(…); // comment` statement found in an example. */
export interface ClaimSite {
  /** The source file. */
  file: string;
  /** The 1-based source line of the comment. */
  line: number;
  /** The comment's text after `//`, trimmed. */
  comment: string;
}

/** The index just past the `)` that closes the `(` at `open`, skipping strings, templates and comments. */
function closingParen(code: string, open: number): number {
  let depth = 0;
  for (let i = open; i < code.length; i++) {
    const char = code[i];
    if (char === '"' || char === "'" || char === "`") {
      for (i++; i < code.length && code[i] !== char; i++) if (code[i] === "\\") i++;
    } else if (char === "/" && code[i + 1] === "/") {
      while (i < code.length && code[i] !== "\n") i++;
    } else if (char === "(" || char === "[" || char === "{") depth++;
    else if (char === ")" || char === "]" || char === "}") {
      depth--;
      if (depth === 0) return i + 1;
    }
  }
  return -1;
}

/**
 * Rewrites an example into a test module whose `console.log(…); // comment` statements record claims.
 *
 * @param example The example.
 * @param fileUrl The source file's URL (relative imports and `import.meta.url` resolve against it).
 * @param firstClaim The index of the example's first claim in the run's claim table.
 * @returns The module's text and the claims, in order.
 */
export function rewriteExample(
  example: DocExample,
  fileUrl: URL,
  firstClaim: number,
): { module: string; claims: ClaimSite[] } {
  const absolute = (code: string) =>
    code
      .replace(
        /((?:from|import)\s*\(?\s*)(["'])(\.\.?\/[^"']*)\2/g,
        (_, head, quote, specifier) => `${head}${quote}${new URL(specifier, fileUrl).href}${quote}`,
      )
      .replace(/\bimport\.meta\.url\b/g, JSON.stringify(fileUrl.href));
  // Static imports go to the top; the body keeps an empty line in their place so that its line numbers
  // stay those of the example.
  const imports: string[] = [];
  const body: string[] = [];
  let inImport = false;
  for (const line of example.lines) {
    if (inImport || /^import[\s{*]/.test(line)) {
      imports.push(line);
      body.push("");
      inImport = !/["'];?\s*(\/\/.*)?$/.test(line);
    } else body.push(line);
  }
  const claims: ClaimSite[] = [];
  const code = body.join("\n");
  let out = "";
  let cursor = 0;
  for (let start = code.indexOf("console.log("); start >= 0; start = code.indexOf("console.log(", cursor)) {
    const end = closingParen(code, start + "console.log".length);
    const tail = end < 0 ? null : code.slice(end).match(/^;?[ \t]*\/\/[ \t]*(.*)/);
    if (!tail) {
      out += code.slice(cursor, start + 1);
      cursor = start + 1;
      continue;
    }
    const line = example.line + code.slice(0, end).split("\n").length - 1;
    claims.push({ file: example.file, line, comment: tail[1].trim() });
    const args = code.slice(start + "console.log(".length, end - 1);
    const site = JSON.stringify(claims.at(-1));
    out += `${code.slice(cursor, start)}__claim(${firstClaim + claims.length - 1}, ${site}, ${args})`;
    cursor = end;
  }
  const checker = new URL("./_doc_claims.ts", import.meta.url).href;
  const name = JSON.stringify(`${example.file}:${example.line}`);
  const module = [
    `import { claimHolds as __claimHolds, renderings as __renderings } from ${JSON.stringify(checker)};`,
    absolute(imports.join("\n")),
    `Deno.test(${name}, async () => {`,
    absolute(out + code.slice(cursor)),
    "});",
    "function __claim(index: number, site: { comment: string }, ...values: unknown[]): void {",
    "  const record = [index, __claimHolds(site.comment, values), __renderings(values)[0]];",
    '  Deno.writeTextFileSync(Deno.env.get("DOC_CLAIMS_FILE")!, JSON.stringify(record) + "\\n", { append: true });',
    "}",
    "",
  ].join("\n");
  return { module, claims };
}

/** One claim's outcome in a run of {@linkcode checkDocExamples}. */
export interface ClaimResult extends ClaimSite {
  /** The verdict; `"not reached"` when the example stopped (threw) before the statement. */
  verdict: ClaimVerdict | "not reached";
  /** What the statement printed (as `console.log` shows it), or null when not reached. */
  printed: string | null;
}

/** What {@linkcode checkDocExamples} found. */
export interface DocExamplesReport {
  /** The examples run. */
  examples: number;
  /** Every claim, in file order. */
  claims: ClaimResult[];
  /** The exit code of the `deno test` run (non-zero when an example threw). */
  code: number;
  /** The run's output (names the examples that threw, with their errors). */
  output: string;
}

/**
 * Runs the JSDoc examples of some files with their `console.log` comments as claims.
 *
 * @param files Source files, relative to `root` (reported as given).
 * @param root The folder the examples run in (relative paths in them resolve against it).
 * @returns The report; the caller decides what fails.
 */
export async function checkDocExamples(files: readonly string[], root: string): Promise<DocExamplesReport> {
  const folder = await Deno.makeTempDir({ prefix: "doc_examples_" });
  try {
    const sites: ClaimSite[] = [];
    let examples = 0;
    for (const file of files) {
      const fileUrl = new URL(file, new URL(`file://${Deno.realPathSync(root)}/`));
      for (const example of extractExamples(file, await Deno.readTextFile(fileUrl))) {
        const { module, claims } = rewriteExample(example, fileUrl, sites.length);
        if (claims.length === 0) continue; // nothing to check that `deno test --doc` does not already run
        sites.push(...claims);
        await Deno.writeTextFile(`${folder}/example_${examples++}_test.ts`, module);
      }
    }
    const claimsFile = `${folder}/claims.jsonl`;
    await Deno.writeTextFile(claimsFile, "");
    const run = await new Deno.Command(Deno.execPath(), {
      args: ["test", "-A", "--no-check", "--parallel", folder],
      cwd: root,
      env: { DOC_CLAIMS_FILE: claimsFile, NO_COLOR: "1" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const decoder = new TextDecoder();
    const outcomes = new Map<number, [ClaimVerdict, string]>();
    for (const line of (await Deno.readTextFile(claimsFile)).split("\n").filter(Boolean)) {
      const [index, verdict, printed] = JSON.parse(line) as [number, ClaimVerdict, string];
      outcomes.set(index, [verdict, printed]);
    }
    return {
      examples,
      claims: sites.map((site, index) => {
        const [verdict, printed] = outcomes.get(index) ?? ["not reached", null];
        return { ...site, verdict, printed };
      }),
      code: run.code,
      output: decoder.decode(run.stdout) + decoder.decode(run.stderr),
    };
  } finally {
    await Deno.remove(folder, { recursive: true });
  }
}

/**
 * The repository's public modules: the local files that the root `mod.ts` and each `<folder>/mod.ts` import,
 * directly or not.
 *
 * @param root The repository root.
 * @returns Paths relative to `root`, sorted.
 */
export async function publicModules(root: string): Promise<string[]> {
  const prefix = `file://${await Deno.realPath(root)}/`;
  const entries = ["mod.ts"];
  for await (const entry of Deno.readDir(root)) {
    if (entry.isDirectory && await Deno.stat(`${root}/${entry.name}/mod.ts`).then(() => true, () => false)) {
      entries.push(`${entry.name}/mod.ts`);
    }
  }
  const files = new Set<string>();
  for (const entry of entries) {
    const info = await new Deno.Command(Deno.execPath(), { args: ["info", "--json", entry], cwd: root })
      .output();
    if (!info.success) throw new Error(`deno info ${entry} failed: ${new TextDecoder().decode(info.stderr)}`);
    const graph = JSON.parse(new TextDecoder().decode(info.stdout)) as { modules: { specifier: string }[] };
    for (const { specifier } of graph.modules) {
      if (specifier.startsWith(prefix)) files.add(decodeURIComponent(specifier.slice(prefix.length)));
    }
  }
  return [...files].sort();
}

/**
 * One line per claim that does not hold (or was not reached), naming the file, the line, the claimed and
 * the printed value.
 *
 * @param report A report of {@linkcode checkDocExamples}.
 * @returns The lines (empty when every claim holds).
 */
export function describeFailures(report: DocExamplesReport): string[] {
  return report.claims
    .filter((claim) => claim.verdict === "fails" || claim.verdict === "not reached")
    .map((claim) =>
      claim.verdict === "fails"
        ? `${claim.file}:${claim.line}: the comment says ${claim.comment} but it prints ${claim.printed}`
        : `${claim.file}:${claim.line}: not reached (the example threw before it; see the run's output)`
    );
}
