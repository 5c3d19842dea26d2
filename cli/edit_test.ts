import assert from "node:assert/strict";
import { loadSharp } from "../deps.ts";
import { main } from "./edit.ts";

const sample = "models/default/samples/test-0000-boot.png";

async function quietly<T>(run: () => Promise<T>): Promise<T> {
  const { log, error } = console;
  console.log = () => {};
  console.error = () => {};
  try {
    return await run();
  } finally {
    console.log = log;
    console.error = error;
  }
}

Deno.test("edit writes a 2-row strip (phase I, full) with the input and one column per γ", async () => {
  const out = `${await Deno.makeTempDir()}/edit.png`;
  const status = await quietly(() =>
    main([sample, "--direction", "footwear", "--gammas", "-3,0,3", "--out", out, "--device", "cpu"])
  );
  assert.equal(status, 0);
  const sharp = await loadSharp();
  const { width, height } = await sharp(await Deno.readFile(out)).metadata();
  assert.deepEqual([width, height], [4 * 32, 2 * 32]);
  // The γ = −3 and γ = 3 columns differ (the edit moved the image), in both rows.
  const { data } = await sharp(await Deno.readFile(out)).raw().toBuffer({ resolveWithObject: true });
  const column = (c: number, row: number) => {
    const out: number[] = [];
    for (let y = row * 32; y < (row + 1) * 32; y++) {
      for (let x = c * 32; x < (c + 1) * 32; x++) out.push(data[(y * width! + x) * 3]);
    }
    return out;
  };
  for (const row of [0, 1]) assert.notDeepEqual(column(1, row), column(3, row), `row ${row}`);
  assert.equal(
    await quietly(() => main([sample, "--direction", "footwear", "--out", out])),
    1,
    "no overwrite",
  );
});

Deno.test("edit with GANSpace on a PCA of sampled w, and its argument errors", async () => {
  const out = `${await Deno.makeTempDir()}/g.png`;
  const status = await quietly(() =>
    main([
      sample,
      "--ganspace",
      "sampled",
      "--component",
      "0",
      "--layers",
      "0-3",
      "--gammas",
      "-2,2",
      "--out",
      out,
    ])
  );
  assert.equal(status, 0);
  assert.equal(await quietly(() => main([sample])), 2, "a direction is required");
  assert.equal(
    await quietly(() => main([sample, "--direction", "x", "--ganspace", "sampled"])),
    2,
    "not both",
  );
  const errors: string[] = [];
  const { error } = console;
  console.error = (message: string) => errors.push(message);
  try {
    assert.equal(await main([sample, "--direction", "smile", "--out", `${out}.2.png`]), 1);
    assert.equal(
      await main([sample, "--direction", "footwear", "--gammas", "1,x", "--out", `${out}.3.png`]),
      1,
    );
    const official = "../shared/fixtures/official-editings/interfacegan_directions/age.pt";
    assert.equal(await main([sample, "--direction", official, "--out", `${out}.4.png`]), 1);
  } finally {
    console.error = error;
  }
  assert.match(errors[0], /No direction "smile" .* \(it has: .*footwear/);
  assert.match(errors[1], /--gammas must be a comma-separated list of numbers/);
  assert.match(errors[2], /512 values; the model's wDim is 128/);
});
