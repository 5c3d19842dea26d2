import assert from "node:assert/strict";
import { prngBits, prngFill, prngU } from "./prng.ts";
import { referenceFixturesRoot } from "./reference_fixture.ts";

interface PrngCase {
  seed: number;
  k: number;
  j: number;
  [column: string]: number;
}

const check = JSON.parse(
  await Deno.readTextFile(`${referenceFixturesRoot()}/prng_check.json`),
) as { cases: PrngCase[] };

/** Parses one number of a fill column name: a decimal (`1.25`, `0`) or `sqrtN` (= √N). */
function parseColumnNumber(text: string, column: string): number {
  const sqrt = /^sqrt(\d+(?:\.\d+)?)$/.exec(text);
  if (sqrt) return Math.sqrt(Number(sqrt[1]));
  if (/^-?\d+(?:\.\d+)?(?:e-?\d+)?$/.test(text)) return Number(text);
  throw new Error(`Cannot parse "${text}" in prng_check.json column "${column}"`);
}

/** Offset and scale of a column such as `fill_offset1.25_scale0.25` or `fill_offset0_scale_sqrt3`. */
function parseFillColumn(column: string): { offset: number; scale: number } {
  const match = /^fill_offset(.+?)_scale_?(.+)$/.exec(column);
  if (!match) throw new Error(`Unknown prng_check.json column "${column}"`);
  return { offset: parseColumnNumber(match[1], column), scale: parseColumnNumber(match[2], column) };
}

Deno.test("prng_check.json has cases with bits, u and fill columns", () => {
  assert(check.cases.length >= 7);
  for (const c of check.cases) {
    assert("bits" in c && "u" in c);
    assert(Object.keys(c).some((key) => key.startsWith("fill_")));
  }
});

Deno.test("prngBits, prngU and prngFill reproduce every column of prng_check.json", () => {
  let filled = 0;
  for (const c of check.cases) {
    const where = `seed=${c.seed} k=${c.k} j=${c.j}`;
    for (const [column, expected] of Object.entries(c)) {
      if (column === "seed" || column === "k" || column === "j") continue;
      if (column === "bits") {
        assert.equal(prngBits(c.seed, c.k, c.j), expected, `bits at ${where}`);
      } else if (column === "u") {
        assert.equal(prngU(c.seed, c.k, c.j), expected, `u at ${where}`);
      } else {
        const { offset, scale } = parseFillColumn(column);
        const value = prngFill(c.seed, c.k, 1, offset, scale, { start: c.j })[0];
        assert.equal(value, expected, `${column} at ${where}`);
        filled++;
      }
    }
  }
  assert.equal(filled, 2 * check.cases.length);
});

Deno.test("prngFill from 0 equals the element-wise values", () => {
  const seed = 0x6a0064;
  const all = prngFill(seed, 2, 1000, 0, Math.sqrt(3));
  for (const j of [0, 1, 17, 999]) {
    assert.equal(all[j], Math.fround(0 + Math.sqrt(3) * prngU(seed, 2, j)));
    assert.equal(prngFill(seed, 2, 1, 0, Math.sqrt(3), { start: j })[0], all[j]);
  }
  const c = check.cases.find((entry) => entry.j > 0 && entry.j < 100)!;
  assert.equal(prngFill(c.seed, c.k, c.j + 1, 1.25, 0.25)[c.j], c["fill_offset1.25_scale0.25"]);
});

Deno.test("prngFill rejects a negative or fractional length", () => {
  assert.throws(() => prngFill(1, 0, -1, 0, 1), { name: "RangeError", message: /n=-1/ });
  assert.throws(() => prngFill(1, 0, 1.5, 0, 1), { name: "RangeError", message: /n=1\.5/ });
  assert.throws(() => prngFill(1, 0, 1, 0, 1, { start: -3 }), { name: "RangeError", message: /start=-3/ });
});
