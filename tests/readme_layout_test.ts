import assert from "node:assert/strict";
import { architectureFolders, topLevelFolders } from "./readme_layout.ts";

const ROOT = new URL("../", import.meta.url).pathname;

async function trackedPaths(): Promise<string[] | null> {
  try {
    const { success, stdout } = await new Deno.Command("git", {
      args: ["ls-files"],
      cwd: ROOT,
      stdout: "piped",
    })
      .output();
    return success ? new TextDecoder().decode(stdout).split("\n").filter(Boolean) : null;
  } catch {
    return null;
  }
}

async function ignoredByGit(name: string): Promise<boolean> {
  const { success } = await new Deno.Command("git", {
    args: ["check-ignore", "-q", `${name}/`],
    cwd: ROOT,
  }).output();
  return success;
}

Deno.test("the README's architecture section lists exactly the checkout's top-level folders", async () => {
  const paths = await trackedPaths();
  assert.ok(paths, "this test runs in a git checkout (CI clones one)");
  const listed = architectureFolders(await Deno.readTextFile(`${ROOT}/README.md`));
  const present = topLevelFolders(paths);
  const missing = present.filter((name) => !listed.includes(name));
  assert.deepEqual(missing, [], `folders in the checkout that the README's architecture does not list`);
  for (const name of listed.filter((name) => !present.includes(name))) {
    // A listed folder that git does not hold must be one it ignores on purpose (e.g. runs/, regenerated).
    assert.ok(
      await ignoredByGit(name),
      `the README lists ${name}/, which is neither in the checkout nor ignored`,
    );
  }
});

Deno.test("every path data/README.md's table names exists (or is git-ignored, regenerated)", async () => {
  const text = await Deno.readTextFile(`${ROOT}/data/README.md`);
  const rows = [...text.matchAll(/^\| `([^`]+)`/gm)].map((m) => m[1]);
  assert.ok(rows.length >= 5, "data/README.md has its table");
  for (const row of rows) {
    if (row.includes("<")) continue; // a pattern such as results/<suite>/<variant>/
    const path = `${ROOT}/data/${row}`;
    const exists = await Deno.stat(path).then(() => true, () => false);
    assert.ok(exists || await ignoredByGit(`data/${row.replace(/\/$/, "")}`), `data/README.md names ${row}`);
  }
});

Deno.test("architectureFolders reads the first column and leading runs of names, not indented lines", () => {
  const readme = [
    "# x",
    "## Architecture",
    "```",
    "deps.ts   packages",
    "graph/    IR, ops/ (not a folder name at the start)",
    "examples/ cli/   commands",
    "data/     committed",
    "  models/default/   indented: a sub-folder",
    "```",
    "## Next",
    "```",
    "later/   another section",
    "```",
  ].join("\n");
  assert.deepEqual(architectureFolders(readme), ["cli", "data", "examples", "graph"]);
  assert.throws(() => architectureFolders("# none"), SyntaxError);
});
