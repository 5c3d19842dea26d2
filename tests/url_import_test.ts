/**
 * Users import single modules by URL. This test serves the repository over loopback HTTP and, from a temporary
 * project with no configuration of ours (no deno.json, no import map), imports `generator/mod.ts` by URL and
 * builds a generator graph.
 */
import assert from "node:assert/strict";

const REPO_ROOT = new URL("../", import.meta.url);

Deno.test("generator/mod.ts imports by http://127.0.0.1 URL from a bare project and builds a generator", async () => {
  const requested: string[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (request) => {
    const path = decodeURIComponent(new URL(request.url).pathname);
    requested.push(path);
    if (path.includes("..") || !path.endsWith(".ts")) return new Response("not found", { status: 404 });
    try {
      const body = await Deno.readFile(new URL(`.${path}`, REPO_ROOT));
      return new Response(body, { headers: { "content-type": "application/typescript; charset=utf-8" } });
    } catch {
      return new Response("not found", { status: 404 });
    }
  });
  const project = await Deno.makeTempDir({ prefix: "url-import-" });
  try {
    const { port } = server.addr as Deno.NetAddr;
    const base = `http://127.0.0.1:${port}`;
    await Deno.writeTextFile(
      `${project}/main.ts`,
      `import { layerRegistry, resolveGeneratorConfig, synthesisGraph } from "${base}/generator/mod.ts";
const config = resolveGeneratorConfig({ resolution: 256 });
const graph = synthesisGraph(config, { batch: 2, residuals: "conv_without_bias" });
console.log(JSON.stringify({
  layers: layerRegistry(config).length,
  nodes: graph.nodes.length,
  parameters: graph.parameters.length,
  output: graph.outputs[0].shape,
}));
`,
    );
    const run = await new Deno.Command(Deno.execPath(), {
      args: ["run", "--no-config", "--no-lock", "--quiet", `--allow-import=127.0.0.1:${port}`, "main.ts"],
      cwd: project,
      env: { DENO_DIR: `${project}/deno_dir`, NO_COLOR: "1" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stdout = new TextDecoder().decode(run.stdout);
    const stderr = new TextDecoder().decode(run.stderr);
    assert.ok(run.success, `the bare project failed:\n${stderr}`);
    const result = JSON.parse(stdout.trim().split("\n").at(-1)!);
    assert.equal(result.layers, 20);
    assert.deepEqual(result.output, [2, 3, 256, 256]);
    assert.ok(result.parameters > 100 && result.nodes > 200, stdout);
    assert.ok(requested.includes("/generator/mod.ts") && requested.includes("/graph/builder.ts"));
    assert.ok(
      !requested.some((p) => p.endsWith("deps.ts")),
      "building a graph must not pull in native packages",
    );
  } finally {
    await server.shutdown();
    await Deno.remove(project, { recursive: true });
  }
});
