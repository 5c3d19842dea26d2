import assert from "node:assert/strict";
import { main } from "./generator_quality.ts";
import { imageSize } from "../io/image.ts";

Deno.test("generator-quality: --samples writes the first 32 generated images as an 8 × 4 grid; an existing file needs --force", async () => {
  const folder = await Deno.makeTempDir({ prefix: "generator-quality-" });
  const samples = `${folder}/samples.png`;
  const printed: string[] = [];
  const log = console.log;
  console.log = (line: string) => printed.push(line);
  try {
    const args = ["--count", "40", "--batch", "20", "--json", "--samples", samples];
    assert.equal(await main(args), 0);
    const report = JSON.parse(printed.at(-1)!);
    assert.ok(Number.isFinite(report.frechetFeatureDistance) && report.count === 40, printed.at(-1));
    const size = await imageSize(await Deno.readFile(samples));
    assert.deepEqual([size.width, size.height], [8 * 32, 4 * 32]);
    const before = await Deno.readFile(samples);
    assert.equal(await main(args), 2, "refused: the samples file exists");
    assert.deepEqual(await Deno.readFile(samples), before, "and left as it was");
    assert.equal(await main([...args, "--force"]), 0);
  } finally {
    console.log = log;
    await Deno.remove(folder, { recursive: true });
  }
});
