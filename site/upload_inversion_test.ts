/**
 * Uploads of inversion files (compact or with ΔW) and of photos aligned and pasted back, through `site.fetch` on
 * the site's fixture.
 */
import assert from "node:assert/strict";
import { openPhoto } from "../faces/rgb_image.ts";
import { pasteBack } from "../faces/paste_back.ts";
import { readInversionFile, writeInversionFile } from "../io/inversion_file.ts";
import { loadInversion } from "../model/compact_inversion.ts";
import { loadHyperInverter } from "../model/load.ts";
import {
  maxDifference,
  pngPixels as pixels,
  REPOSITORY_ROOT,
  siteTest as test,
  writeFixtureExperiments,
} from "./_fixture.ts";
import { createSite, type Site } from "./server.ts";

const root = await Deno.makeTempDir({ prefix: "site-upload-inversion-" });
const fixture = writeFixtureExperiments(root);
globalThis.addEventListener("unload", () => Deno.removeSync(root, { recursive: true }));

const ORIGIN = "http://127.0.0.1:8000";
const SAMPLE = `${REPOSITORY_ROOT}/data/models/default/samples/test-0013-dress.png`;
const FACE = `${REPOSITORY_ROOT}/../shared/fixtures/images/faces-raw/04.jpg`;

async function withSite(body: (site: Site) => Promise<void>) {
  await fixture;
  const site = await createSite({ experimentsRoot: root, repositoryRoot: REPOSITORY_ROOT });
  try {
    await body(site);
  } finally {
    site.close();
  }
}

const get = (site: Site, path: string, init?: RequestInit) =>
  site.fetch(new Request(`${ORIGIN}${path}`, init));

function form(
  bytes: Uint8Array,
  name: string,
  variants: string[],
  fields: Record<string, string> = {},
): FormData {
  const form = new FormData();
  form.set("image", new File([bytes as Uint8Array<ArrayBuffer>], name));
  form.set("suite", "demo");
  for (const v of variants) form.append("variant", v);
  for (const [key, value] of Object.entries(fields)) form.set(key, value);
  return form;
}

const post = (site: Site, body: FormData) => get(site, "/api/jobs", { method: "POST", body });

interface Summary {
  kind: string;
  aligned: boolean;
  variants: {
    variant: string;
    images: Record<string, string>;
    inversion?: string;
    psnr: number | null;
    quad?: [number, number][];
  }[];
}

/** Posts a form, follows the job to its end and answers its summary and a reader of its files. */
async function runUpload(site: Site, body: FormData) {
  const accepted = await post(site, body);
  assert.equal(accepted.status, 202, await accepted.clone().text());
  const { id, events } = await accepted.json();
  const text = await (await get(site, events)).text();
  const last = [...text.matchAll(/event: (\w+)\ndata: (.*)\n\n/g)].at(-1)!;
  assert.equal(last[1], "done", text);
  const file = async (name: string) => {
    const response = await get(site, `/api/jobs/${id}/files/${name}`);
    assert.equal(response.status, 200, name);
    const type = name.endsWith(".safetensors") ? "application/octet-stream" : "image/png";
    assert.equal(response.headers.get("content-type"), type, name);
    return new Uint8Array(await response.arrayBuffer());
  };
  return { summary: JSON.parse(last[2]).result as Summary, file };
}

test("an upload's compact inversion file is served; uploaded back (compact or with ΔW) it renders the same images", async () => {
  await withSite(async (site) => {
    const image = await runUpload(site, form(await Deno.readFile(SAMPLE), "dress.png", ["full"]));
    assert.equal(image.summary.kind, "image");
    const [full] = image.summary.variants;
    assert.equal(full.inversion, "full_inversion.safetensors");
    const compact = await image.file(full.inversion!);
    assert.ok(compact.length < 100_000, `compact: ${compact.length} bytes`);

    const dir = await Deno.makeTempDir({ prefix: "site-inversion-files-" });
    try {
      await Deno.writeFile(`${dir}/compact.safetensors`, compact);
      const recorded = await readInversionFile(`${dir}/compact.safetensors`);
      assert.ok(recorded.codes.size > 0 && recorded.residuals.size === 0, "codes v only");
      assert.equal(recorded.modelName, "demo/full", "no server path in the file");
      assert.equal(recorded.source, "dress.png");

      // The same inversion with the full ΔW, as `invert --save-delta-weights` (or an older invert) writes it.
      const modelPath = `${REPOSITORY_ROOT}/data/models/default/model.json`;
      const model = await loadHyperInverter(modelPath);
      const loaded = await loadInversion(`${dir}/compact.safetensors`, model, modelPath);
      const residuals = new Map(
        [...loaded.residuals].map(([name, data]) => [name, { data, shape: [data.length] }]),
      );
      await writeInversionFile(`${dir}/full.safetensors`, { ...recorded, codes: new Map(), residuals });

      for (
        const [name, bytes] of [["compact", compact], [
          "full",
          await Deno.readFile(`${dir}/full.safetensors`),
        ]]
      ) {
        const rendered = await runUpload(
          site,
          form(bytes as Uint8Array, `${name}.safetensors`, ["full", "phase_one"]),
        );
        assert.equal(rendered.summary.kind, "inversion");
        const [again, phaseOne] = rendered.summary.variants;
        assert.equal(again.images.input, undefined);
        assert.equal(again.psnr, null);
        for (const kind of ["final", "phase1"]) {
          const before = await pixels(await image.file(full.images[kind]));
          assert.ok(maxDifference(await pixels(await rendered.file(again.images[kind])), before) <= 1, kind);
        }
        assert.ok(
          maxDifference(
            await pixels(await rendered.file(phaseOne.images.final)),
            await pixels(await image.file(full.images.phase1)),
          ) <= 1,
          "a phase-I-only variant renders w alone",
        );
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
});

test("an inversion file of another model is refused with 422 naming both identities", async () => {
  await withSite(async (site) => {
    const image = await runUpload(site, form(await Deno.readFile(SAMPLE), "dress.png", ["full"]));
    const dir = await Deno.makeTempDir({ prefix: "site-inversion-other-" });
    try {
      await Deno.writeFile(`${dir}/a.safetensors`, await image.file("full_inversion.safetensors"));
      const recorded = await readInversionFile(`${dir}/a.safetensors`);
      const other = "f".repeat(64);
      await writeInversionFile(`${dir}/b.safetensors`, {
        ...recorded,
        model: other,
        modelName: "ffhq/other",
      });
      const response = await post(
        site,
        form(await Deno.readFile(`${dir}/b.safetensors`), "b.safetensors", ["full"]),
      );
      const body = await response.json();
      assert.equal(response.status, 422, JSON.stringify(body));
      assert.equal(body.error, "wrong_model");
      assert.match(
        body.message,
        new RegExp(`"b\\.safetensors" belongs to model "ffhq/other" \\(identity ${other}\\)`),
      );
      assert.ok(body.message.includes(`(identity ${recorded.model})`), body.message);
      assert.doesNotMatch(body.message, new RegExp(root));

      const broken = await post(
        site,
        form(new TextEncoder().encode("not a safetensors"), "c.safetensors", ["full"]),
      );
      assert.equal(broken.status, 422);
      const brokenBody = await broken.json();
      assert.equal(brokenBody.error, "not_an_inversion");
      assert.match(brokenBody.message, /c\.safetensors/);
      assert.doesNotMatch(brokenBody.message, /\/tmp\//);

      const aligned = await post(
        site,
        form(await Deno.readFile(`${dir}/a.safetensors`), "a.safetensors", ["full"], { align: "1" }),
      );
      assert.equal(aligned.status, 400);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
});

test("align: a faces-raw photo is aligned, inverted and pasted back; outside the face's quad the photo is unchanged", async () => {
  await withSite(async (site) => {
    const { summary, file } = await runUpload(
      site,
      form(await Deno.readFile(FACE), "04.jpg", ["full", "phase_one"], { align: "1" }),
    );
    assert.equal(summary.aligned, true);
    const [full] = summary.variants;
    assert.ok(full.quad?.length === 4, JSON.stringify(full));
    const photo = await (await openPhoto(FACE)).read();
    const pasted = await pixels(await file(full.images.pasted));
    assert.equal(pasted.length, photo.width * photo.height * 3);
    const final = { data: await pixels(await file(full.images.final)), width: 32, height: 32 };
    assert.deepEqual(
      pasted,
      (await pasteBack(photo, full.quad!, final)).data,
      "= pasteBack of the final image",
    );
    // Outside the quad's bounding box (one pixel of margin) every pixel is the photo's.
    const xs = full.quad!.map(([x]) => x), ys = full.quad!.map(([, y]) => y);
    const [left, right] = [Math.min(...xs) - 1, Math.max(...xs) + 1];
    const [top, bottom] = [Math.min(...ys) - 1, Math.max(...ys) + 1];
    let outside = 0, changed = 0;
    for (let y = 0; y < photo.height; y++) {
      for (let x = 0; x < photo.width; x++) {
        if (x >= left && x <= right && y >= top && y <= bottom) continue;
        outside++;
        for (let c = 0; c < 3; c++) {
          if (pasted[(y * photo.width + x) * 3 + c] !== photo.data[(y * photo.width + x) * 3 + c]) changed++;
        }
      }
    }
    assert.ok(outside > 0, "the quad leaves some of the photo outside");
    assert.equal(changed, 0);
    assert.ok(maxDifference(pasted, photo.data) > 0, "the face itself is replaced");
    const phaseOne = summary.variants[1];
    const phaseOneImage = { data: await pixels(await file(phaseOne.images.final)), width: 32, height: 32 };
    assert.deepEqual(
      await pixels(await file(phaseOne.images.pasted)),
      (await pasteBack(photo, phaseOne.quad!, phaseOneImage)).data,
      "a phase-I-only variant pastes back phase I's image, the one it shows",
    );
  });
});
