import assert from "node:assert/strict";
import { claimHolds, normalizePrinted } from "./_doc_claims.ts";
import { checkDocExamples, describeFailures, extractExamples, publicModules } from "./_doc_examples.ts";

const ROOT = new URL("..", import.meta.url).pathname;

Deno.test("every console.log comment in the public modules' JSDoc examples is what the example prints", async () => {
  const report = await checkDocExamples(await publicModules(ROOT), ROOT);
  const count = (verdict: string) => report.claims.filter((claim) => claim.verdict === verdict).length;
  console.log(
    `${report.examples} examples with claims; ${report.claims.length} claims: ${count("holds")} hold, ` +
      `${count("unchecked")} unchecked (e.g.), ${count("fails")} fail, ${count("not reached")} not reached`,
  );
  const failures = describeFailures(report);
  assert.deepEqual(failures, [], failures.join("\n"));
  assert.deepEqual(report.code, 0, report.output);
  assert.ok(
    report.claims.length > 200,
    `Only ${report.claims.length} claims found: is the extraction broken?`,
  );
});

Deno.test("a wrong comment fails, naming the file, the line and both values", async () => {
  const folder = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(
      `${folder}/fake.ts`,
      [
        "/**",
        " * Doubles.",
        " *",
        " * @example",
        " * ```ts",
        ' * import { double } from "./fake.ts";',
        " * console.log(double(2)); // 4",
        " * console.log(double(3), [double(1)]); // 7 [2]",
        " * console.log(double(3)); // e.g. 7",
        " * ```",
        " */",
        "export function double(x: number): number {",
        "  return 2 * x;",
        "}",
        "",
      ].join("\n"),
    );
    const report = await checkDocExamples(["fake.ts"], folder);
    assert.deepEqual(report.claims.map((claim) => claim.verdict), ["holds", "fails", "unchecked"]);
    assert.deepEqual(describeFailures(report), ["fake.ts:8: the comment says 7 [2] but it prints 6 [2]"]);
  } finally {
    await Deno.remove(folder, { recursive: true });
  }
});

Deno.test("an example that throws before a claim reports the claim as not reached", async () => {
  const folder = await Deno.makeTempDir();
  try {
    const text =
      '/**\n * ```ts\n * throw new Error("boom");\n * console.log(1); // 1\n * ```\n */\nexport {};\n';
    await Deno.writeTextFile(`${folder}/throws.ts`, text);
    const report = await checkDocExamples(["throws.ts"], folder);
    assert.deepEqual(report.claims.map((claim) => claim.verdict), ["not reached"]);
    assert.match(describeFailures(report)[0], /^throws\.ts:4: not reached/);
    assert.match(report.output, /boom/);
  } finally {
    await Deno.remove(folder, { recursive: true });
  }
});

Deno.test("extractExamples finds ts blocks with their source lines and skips ignored ones", () => {
  const text = "/**\n * @example\n * ```ts\n * const a = 1;\n * ```\n * ```ts ignore\n * x\n * ```\n */\n";
  const examples = extractExamples("a.ts", text);
  assert.deepEqual(examples.map(({ line, lines }) => [line, lines]), [[4, ["const a = 1;"]]]);
});

Deno.test("claims: spellings, prefixes, notes and the unchecked marker", () => {
  assert.deepEqual(claimHolds('Float32Array [1, 2] "x"', [new Float32Array([1, 2]), "x"]), "holds");
  assert.deepEqual(claimHolds("Float32Array(2) [ 1, 2 ] x", [new Float32Array([1, 2]), "x"]), "holds");
  assert.deepEqual(claimHolds("[ 'a\"b' ]", [['a"b']]), "holds");
  assert.deepEqual(claimHolds("Unknown device…", ['Unknown device "x"']), "holds");
  assert.deepEqual(claimHolds("Unknown devices…", ['Unknown device "x"']), "fails");
  assert.deepEqual(claimHolds("384 (3 × wDim 128)", [384]), "holds");
  assert.deepEqual(claimHolds("385 (3 × wDim 128)", [384]), "fails");
  assert.deepEqual(claimHolds("{ epoch: 1 }", [{ epoch: 1 }]), "holds");
  assert.deepEqual(claimHolds("the shape", [[1, 2]]), "fails");
  assert.deepEqual(claimHolds("e.g. the shape", [[1, 2]]), "unchecked");
  assert.deepEqual(normalizePrinted('Map(1) {  "a" => 1 }'), 'Map(1) { "a" => 1 }');
});
