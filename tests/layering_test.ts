/**
 * The layering is a test: each folder imports only its own layer and the ones below it (tests/layering.ts
 * lists the layers and the allowed exceptions, with their reasons).
 */

import assert from "node:assert/strict";
import {
  checkLayering,
  codeSkeleton,
  describeUpward,
  importsOf,
  LAYERING_EXCEPTIONS,
  layerRank,
  LAYERS,
} from "./layering.ts";

const ROOT = new URL("..", import.meta.url).pathname.replace(/\/$/, "");

Deno.test("no file imports a layer above its own (tests/layering.ts: layers and exceptions)", async () => {
  const { upward, unplaced, checked } = await checkLayering(ROOT);
  assert.ok(checked > 1000, `only ${checked} relative imports were found: is the parser broken?`);
  assert.deepEqual(unplaced, [], "folders without a place in LAYERS (add them to tests/layering.ts)");
  assert.deepEqual(describeUpward(upward), []);
});

Deno.test("nothing imports cli/ but cli/ and the end-to-end tests", async () => {
  const { upward } = await checkLayering(ROOT);
  assert.deepEqual(upward.filter((u) => u.toLayer === "cli"), []);
  const above = LAYERS.slice(layerRank("cli")! + 1).flat();
  assert.deepEqual(above, ["bench", "tests"]);
});

Deno.test("every allowed exception is still used, and has a reason", async () => {
  const { unusedExceptions } = await checkLayering(ROOT);
  assert.deepEqual(unusedExceptions, [], "remove exceptions that no import needs");
  for (const e of LAYERING_EXCEPTIONS) assert.ok(e.reason.length > 20, `${e.from} → ${e.to} needs a reason`);
});

Deno.test("each folder of the repository with TypeScript has exactly one layer", () => {
  const names = LAYERS.flat();
  assert.equal(new Set(names).size, names.length);
});

Deno.test("an upward import in a crafted tree is reported, naming both files and layers", async () => {
  const root = await Deno.makeTempDir({ prefix: "layering-" });
  try {
    for (const folder of ["graph", "runtime", "train", "cli", "site", "tests"]) {
      await Deno.mkdir(`${root}/${folder}`);
    }
    const files: Record<string, string> = {
      "graph/ops.ts": `import type { Step } from "../train/step.ts";\n// import "../cli/main.ts";\n`,
      "graph/ops_test.ts":
        `import { run } from "../runtime/session.ts";\nimport "../tests/_assert_close.ts";\n`,
      "train/step.ts":
        `export * from "../graph/ops.ts";\nconst re = /"/; const later = await import("../site/x.ts");\n`,
      "runtime/session.ts": `/** @example\n * import "../cli/main.ts";\n */\nexport const run = 1;\n`,
      "site/x.ts": `import { main } from "../cli/main.ts";\n`,
      "cli/main.ts": `import { step } from "../train/step.ts";\n`,
      "tests/_assert_close.ts": "",
      "notes/x.ts": "",
    };
    for (const [path, text] of Object.entries(files)) {
      await Deno.mkdir(`${root}/${path.split("/")[0]}`, { recursive: true });
      await Deno.writeTextFile(`${root}/${path}`, text);
    }
    const { upward, unplaced, unusedExceptions } = await checkLayering(root);
    assert.deepEqual(describeUpward(upward), [
      "graph/ops.ts imports types from train/step.ts: graph is below train",
      "site/x.ts imports cli/main.ts: site is below cli",
      "train/step.ts imports site/x.ts: train is below site",
    ]);
    assert.deepEqual(unplaced, ["notes/x.ts"]);
    // The crafted tree uses the test-fixture and graph-test exceptions (and so reports neither import), not the others.
    const used = LAYERING_EXCEPTIONS.filter((e) => !unusedExceptions.includes(e)).map((e) => e.from);
    assert.deepEqual(used, ["**/*_test.ts", "graph/*_test.ts"]);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("the import parser: comments and literal contents blanked, specifiers kept", () => {
  const source = [
    `import { a, type B } from "./a.ts";`,
    `export { c } from '../c.ts';`,
    `import "./side_effect.ts";`,
    `export type { D } from "./d.ts";`,
    `const url = \`// not a comment \${"${"}"}\`; /* import "./commented.ts"; */`,
    `const quote = /["'\`]/g; // import "./also_commented.ts";`,
    `type E = typeof import("./e.ts");`,
    `const f = await import(\`./f.ts\`, { with: {} });`,
    `const notImported = x.import("./method.ts") / 2 / 3;`,
    `const template = \`\${a ? "}" : \`\${b}\`} import "./inside_template.ts"\`;`,
    `import {`,
    `  g,`,
    `} from "./g.ts";`,
  ].join("\n");
  assert.equal(codeSkeleton(source).code.length, source.length);
  assert.deepEqual(importsOf(source), [
    { specifier: "./a.ts", typeOnly: false, dynamic: false },
    { specifier: "../c.ts", typeOnly: false, dynamic: false },
    { specifier: "./side_effect.ts", typeOnly: false, dynamic: false },
    { specifier: "./d.ts", typeOnly: true, dynamic: false },
    { specifier: "./e.ts", typeOnly: true, dynamic: true },
    { specifier: "./f.ts", typeOnly: false, dynamic: true },
    { specifier: "./g.ts", typeOnly: false, dynamic: false },
  ]);
});
