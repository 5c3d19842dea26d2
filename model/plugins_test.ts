import * as assert from "node:assert/strict";
import { PluginError } from "../io/plugin_loader.ts";
import { resolveHypernetPlugins } from "../hypernet/plugins.ts";
import { writeTinyModel } from "../tests/_tiny_model.ts";
import { loadHyperInverter } from "./load.ts";
import { readManifest } from "./manifest.ts";

const PROJECT = new URL("../", import.meta.url).href;

/** A folder with the example fusion operator (project imports made absolute) and a tiny model naming it. */
async function withPluginModel(body: (dir: string, manifest: string, specifier: string) => Promise<void>) {
  const dir = await Deno.makeTempDir({ prefix: "model-plugins-" });
  try {
    const source = await Deno.readTextFile(new URL("examples/plugins/my_fusion.ts", PROJECT));
    await Deno.writeTextFile(`${dir}/fuse.ts`, source.replaceAll("../../", PROJECT));
    const { config } = await resolveHypernetPlugins({ fusion: "./fuse.ts#residualConcat" }, {
      base: `${dir}/`,
    });
    const manifest = await writeTinyModel(`${dir}/model`, { hypernet: { fusion: config.fusion } });
    await body(dir, manifest, config.fusion);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("a model folder records each plug-in's sha256 and is refused without allowPlugins, naming it", async () => {
  await withPluginModel(async (dir, manifest, specifier) => {
    const { manifest: json } = await readManifest(manifest);
    const sha = json.plugins![specifier];
    assert.match(sha, /^[0-9a-f]{64}$/);
    assert.equal(specifier, `file://${dir}/fuse.ts#residualConcat`);
    await assert.rejects(
      loadHyperInverter(manifest),
      (e) =>
        e instanceof PluginError && e.kind === "not-allowed" &&
        e.message.includes(`fusion operator "${specifier}"`) && e.message.includes("--allow-plugins"),
    );
  });
});

Deno.test("with allowPlugins the plug-in is imported, told, and the model inverts", async () => {
  await withPluginModel(async (_dir, manifest, specifier) => {
    const told: string[] = [];
    const model = await loadHyperInverter(manifest, {
      allowPlugins: true,
      onPluginLoad: (m) => told.push(m),
    });
    assert.equal(told.length, 1);
    assert.ok(told[0].startsWith(`Importing fusion operator ${specifier} (sha256 `), told[0]);
    const result = await model.invert(new Float32Array(3 * 64 * 64).fill(0.1), 1);
    assert.ok(result.finalImages.data.every(Number.isFinite));
  });
});

Deno.test("a changed plug-in source is refused naming both hashes; a missing record is refused", async () => {
  await withPluginModel(async (dir, manifest, specifier) => {
    const { manifest: json } = await readManifest(manifest);
    const recorded = json.plugins![specifier];
    await Deno.writeTextFile(`${dir}/fuse.ts`, "\n// edited after training\n", { append: true });
    await assert.rejects(
      loadHyperInverter(manifest, { allowPlugins: true, onPluginLoad: () => {} }),
      (e) =>
        e instanceof PluginError && e.kind === "hash-mismatch" && e.message.includes(specifier) &&
        e.message.includes(recorded) && /sha256 is [0-9a-f]{64}/.test(e.message),
    );
    delete json.plugins;
    await Deno.writeTextFile(manifest, JSON.stringify(json));
    await assert.rejects(
      loadHyperInverter(manifest, { allowPlugins: true }),
      /names the fusion operator ".*fuse\.ts#residualConcat" but records no sha256/,
    );
  });
});

Deno.test("a model folder without plug-ins needs no flag; a malformed plugins record is refused", async () => {
  const dir = await Deno.makeTempDir({ prefix: "model-plugins-" });
  try {
    const manifest = await writeTinyModel(dir);
    await loadHyperInverter(manifest);
    const json = JSON.parse(await Deno.readTextFile(manifest));
    await Deno.writeTextFile(manifest, JSON.stringify({ ...json, plugins: { "./x.ts#x": "00" } }));
    await assert.rejects(loadHyperInverter(manifest), /"plugins" key "\.\/x\.ts#x" must be an absolute/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
