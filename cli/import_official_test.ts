/**
 * `deno task import` on the official files of the reference fixtures: direction files end to end, and the
 * refusals (moved here from convert/convert_test.ts: convert/ does not import cli/).
 */

import assert from "node:assert/strict";
import { readWeights } from "../io/weights_file.ts";
import { referenceFixturesRoot } from "../io/reference_fixture.ts";
import { main as importMain } from "./import.ts";

const editings = `${referenceFixturesRoot()}/../official-editings`;

Deno.test("the official direction files import with their shapes and values (values.json)", async () => {
  const values = JSON.parse(await Deno.readTextFile(`${editings}/values.json`)).files;
  const dir = await Deno.makeTempDir();
  try {
    for (
      const [file, kind] of [
        ["interfacegan_directions/age.pt", "interfacegan"],
        ["interfacegan_directions/rotation.pt", "interfacegan"],
        ["interfacegan_directions/smile.pt", "interfacegan"],
        ["ganspace_pca/ffhq_pca.pt", "ganspace"],
        ["ganspace_pca/church_pca.pt", "ganspace"],
      ]
    ) {
      const out = `${dir}/${file.replaceAll("/", "_")}.safetensors`;
      assert.equal(await importMain([kind, `${editings}/${file}`, "--out", out]), 0, file);
      const { weights } = await readWeights(out);
      const structure = values[file].structure;
      type Expected = { shape: number[]; first5_logical: number[]; last5_logical: number[] };
      const tensors: Record<string, Expected> = kind === "interfacegan"
        ? { direction: structure.tensor }
        : structure.tensors;
      assert.ok(Object.keys(tensors).length > 0, `${file}: values.json layout`);
      for (const [name, expected] of Object.entries(tensors)) {
        const weight = weights.get(name)!;
        assert.deepEqual(weight.shape, expected.shape, `${file} ${name}`);
        assert.deepEqual(
          [...weight.data.subarray(0, 5)],
          expected.first5_logical.map(Math.fround),
          `${file} ${name} first5`,
        );
        assert.deepEqual(
          [...weight.data.subarray(-5)],
          expected.last5_logical.map(Math.fround),
          `${file} ${name} last5`,
        );
      }
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("import refuses to overwrite and reports unknown kinds", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const out = `${dir}/age.safetensors`;
    assert.equal(
      await importMain(["interfacegan", `${editings}/interfacegan_directions/age.pt`, "--out", out]),
      0,
    );
    const before = await Deno.readFile(out);
    assert.equal(
      await importMain(["interfacegan", `${editings}/interfacegan_directions/smile.pt`, "--out", out]),
      2,
    );
    assert.deepEqual(await Deno.readFile(out), before);
    assert.equal(await importMain(["checkpoint", "x.pt", "--out", out]), 2);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
