import assert from "node:assert/strict";
import { resolveHypernetPlugins } from "../hypernet/plugins.ts";
import { writeTinyModel } from "../tests/_tiny_model.ts";
import { type ImageAnswer, InferenceRunner } from "./inference_tasks.ts";

const PROJECT = new URL("../", import.meta.url).href;

Deno.test("the site interpolates live with a variant trained with user code only when started with --allow-plugins", async () => {
  const dir = await Deno.makeTempDir({ prefix: "site-plugin-" });
  try {
    const source = await Deno.readTextFile(new URL("examples/plugins/my_fusion.ts", PROJECT));
    await Deno.writeTextFile(`${dir}/fuse.ts`, source.replaceAll("../../", PROJECT));
    const { config } = await resolveHypernetPlugins({ fusion: "./fuse.ts#residualConcat" }, {
      base: `${dir}/`,
    });
    const modelPath = await writeTinyModel(`${dir}/model`, { hypernet: { fusion: config.fusion } });
    const image = new Float32Array(3 * 64 * 64).fill(0.2);
    // Live interpolation between two images (the tiny model has no mapping network for sampled directions).
    const edit = { kind: "interpolate", modelPath, a: image, b: image.map((v) => -v), t: 0.5 } as const;

    await assert.rejects(new InferenceRunner({ device: "cpu" }).run(edit), /--allow-plugins/);
    const answer = await new InferenceRunner({ device: "cpu", allowPlugins: true }).run(edit) as ImageAnswer;
    assert.equal(answer.image.length, 3 * 64 * 64);
    assert.ok(answer.image.every(Number.isFinite));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
