/**
 * The compiler guards the op set: a name outside it, a shape-rule table or a gradient-rule table that misses an
 * op, or a rule for an op that is not in the set, are type errors. The `@ts-expect-error` lines below are the
 * proof: `deno test` type-checks this file, and a directive that finds no error fails the check.
 */

import assert from "node:assert/strict";
import { GraphBuilder } from "./builder.ts";
import { GRADIENT_RULES, type GradientRule } from "./gradients.ts";
import { OP_NAMES, OP_SET, type OpDefinition, type OpName } from "./ops.ts";

Deno.test("a name outside the op set is a type error, and refused at run time for untyped callers", () => {
  // @ts-expect-error "NotAnOp" is not an OpName
  const notAnOp: OpName = "NotAnOp";
  const g = new GraphBuilder("unknown_op");
  const x = g.input("x", [2]);
  assert.throws(() => g.node(notAnOp, [x]), /Unknown op "NotAnOp"; the op set is: Add, Sub, Mul/);
});

Deno.test("a gradient-rule table that misses an op is a type error", () => {
  const { Sign: _sign, ...withoutSign } = GRADIENT_RULES;
  // @ts-expect-error Property 'Sign' is missing
  const incomplete: Record<OpName, GradientRule> = withoutSign;
  assert.equal(Object.keys(incomplete).length, OP_NAMES.length - 1);
});

Deno.test("a shape-rule table that misses an op, or names one outside the set, is a type error", () => {
  const { Pad: _pad, ...withoutPad } = OP_SET;
  // @ts-expect-error Property 'Pad' is missing
  const incomplete: Record<OpName, OpDefinition> = withoutPad;
  assert.equal(Object.keys(incomplete).length, OP_NAMES.length - 1);
  const extra = {
    ...OP_SET,
    // @ts-expect-error 'Gelu' does not exist in type Record<OpName, OpDefinition>
    Gelu: OP_SET.Tanh,
  } satisfies Record<OpName, OpDefinition>;
  assert.equal(Object.keys(extra).length, OP_NAMES.length + 1);
});

Deno.test("the tables cover exactly the op set, in its order", () => {
  assert.deepEqual(Object.keys(OP_SET), [...OP_NAMES]);
  assert.deepEqual(Object.keys(GRADIENT_RULES), [...OP_NAMES]);
});

Deno.test("adding an op name without its shape rule and gradient rule fails deno check, naming the op", async () => {
  const copy = await Deno.makeTempDir({ prefix: "op-set-" });
  try {
    const graph = new URL(".", import.meta.url);
    for (const entry of Deno.readDirSync(graph)) {
      if (entry.isFile && entry.name.endsWith(".ts") && !entry.name.endsWith("_test.ts")) {
        await Deno.copyFile(new URL(entry.name, graph), `${copy}/${entry.name}`);
      }
    }
    const ops = await Deno.readTextFile(`${copy}/ops.ts`);
    assert.ok(ops.includes(`  "Gather",\n] as const;`), "OP_NAMES ends with Gather");
    await Deno.writeTextFile(
      `${copy}/ops.ts`,
      ops.replace(`  "Gather",\n] as const;`, `  "Gather",\n  "Gelu",\n] as const;`),
    );
    const { success, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
      args: ["check", "--quiet", "mod.ts"],
      cwd: copy,
      env: { NO_COLOR: "1" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const output = new TextDecoder().decode(stdout) + new TextDecoder().decode(stderr);
    assert.equal(success, false, output);
    assert.match(output, /Property 'Gelu' is missing[\s\S]*ops\.ts/);
    assert.match(output, /Property 'Gelu' is missing[\s\S]*gradients\.ts/);
  } finally {
    await Deno.remove(copy, { recursive: true });
  }
});
