/**
 * What a JSDoc example's `console.log(…); // comment` claims, and whether the printed value keeps the claim.
 *
 * The convention (also in `tests/README.md`): the comment after a `console.log(…);` statement of an example is
 * the output it prints, and {@linkcode claimHolds} checks it.
 * - `// 1 "a" [2, 3]`: the printed values, separated by spaces. A string may be written bare (as `console.log`
 *   prints it) or quoted (`"a"`, as `JSON.stringify` or `Deno.inspect` write it); arrays, typed arrays, maps
 *   and objects as `Deno.inspect` writes them, with or without the spaces inside brackets and with or without
 *   a typed array's length (`Float32Array [1, 2]` = `Float32Array(2) [ 1, 2 ]`).
 * - `// "File \"x\" is not…"`: a comment ending in `…` or `...` claims a prefix of the output.
 * - `// 384 (3 × wDim 128)`: a trailing parenthesized note after the value is allowed.
 * - `// e.g. …`: an illustration that is NOT checked (the value depends on the machine, the clock or the
 *   data); the checker counts it as skipped. Every other comment is a claim, so prose fails until it is
 *   marked `e.g.`.
 *
 * @module
 */

/** The marker that makes a `console.log` comment an unchecked illustration. */
export const UNCHECKED_MARKER = "e.g.";

const INSPECT_OPTIONS: Deno.InspectOptions = {
  colors: false,
  depth: 20,
  breakLength: Infinity,
  iterableLimit: 10_000,
  strAbbreviateSize: 100_000,
};

/**
 * The renderings of the values one `console.log` call prints that a comment may spell: bare strings (what
 * the console shows), JSON-quoted strings, and `Deno.inspect`-quoted strings.
 *
 * @param values The arguments of the `console.log` call.
 * @returns The renderings, normalized by {@linkcode normalizePrinted}.
 *
 * @example
 * ```ts
 * import { renderings } from "./_doc_claims.ts";
 * console.log(renderings(["a", new Float32Array([1, 2])])); // [ "a Float32Array [1, 2]", '"a" Float32Array [1, 2]' ]
 * ```
 */
export function renderings(values: readonly unknown[]): string[] {
  const render = (quote: (text: string) => string) =>
    normalizePrinted(
      values.map((value) => typeof value === "string" ? quote(value) : Deno.inspect(value, INSPECT_OPTIONS))
        .join(" "),
    );
  return [
    ...new Set([
      render((text) => text),
      render((text) => JSON.stringify(text)),
      render((text) => Deno.inspect(text, INSPECT_OPTIONS)),
    ]),
  ];
}

/**
 * Normalizes printed text so that equivalent spellings compare equal: runs of white space become one space,
 * no space after `[` or before `]`, and a typed array or collection loses its length (`Uint8Array(2) [` →
 * `Uint8Array [`).
 *
 * @param text Printed or claimed text.
 * @returns The normalized text.
 *
 * @example
 * ```ts
 * import { normalizePrinted } from "./_doc_claims.ts";
 * console.log(normalizePrinted("Uint8Array(2) [ 71,  209 ]")); // Uint8Array [71, 209]
 * ```
 */
export function normalizePrinted(text: string): string {
  return text
    .replace(/\s+/g, " ")
    .replace(/\b(\w*Array)\(\d+\) \[/g, "$1 [")
    .replace(/\[ /g, "[")
    .replace(/ \]/g, "]")
    .trim();
}

/** What {@linkcode claimHolds} decided about one comment. */
export type ClaimVerdict = "holds" | "fails" | "unchecked";

/**
 * Whether a `console.log` comment holds for the values printed (see the module doc for the convention).
 *
 * @param comment The comment's text after `//`, trimmed.
 * @param values The arguments of the `console.log` call.
 * @returns `"unchecked"` for a comment marked `e.g.`, else `"holds"` or `"fails"`.
 *
 * @example
 * ```ts
 * import { claimHolds } from "./_doc_claims.ts";
 * console.log(claimHolds("[1, 2] 3", [[1, 2], 3]), claimHolds("4", [5]), claimHolds("e.g. 4", [5])); // holds fails unchecked
 * ```
 */
export function claimHolds(comment: string, values: readonly unknown[]): ClaimVerdict {
  if (comment.startsWith(UNCHECKED_MARKER)) return "unchecked";
  const printed = renderings(values);
  const candidates = [comment];
  const note = comment.match(/^(.*\S) \((?:[^()]|\([^()]*\))*\)$/);
  if (note) candidates.push(note[1]);
  for (const candidate of candidates) {
    const prefix = candidate.match(/^(.*?)(?:…|\.\.\.)$/);
    const claimed = normalizePrinted(prefix ? prefix[1] : candidate);
    const holds = prefix
      ? printed.some((text) => text.startsWith(claimed))
      : printed.some((text) => text === claimed);
    if (holds) return "holds";
  }
  return "fails";
}
