/**
 * End to end, as a user outside the repository: the example fusion operator and sharing strategy served over
 * loopback HTTP, named by URL in a suite of a temporary folder; `ablate --experiments` trains (tiny budget)
 * and evaluates both; `invert --allow-plugins` runs a trained variant; without the flag it is refused naming
 * the URL; once the served source changes, loading is refused naming the hash mismatch.
 */

import assert from "node:assert/strict";
import { writePng } from "../io/image.ts";
import { writeTinyModel } from "./_tiny_model.ts";
import { WAVES_DATA_PLUGIN } from "./_waves_data_plugin.ts";

const REPOSITORY = new URL("../", import.meta.url);

/** Serves the repository over loopback HTTP; `overrides` replaces a path's source (a changed plug-in). */
function serveRepository(overrides: Map<string, string>) {
  return Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (request) => {
    const path = decodeURIComponent(new URL(request.url).pathname).replace(/^\/+/, "");
    if (path.includes("..") || !path.endsWith(".ts")) return new Response("not found", { status: 404 });
    try {
      const text = overrides.get(path) ?? await Deno.readTextFile(new URL(path, REPOSITORY));
      return new Response(text, { headers: { "content-type": "application/typescript" } });
    } catch {
      return new Response("not found", { status: 404 });
    }
  });
}

/**
 * Runs a command in a child process with `--no-lock`: Deno records every remote module it imports in the lock
 * file, and this test's loopback URLs (a new port each run) must not end up in the project's deno.lock.
 */
async function command(file: string, args: string[]): Promise<{ code: number; output: string }> {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--no-lock", new URL(file, REPOSITORY).pathname, ...args],
    cwd: new URL(".", REPOSITORY).pathname,
    env: { NO_COLOR: "1" },
  }).output();
  const decoder = new TextDecoder();
  return { code, output: decoder.decode(stdout) + decoder.decode(stderr) };
}

Deno.test("plug-ins by URL: ablate trains and evaluates them; invert needs --allow-plugins and a matching hash", async () => {
  const overrides = new Map<string, string>();
  const server = serveRepository(overrides);
  const folder = await Deno.makeTempDir({ prefix: "plugins_e2e_" });
  try {
    const origin = `http://127.0.0.1:${server.addr.port}`;
    const fusion = `${origin}/examples/plugins/my_fusion.ts#residualConcat`;
    const sharing = `${origin}/examples/plugins/my_sharing.ts#perSlot`;
    await writeTinyModel(`${folder}/models/tiny`);
    await Deno.writeTextFile(`${folder}/waves.js`, WAVES_DATA_PLUGIN);
    await Deno.writeTextFile(
      `${folder}/suite.json`,
      JSON.stringify({
        name: "e2e",
        description: "plug-ins by URL",
        base: "./models/tiny",
        data: "./waves.js#waves",
        training: { steps: 2, batch: 2, weights: { lpips: 0 }, checkpointEvery: 1, validateEvery: 2 },
        evaluation: { images: 2, batch: 2, samples: 1 },
        variants: [
          { name: "my_fusion", label: "residualConcat", changes: { hypernet: { fusion } } },
          { name: "my_sharing", label: "perSlot", changes: { hypernet: { sharing } } },
        ],
      }),
    );
    const trained = await command("cli/ablate.ts", [`${folder}/suite.json`, "--experiments", folder]);
    assert.equal(trained.code, 0, trained.output);
    for (const variant of ["my_fusion", "my_sharing"]) {
      assert.ok((await Deno.stat(`${folder}/results/e2e/${variant}/metrics.json`)).isFile, variant);
    }
    const model = `${folder}/results/e2e/my_fusion/model/model.json`;
    const manifest = JSON.parse(await Deno.readTextFile(model));
    assert.equal(manifest.architecture.hypernet.fusion, fusion);
    assert.match(manifest.plugins[fusion], /^[0-9a-f]{64}$/);

    await writePng(`${folder}/photo.png`, new Float32Array(3 * 64 * 64).fill(0.2), [1, 3, 64, 64]);
    const args = [`${folder}/photo.png`, "--model", model, "--device", "cpu"];
    const refused = await command("cli/invert.ts", [...args, "--out", `${folder}/refused`]);
    assert.equal(refused.code, 2, refused.output);
    assert.match(
      refused.output,
      /runs plug-in code: fusion operator "http:\/\/127\.0\.0\.1:\d+\/examples\/plugins\/my_fusion\.ts#residualConcat"/,
    );
    assert.match(refused.output, /--allow-plugins/);

    const allowed = await command("cli/invert.ts", [...args, "--out", `${folder}/out`, "--allow-plugins"]);
    assert.equal(allowed.code, 0, allowed.output);
    assert.ok(
      allowed.output.includes(`Importing fusion operator ${fusion} (sha256 ${manifest.plugins[fusion]})`),
    );
    assert.ok((await Deno.stat(`${folder}/out/photo.final.png`)).isFile);

    const source = await Deno.readTextFile(new URL("examples/plugins/my_fusion.ts", REPOSITORY));
    overrides.set("examples/plugins/my_fusion.ts", source + "\n// edited after training\n");
    const changed = await command("cli/invert.ts", [
      ...args,
      "--out",
      `${folder}/changed`,
      "--allow-plugins",
    ]);
    assert.equal(changed.code, 2, changed.output);
    assert.match(changed.output, /has changed since it was recorded: its source's sha256 is [0-9a-f]{64}/);
    assert.ok(changed.output.includes(manifest.plugins[fusion]));
  } finally {
    await server.shutdown();
    await Deno.remove(folder, { recursive: true });
  }
});
