import * as assert from "node:assert/strict";
import { loadPlugin, parsePluginSpecifier, type PluginContract, PluginError } from "./plugin_loader.ts";
import { PluginRegistry } from "./plugin_registry.ts";

/** A toy contract: an object with a `run` function. */
const CONTRACT: PluginContract<{ run: () => number }> = {
  what: "runner",
  check: (value) =>
    typeof value === "object" && value !== null && typeof (value as { run?: unknown }).run === "function"
      ? undefined
      : "run must be a function",
};

const GOOD = "export const runner = { run: () => 7 };\nexport const other = 1;\n";

async function withFolder(body: (dir: string) => Promise<void>) {
  const dir = await Deno.makeTempDir({ prefix: "plugin-loader-" });
  try {
    await body(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const isPluginError = (kind: string, ...parts: string[]) => (error: unknown) =>
  error instanceof PluginError && error.kind === kind && parts.every((p) => error.message.includes(p));

Deno.test("specifiers: relative to the naming file, absolute paths and URLs are normalised; others refused", () => {
  assert.equal(parsePluginSpecifier("./a.ts#x", "/s/suite.json").specifier, "file:///s/a.ts#x");
  assert.equal(parsePluginSpecifier("../a.ts#x", "/s/sub/").specifier, "file:///s/a.ts#x");
  assert.equal(parsePluginSpecifier("/p/a b.ts#x").specifier, "file:///p/a%20b.ts#x");
  assert.equal(parsePluginSpecifier("file:///p/a.ts#x").moduleUrl, "file:///p/a.ts");
  assert.equal(parsePluginSpecifier("http://127.0.0.1:9/a.ts#x").specifier, "http://127.0.0.1:9/a.ts#x");
  assert.throws(() => parsePluginSpecifier("a.ts"), TypeError);
  assert.throws(() => parsePluginSpecifier("./a.ts#1x"), TypeError);
  assert.throws(() => parsePluginSpecifier("npm:foo#x"), RangeError);
  assert.throws(() => parsePluginSpecifier("a.ts#x"), /relative path/);
});

Deno.test("a missing module is refused naming the specifier (file and http)", async () => {
  await withFolder(async (dir) => {
    await assert.rejects(
      loadPlugin("./nope.ts#runner", CONTRACT, { base: `${dir}/suite.json` }),
      isPluginError("missing-module", `file://${dir}/nope.ts#runner`, "no such file"),
    );
  });
  const server = Deno.serve(
    { port: 0, hostname: "127.0.0.1", onListen() {} },
    () => new Response("", { status: 404 }),
  );
  try {
    const url = `http://127.0.0.1:${server.addr.port}/gone.ts#runner`;
    await assert.rejects(loadPlugin(url, CONTRACT), isPluginError("missing-module", url, "404"));
  } finally {
    await server.shutdown();
  }
});

Deno.test("a missing export is refused naming the specifier and listing the exports", async () => {
  await withFolder(async (dir) => {
    await Deno.writeTextFile(`${dir}/p.ts`, GOOD);
    await assert.rejects(
      loadPlugin(`${dir}/p.ts#runer`, CONTRACT),
      isPluginError("missing-export", `file://${dir}/p.ts#runer`, "its exports are other, runner"),
    );
  });
});

Deno.test("an export that does not implement the contract is refused naming what is wrong", async () => {
  await withFolder(async (dir) => {
    await Deno.writeTextFile(`${dir}/p.ts`, GOOD);
    await assert.rejects(
      loadPlugin(`${dir}/p.ts#other`, CONTRACT),
      isPluginError("contract", `file://${dir}/p.ts#other`, "is not a runner: run must be a function"),
    );
  });
});

Deno.test("a module that fails to import is refused naming the specifier", async () => {
  await withFolder(async (dir) => {
    await Deno.writeTextFile(`${dir}/p.ts`, "throw new Error('boom at import');\nexport const runner = 1;\n");
    await assert.rejects(
      loadPlugin(`${dir}/p.ts#runner`, CONTRACT),
      isPluginError("import-failed", `file://${dir}/p.ts#runner`, "boom at import"),
    );
  });
});

Deno.test("a changed source is refused before it is imported, naming both hashes", async () => {
  await withFolder(async (dir) => {
    await Deno.writeTextFile(`${dir}/p.ts`, GOOD);
    const first = await loadPlugin(`${dir}/p.ts#runner`, CONTRACT);
    assert.equal(first.value.run(), 7);
    assert.match(first.sha256!, /^[0-9a-f]{64}$/);
    // The same hash loads; a changed file (which would set a global if imported) does not.
    await loadPlugin(`${dir}/p.ts#runner`, CONTRACT, { expectedSha256: first.sha256! });
    await Deno.writeTextFile(`${dir}/q.ts`, "(globalThis as any).imported = true;\n" + GOOD);
    await assert.rejects(
      loadPlugin(`${dir}/q.ts#runner`, CONTRACT, { expectedSha256: first.sha256! }),
      isPluginError("hash-mismatch", `file://${dir}/q.ts#runner`, first.sha256!, "is not imported"),
    );
    assert.equal((globalThis as Record<string, unknown>).imported, undefined);
  });
});

Deno.test("a registry loads built-ins and plug-ins through the same loader and contract", async () => {
  await withFolder(async (dir) => {
    await Deno.writeTextFile(`${dir}/builtin.ts`, GOOD);
    await Deno.writeTextFile(`${dir}/user.ts`, "export const mine = { run: () => 9 };\n");
    const builtinModule = await import(`file://${dir}/builtin.ts`);
    const registry = new PluginRegistry(CONTRACT, {
      seven: { value: builtinModule.runner, specifier: `file://${dir}/builtin.ts#runner` },
    });
    const builtin = await registry.resolve("seven");
    assert.equal(builtin.value, registry.get("seven")); // the same object, loaded by its specifier
    assert.equal(builtin.builtin, true);
    assert.equal(builtin.sha256, null);
    assert.throws(
      () => registry.get(`file://${dir}/user.ts#mine`),
      isPluginError("not-allowed", "user.ts#mine"),
    );
    const user = await registry.resolve("./user.ts#mine", { base: `${dir}/suite.json` });
    assert.equal(registry.get(user.specifier).run(), 9);
    assert.throws(() => registry.get("eight"), /Unknown runner "eight"; valid names are seven/);
    assert.throws(
      () =>
        new PluginRegistry(CONTRACT, { bad: { value: { run: 1 } as never, specifier: "file:///x.ts#x" } }),
      /Built-in runner "bad" breaks its contract/,
    );
  });
});
