/**
 * The ablation views in a real browser (Debian's Chromium via playwright-core) on the fixture suite `grid`
 * (fusion × D with seed repeats, `_ablation_fixture.ts`): the factor grid with mean ± spread and its export, live
 * progress from `progress.json` files, the curves of seven variants overlaid (one axis per unit, legend toggles,
 * one step axis, SVG/PNG export), ΔW per layer as grouped bars and a heatmap, and the images as a variants ×
 * samples grid and as differences to a chosen variant, with the slider, shared zoom and heatmap. One Chromium
 * launch; screenshots (and the exported SVG/PNG) go to `.ci/out/screenshots/`.
 */
import assert from "node:assert/strict";
import { writeProgress } from "../experiments/progress.ts";
import { launchChromium, SCREENSHOT_DIRECTORY } from "./_browser.ts";
import { REPOSITORY_ROOT } from "./_fixture.ts";
import { GRID_VARIANTS, PENDING_VARIANT, writeAblationFixture } from "./_ablation_fixture.ts";
import { serveSite } from "./server.ts";

const COMPARED = GRID_VARIANTS.map((v) => v.name).filter((v) => v !== PENDING_VARIANT);

Deno.test({
  name:
    "ablation views in Chromium: factor grid, live progress, curves overlay, ΔW per layer, image grid and differences",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    const root = await Deno.makeTempDir({ prefix: "site-ablation-e2e-" });
    await writeAblationFixture(root);
    await writeProgress("grid", PENDING_VARIANT, { state: "running", step: 3, steps: 20 }, root);
    await Deno.mkdir(SCREENSHOT_DIRECTORY, { recursive: true });
    const { server } = await serveSite({ experimentsRoot: root, repositoryRoot: REPOSITORY_ROOT, port: 0 });
    const base = `http://127.0.0.1:${(server.addr as Deno.NetAddr).port}`;
    const browser = await launchChromium();
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
    const pageErrors: string[] = [];
    page.on("pageerror", (error) => pageErrors.push(error.message));
    page.on("console", (message) => {
      if (message.type() === "error") pageErrors.push(`${message.text()} (${message.location().url})`);
    });
    const cell = (row: string, column: string) =>
      page.locator(`#factor-grid tr[data-row="${row}"] td[data-column="${column}"]`);
    try {
      await t.step("the suite page shows fusion × D with mean ± sd over seeds, and re-pivots", async () => {
        await page.goto(`${base}/suites/grid?poll=300`);
        assert.match(await cell("concatConv", "4").innerText(), /^18\.85 ± 0\.21 \(n=2\)$/);
        assert.match(await cell("sum", "16").innerText(), /^18\.80$/, "one seed evaluated: no spread");
        const background = (row: string, column: string) =>
          cell(row, column).evaluate((td) => getComputedStyle(td).backgroundColor);
        assert.notEqual(await background("concatConv", "16"), await background("sum", "4"), "colour-scaled");
        const csv = await page.locator('[data-export="grid.csv"]').getAttribute("href");
        const exported = await (await page.request.get(`${base}${csv}`)).text();
        assert.equal(
          exported,
          await Deno.readTextFile(`${REPOSITORY_ROOT}/tests/fixtures/ablation_export/grid.csv`),
          "the grid on the page exports as the committed CSV",
        );
        await page.screenshot({ path: `${SCREENSHOT_DIRECTORY}/11_factor_grid.png`, fullPage: true });
        // The island re-pivots in the browser: D down, fusion across, one seed.
        await page.selectOption("#grid-rows", "D");
        await page.selectOption("#grid-where-seed", "1");
        assert.equal(await page.locator("#factor-grid").getAttribute("data-rows"), "D");
        assert.match(
          await page.locator('#factor-grid tr[data-row="4"] td[data-column="concatConv"]').innerText(),
          /^19\.00$/,
        );
        await page.screenshot({ path: `${SCREENSHOT_DIRECTORY}/12_factor_grid_pivot.png`, fullPage: true });
      });

      await t.step("a variant's progress written by another process appears live on the page", async () => {
        const row = page.locator(`#suite-progress tr[data-variant="${PENDING_VARIANT}"]`);
        assert.match(await row.innerText(), /running\s+3\/20/);
        await writeProgress("grid", PENDING_VARIANT, { state: "running", step: 12, steps: 20 }, root);
        await row.filter({ hasText: "12/20" }).waitFor({ timeout: 10_000 });
        await writeProgress("grid", PENDING_VARIANT, { state: "evaluating", step: 20, steps: 20 }, root);
        await page.locator(`#suite-progress tr[data-state="evaluating"]`).waitFor({ timeout: 10_000 });
        await page.locator("#suite-progress").screenshot({ path: `${SCREENSHOT_DIRECTORY}/13_progress.png` });
      });

      await t.step(
        "seven variants' curves share a step axis, one y axis per unit, legend entries toggle",
        async () => {
          await page.goto(`${base}/suites/grid/compare?variants=${COMPARED.join(",")}`);
          await page.locator("#curves canvas").first().waitFor();
          const props = JSON.parse(
            await page.locator('[data-island="LinePlot"]').filter({ has: page.locator("#curves") })
              .getAttribute("data-props") ?? "{}",
          );
          assert.deepEqual(props.x, Array.from({ length: 20 }, (_, i) => i + 1), "one shared step axis");
          assert.equal(props.series.length, 7 * 3);
          // x, then one axis per unit: training loss, L2 on [0, 1], PSNR (dB)
          assert.equal(await page.locator("#curves .u-axis").count(), 4);
          const legend = page.locator("#curves .u-legend .u-series");
          assert.equal(await legend.count(), 21);
          await legend.nth(0).click();
          assert.match(
            await legend.nth(0).getAttribute("class") ?? "",
            /u-off/,
            "hidden by its legend entry",
          );
          await page.locator("#curves").screenshot({ path: `${SCREENSHOT_DIRECTORY}/14_curves.png` });
          const [svg] = await Promise.all([page.waitForEvent("download"), page.click("#curves .export-svg")]);
          const svgPath = `${SCREENSHOT_DIRECTORY}/14_curves_export.svg`;
          await svg.saveAs(svgPath);
          const svgText = await Deno.readTextFile(svgPath);
          assert.equal(
            (svgText.match(/<path class="series"/g) ?? []).length,
            20,
            "the hidden curve is left out",
          );
          assert.equal((svgText.match(/class="axis-y"/g) ?? []).length, 3);
          const [png] = await Promise.all([page.waitForEvent("download"), page.click("#curves .export-png")]);
          const pngPath = `${SCREENSHOT_DIRECTORY}/14_curves_export.png`;
          await png.saveAs(pngPath);
          assert.deepEqual([...(await Deno.readFile(pngPath)).subarray(1, 4)], [0x50, 0x4e, 0x47]);
        },
      );

      await t.step("ΔW per layer of seven variants: grouped bars and a layer × variant heatmap", async () => {
        await page.locator("#delta-w canvas").first().waitFor();
        assert.equal(await page.locator("#delta-w .u-legend .u-series").count(), 7);
        assert.equal(await page.locator("#delta-w-heatmap tbody tr").count(), 8, "one row per layer");
        assert.equal(
          await page.locator("#delta-w-heatmap thead th").count(),
          1 + 7,
          "one column per variant",
        );
        await page.locator("#delta-w").scrollIntoViewIfNeeded();
        await page.screenshot({ path: `${SCREENSHOT_DIRECTORY}/15_delta_w.png`, fullPage: true });
        const [svg] = await Promise.all([page.waitForEvent("download"), page.click("#delta-w .export-svg")]);
        await svg.saveAs(`${SCREENSHOT_DIRECTORY}/15_delta_w_export.svg`);
      });

      await t.step(
        "images as a variants × samples grid with shared zoom, then differences to a chosen variant",
        async () => {
          await page.selectOption("#layout", "grid");
          const panels = page.locator("#image-grid [data-panel]");
          await panels.first().waitFor();
          assert.equal(await panels.count(), 7 * 3);
          await page.waitForFunction(() =>
            [...document.querySelectorAll("#image-grid .psnr")].every((p) =>
              /^\d+\.\d\d$/.test(p.textContent ?? "")
            )
          );
          await page.locator("#zoom").fill("3");
          const transforms = await page.locator("#image-grid [data-layer]").evaluateAll((layers) =>
            layers.map((layer) => (layer as HTMLElement).style.transform)
          );
          assert.equal(transforms.length, 3 + 7 * 3, "the reference row and every cell");
          for (const transform of transforms) assert.match(transform, /scale\(3\)/);
          await page.locator("#zoom").fill("1");
          await page.screenshot({ path: `${SCREENSHOT_DIRECTORY}/16_image_grid.png`, fullPage: true });

          await page.selectOption("#reference", "cat_d16_s1");
          await page.check("#heatmap");
          const reference = page.locator('#image-grid [data-panel="cat_d16_s1"] .psnr');
          await page.waitForFunction(
            (selector) => document.querySelector(selector)?.textContent === "120.00", // identical: 120 dB
            '#image-grid [data-panel="cat_d16_s1"] .psnr',
          );
          assert.equal(
            await reference.first().innerText(),
            "120.00",
            "a variant has no difference to itself",
          );
          const before = await page.locator('#image-grid [data-panel="sum_d4_s1"] img.before').first()
            .getAttribute("src");
          assert.match(
            before ?? "",
            /\/cat_d16_s1\/samples\/00_final\.png$/,
            "compared with the chosen variant",
          );
          await page.waitForFunction(() =>
            [...document.querySelectorAll("#image-grid .psnr")].every((p) =>
              /^\d+\.\d\d$/.test(p.textContent ?? "")
            )
          );
          await page.screenshot({ path: `${SCREENSHOT_DIRECTORY}/17_image_difference.png`, fullPage: true });

          // Side by side keeps its slider, shared zoom and heatmap, now against the chosen variant.
          await page.selectOption("#layout", "side");
          await page.locator("#split").fill("30");
          const clips = await page.locator(".panels img.after").evaluateAll((images) =>
            images.map((image) => (image as HTMLElement).style.clipPath)
          );
          assert.equal(clips.length, 7);
          for (const clip of clips) assert.match(clip, /30%\)$/);
          await page.locator("#zoom").fill("2");
          for (
            const transform of await page.locator(".panels [data-layer]").evaluateAll((layers) =>
              layers.map((layer) => (layer as HTMLElement).style.transform)
            )
          ) assert.match(transform, /scale\(2\)/);
          assert.match(
            await page.locator('.panels [data-panel="sum_d4_s1"] figcaption').innerText(),
            /\|Δ\| to concatConv, D=16, seed 1/,
          );
          await page.screenshot({
            path: `${SCREENSHOT_DIRECTORY}/18_compare_difference_slider.png`,
            fullPage: true,
          });
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
