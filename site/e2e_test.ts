/**
 * The site in a real browser (Debian's Chromium via playwright-core) against a temporary experiments folder:
 * the suite page, two variants side by side with the slider and zoom, the edit slider and plots, and an upload
 * whose progress and result arrive over SSE, and a photo aligned and pasted back. Screenshots go to `.ci/out/screenshots/`.
 */
import assert from "node:assert/strict";
import { launchChromium, SCREENSHOT_DIRECTORY } from "./_browser.ts";
import { REPOSITORY_ROOT, writeFixtureExperiments } from "./_fixture.ts";
import { serveSite } from "./server.ts";

Deno.test({
  name: "site in Chromium: suite table, side-by-side compare, edit slider, upload with progress",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    const root = await Deno.makeTempDir({ prefix: "site-e2e-" });
    await writeFixtureExperiments(root);
    await Deno.mkdir(SCREENSHOT_DIRECTORY, { recursive: true });
    const { server, site } = await serveSite({
      experimentsRoot: root,
      repositoryRoot: REPOSITORY_ROOT,
      port: 0,
    });
    const { port } = server.addr as Deno.NetAddr;
    const base = `http://127.0.0.1:${port}`;
    const browser = await launchChromium();
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const pageErrors: string[] = [];
    page.on("pageerror", (error) => pageErrors.push(error.message));
    page.on("console", (message) => {
      if (message.type() === "error") pageErrors.push(`${message.text()} (${message.location().url})`);
    });
    try {
      await t.step("the suite page shows ours beside the paper's numbers and sorts by a column", async () => {
        await page.goto(`${base}/suites/demo`);
        const rows = page.locator("#suite-table tbody tr");
        assert.deepEqual(await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute("data-variant"))), [
          "full",
          "phase_one",
          "pending",
        ]);
        const fullRow = await page.locator('tr[data-variant="full"]').innerText();
        assert.match(fullRow, /21\.44/, "the paper's PSNR of row (1) is beside ours");
        // Sorting happens in the island: it proves the bundle loaded and hydrated.
        await page.click('button[data-sort="ours.psnr"]');
        await page.click('button[data-sort="ours.psnr"]'); // descending
        const order = await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute("data-variant")));
        const psnr = async (v: string) =>
          Number(await page.locator(`tr[data-variant="${v}"] td`).nth(4).innerText());
        const expected = (await psnr("full")) > (await psnr("phase_one"))
          ? ["full", "phase_one", "pending"]
          : ["phase_one", "full", "pending"];
        assert.deepEqual(order, expected, "descending PSNR, the variant without metrics last");
        await page.screenshot({ path: `${SCREENSHOT_DIRECTORY}/01_suite.png`, fullPage: true });
      });

      await t.step("picking two variants shows both images side by side", async () => {
        await page.check('input[value="full"]');
        await page.check('input[value="phase_one"]');
        assert.equal(await page.isDisabled('input[value="pending"]'), true, "no samples, nothing to compare");
        await Promise.all([page.waitForURL(/\/compare\?variants=/), page.click("#compare")]);
        assert.match(page.url(), /variants=(full,phase_one|phase_one,full)$/);
        for (const variant of ["full", "phase_one"]) {
          const after = page.locator(`[data-panel="${variant}"] img.after`);
          await after.waitFor();
          await page.waitForFunction(
            (selector) => {
              const image = document.querySelector<HTMLImageElement>(selector);
              return image?.complete && image.naturalWidth === 32;
            },
            `[data-panel="${variant}"] img.after`,
          );
          // The heatmap's PSNR is computed in the browser from both images.
          await page.waitForFunction(
            (selector) => /^\d+\.\d\d$/.test(document.querySelector(selector)?.textContent ?? ""),
            `[data-panel="${variant}"] .psnr`,
          );
        }
        await page.screenshot({ path: `${SCREENSHOT_DIRECTORY}/02_compare.png`, fullPage: true });
      });

      await t.step("the before/after slider and the zoom move every panel together", async () => {
        const clip = (variant: string) =>
          page.locator(`[data-panel="${variant}"] img.after`).evaluate((img) =>
            (img as HTMLElement).style.clipPath
          );
        assert.match(await clip("full"), /inset\(0(px)? 0(px)? 0(px)? 50%\)/);
        await page.locator("#split").fill("20");
        for (const variant of ["full", "phase_one"]) assert.match(await clip(variant), /20%\)$/);
        await page.locator("#zoom").fill("4");
        const transforms = await page.locator("[data-layer]").evaluateAll((layers) =>
          layers.map((layer) => (layer as HTMLElement).style.transform)
        );
        assert.equal(transforms.length, 2);
        for (const transform of transforms) assert.match(transform, /scale\(4\)/);
        await page.check("#heatmap");
        assert.equal(
          await page.locator('[data-panel="full"] canvas.heatmap').evaluate((c) =>
            (c as HTMLElement).style.visibility
          ),
          "",
        );
        await page.screenshot({
          path: `${SCREENSHOT_DIRECTORY}/03_compare_slider_zoom_heatmap.png`,
          fullPage: true,
        });
      });

      await t.step("the variant page plots ΔW and losses, and the γ slider renders an edit", async () => {
        await page.goto(`${base}/suites/demo/full`);
        await page.locator("#delta-w canvas").first().waitFor();
        await page.locator("#losses canvas").first().waitFor();
        const edited = page.locator("#edit-result");
        await edited.waitFor();
        await page.locator("#gamma").fill("4");
        await page.waitForFunction(() => {
          const image = document.querySelector<HTMLImageElement>("#edit-result");
          return image?.dataset.url?.includes("gamma=4") && image.complete && image.naturalWidth === 32;
        });
        await page.locator("#interp-result").waitFor();
        await page.screenshot({ path: `${SCREENSHOT_DIRECTORY}/04_variant_edit.png`, fullPage: true });
      });

      await t.step(
        "an upload runs through the chosen variants and its progress and result arrive",
        async () => {
          await page.goto(`${base}/upload`);
          await page.setInputFiles(
            "#image",
            `${REPOSITORY_ROOT}/data/models/default/samples/test-0013-dress.png`,
          );
          assert.equal(await page.isChecked('input[name="variant"][value="full"]'), true);
          assert.equal(await page.isChecked('input[name="variant"][value="phase_one"]'), true);
          site.state.queue.pause(); // hold the job in the queue so that the page shows its progress
          await page.click('button[type="submit"]');
          await page.locator("#job-message").filter({ hasText: /queued/ }).waitFor();
          await page.screenshot({ path: `${SCREENSHOT_DIRECTORY}/05_upload_progress.png`, fullPage: true });
          site.state.queue.resume();
          await page.locator("#job-results").waitFor();
          for (const variant of ["full", "phase_one"]) {
            const images = page.locator(`[data-result="${variant}"] img`);
            assert.equal(await images.count(), 3);
            await page.waitForFunction(
              (selector) =>
                [...document.querySelectorAll<HTMLImageElement>(selector)].every((i) =>
                  i.complete && i.naturalWidth === 32
                ),
              `[data-result="${variant}"] img`,
            );
            assert.match(await page.locator(`[data-result="${variant}"] .psnr`).innerText(), /^\d+\.\d\d$/);
          }
          await page.screenshot({ path: `${SCREENSHOT_DIRECTORY}/06_upload_result.png`, fullPage: true });
        },
      );

      await t.step(
        "align face and paste back shows the photo beside the pasted result, with the inversion file's link",
        async () => {
          await page.goto(`${base}/upload`);
          await page.setInputFiles("#image", `${REPOSITORY_ROOT}/../shared/fixtures/images/faces-raw/04.jpg`);
          await page.check("#align");
          await page.click('button[type="submit"]');
          await page.locator("#job-results").waitFor();
          const pasted = page.locator('[data-result="full"] img.photo');
          assert.equal(await pasted.count(), 2, "the photo and the pasted result");
          await page.waitForFunction(
            () =>
              [...document.querySelectorAll<HTMLImageElement>('[data-result="full"] img.photo')].every((i) =>
                i.complete && i.naturalWidth === 320
              ),
          );
          const link = await page.locator('[data-result="full"] a.inversion-file').getAttribute("href");
          assert.match(link ?? "", /\/files\/full_inversion\.safetensors$/);
          await page.screenshot({ path: `${SCREENSHOT_DIRECTORY}/07_upload_pasted.png`, fullPage: true });
        },
      );
      assert.deepEqual(pageErrors, [], "no errors in the pages");
    } finally {
      await browser.close();
      await server.shutdown();
      await Deno.remove(root, { recursive: true });
    }
  },
});
