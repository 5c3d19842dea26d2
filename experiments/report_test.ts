import assert from "node:assert/strict";
import { suiteMarkdown } from "./report.ts";

Deno.test("the report of a suite with factors ends with its PSNR and L2 grids by the first two factors", async () => {
  const root = await Deno.makeTempDir();
  try {
    await Deno.mkdir(`${root}/suites`, { recursive: true });
    const point = (fusion: string, D: number, seed: number) => ({
      name: `${fusion}_${D}_${seed}`,
      label: `${fusion} ${D} ${seed}`,
      factors: { fusion, D, seed },
    });
    const variants = [point("cat", 4, 1), point("cat", 4, 2), point("sum", 16, 1)];
    await Deno.writeTextFile(
      `${root}/suites/s.json`,
      JSON.stringify({
        name: "s",
        description: "",
        base: "m",
        training: { steps: 1 },
        factors: ["fusion", "D", "seed"],
        variants,
      }),
    );
    for (const [v, psnr] of [["cat_4_1", 20], ["cat_4_2", 22], ["sum_16_1", 19]] as const) {
      await Deno.mkdir(`${root}/results/s/${v}`, { recursive: true });
      await Deno.writeTextFile(
        `${root}/results/s/${v}/metrics.json`,
        JSON.stringify({ psnr, l2: psnr / 1000, parameters: 1 }),
      );
    }
    const report = await suiteMarkdown("s", root);
    assert.match(report, /PSNR by fusion × D \(seed: mean ± sd\):/);
    assert.match(report, /\| cat +\| +21\.00 ± 1\.41 \| +– \|/);
    assert.match(report, /\| sum +\| +– \| +19\.00 \|/);
    assert.match(report, /L2 by fusion × D/);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
