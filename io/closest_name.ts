/**
 * "Did you mean …?": the valid name closest to a misspelt one, for the messages that refuse an unknown flag or
 * config key.
 *
 * @module
 */

/**
 * The candidate closest to `name` by edit distance (case-insensitive), when it is close enough to be a likely
 * misspelling (at most max(2, ⌊length / 3⌋) edits).
 *
 * @param name the unknown name
 * @param candidates the valid names
 * @returns the closest candidate, or undefined when none is close
 * @example
 * ```ts
 * import { closestName } from "./closest_name.ts";
 * console.log(closestName("r1Gama", ["r1Gamma", "seed"])); // "r1Gamma"
 * console.log(closestName("bogus", ["r1Gamma", "seed"])); // undefined
 * ```
 */
export function closestName(name: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const d = editDistance(name.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  return bestDistance <= Math.max(2, Math.floor(name.length / 3)) ? best : undefined;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length];
}
