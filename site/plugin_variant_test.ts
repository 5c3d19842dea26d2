import assert from "node:assert/strict";
import { resolveHypernetPlugins } from "../hypernet/plugins.ts";
import { writeTinyModel } from "../tests/_tiny_model.ts";
import { type ImageAnswer, InferenceRunner } from "./inference_tasks.ts";
import { encodePng } from "./images.ts";
import { writeWeights } from "../io/weights_file.ts";
import { createSite } from "./server.ts";

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

Deno.test({
  name:
    "GET /api/suites/:suite/:variant/edit renders a variant trained with user code live, with --allow-plugins only",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const root = await Deno.makeTempDir({ prefix: "site-plugin-edit-" });
    try {
      // An experiments folder of one's own: the user's fusion beside the suite, a variant trained with it.
      const source = await Deno.readTextFile(new URL("examples/plugins/my_fusion.ts", PROJECT));
      await Deno.mkdir(`${root}/suites`, { recursive: true });
      await Deno.writeTextFile(`${root}/suites/fuse.ts`, source.replaceAll("../../", PROJECT));
      await Deno.writeTextFile(
        `${root}/suites/mine.json`,
        JSON.stringify({
          name: "mine",
          description: "a user plug-in fusion",
          base: "base",
          training: { steps: 1 },
          variants: [{
            name: "plug",
            label: "My fusion",
            changes: { hypernet: { fusion: "./fuse.ts#residualConcat" } },
          }],
        }),
      );
      const { config } = await resolveHypernetPlugins({ fusion: "./fuse.ts#residualConcat" }, {
        base: `${root}/suites/`,
      });
      const variant = `${root}/results/mine/plug`;
      await writeTinyModel(`${variant}/model`, { hypernet: { fusion: config.fusion } });
      await writeTinyModel(`${root}/base`);
      // A learned direction to edit along (the tiny model stores no mapping network to sample principal ones).
      const axis = new Float32Array(512).map((_, i) => (i % 2 ? 1 : -1) / Math.sqrt(512));
      await Deno.mkdir(`${variant}/model/directions`, { recursive: true });
      await writeWeights(
        `${variant}/model/directions/interfacegan.safetensors`,
        new Map([["axis", { data: axis, shape: [512] }]]),
        { metadata: { format: "interfacegan-directions", about: "{}" } },
      );
      await Deno.mkdir(`${variant}/samples`, { recursive: true });
      const shape = [1, 3, 64, 64];
      const image = new Float32Array(3 * 64 * 64).map((_, i) => Math.sin(i / 37) * 0.5);
      for (const kind of ["input", "phase1", "final"]) {
        await Deno.writeFile(`${variant}/samples/00_${kind}.png`, await encodePng(image, shape));
      }
      await Deno.writeTextFile(
        `${variant}/metrics.json`,
        JSON.stringify({ l2: 0.1, psnr: 10, parameters: 1 }),
      );
      const edit = "/api/suites/mine/plug/edit?sample=00&direction=axis&gamma=3";

      const refusing = await createSite({ experimentsRoot: root, repositoryRoot: root });
      try {
        const response = await refusing.fetch(new Request(`http://127.0.0.1${edit}`));
        assert.notEqual(response.status, 200);
        assert.match((await response.json()).message, /--allow-plugins/);
      } finally {
        refusing.close();
      }
      const site = await createSite({ experimentsRoot: root, repositoryRoot: root, allowPlugins: true });
      try {
        const page = await site.fetch(new Request("http://127.0.0.1/suites/mine/plug"));
        assert.equal(page.status, 200);
        assert.match(await page.text(), /data-island="EditPanel"/, "the variant page offers the live edit");
        const rendered: Uint8Array[] = [];
        for (const gamma of [0, 3]) {
          const response = await site.fetch(
            new Request(`http://127.0.0.1${edit.replace("gamma=3", `gamma=${gamma}`)}`),
          );
          assert.equal(response.status, 200, await response.clone().text());
          assert.equal(response.headers.get("content-type"), "image/png");
          rendered.push(new Uint8Array(await response.arrayBuffer()));
          assert.deepEqual([...rendered.at(-1)!.subarray(1, 4)], [0x50, 0x4e, 0x47]);
        }
        assert.notDeepEqual(rendered[0], rendered[1], "γ moves the image");
      } finally {
        site.close();
      }
    } finally {
      await Deno.remove(root, { recursive: true });
    }
  },
});
