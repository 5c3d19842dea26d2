// The official editing files (InterFaceGAN age/rotation/smile, GANSpace FFHQ and church PCAs), loaded through our
// importers, applied to w codes of the seeded full-size generators (the real 8-layer mapping of the reference
// fixtures), give the w' of the official formulas (spec §7), computed here by hand in float64.
import assert from "node:assert/strict";
import { mappingGraph } from "../generator/generator_graphs.ts";
import { numWs } from "../generator/config.ts";
import { prngFill } from "../io/prng.ts";
import { GraphSession } from "../runtime/session.ts";
import { parameterFeeds } from "../runtime/weights.ts";
import { ganSpaceEdit, interfaceGanEdit } from "../editing/directions.ts";
import { loadGanSpacePca, loadInterfaceGanDirection } from "../editing/load_direction.ts";
import { loadGeneratorFixture } from "./_fixtures.ts";

const editings = "../shared/fixtures/official-editings";

/** w [2, numWs, 512] of the seeded generator from the fixture's z, ψ = 0.7 (as the official inference uses). */
async function seededWs(name: string): Promise<{ ws: Float32Array; rows: number }> {
  const { fixture, config, weights } = await loadGeneratorFixture(name);
  const z = fixture.manifest.mapping_input_z as {
    prng: { seed: number; k: number; offset: number; scale: number };
  };
  const graph = mappingGraph(config, { batch: 2, truncationPsi: 0.7 });
  const { outputs } = await (await GraphSession.create(graph)).run({
    z: prngFill(z.prng.seed, z.prng.k, 2 * 512, z.prng.offset, z.prng.scale),
    ...parameterFeeds(graph, weights),
  });
  return { ws: outputs.ws.data as Float32Array, rows: numWs(config) };
}

function assertWithin(actual: Float32Array, expected: Float64Array, tolerance: number, what: string) {
  assert.equal(actual.length, expected.length);
  let worst = 0;
  for (let i = 0; i < actual.length; i++) worst = Math.max(worst, Math.abs(actual[i] - expected[i]));
  assert.ok(worst <= tolerance, `${what}: max |difference| ${worst} > ${tolerance}`);
}

Deno.test("official InterFaceGAN files on the seeded FFHQ-1024 generator: w' = w + (factor/2)·n on all 18 rows", async () => {
  const { ws, rows } = await seededWs("hyperinverter-ffhq1024");
  assert.equal(rows, 18);
  for (const name of ["age", "rotation", "smile"]) {
    const n = await loadInterfaceGanDirection(`${editings}/interfacegan_directions/${name}.pt`, {
      wDim: 512,
    });
    let norm = 0;
    for (const v of n) norm += v * v;
    assert.ok(norm > 0.5, `${name} direction is not empty`);
    for (const factor of [-3, 1.5, 3]) {
      // latent_editor_wrapper.py passes factor/2 to apply_interfacegan: w + (factor/2)·direction
      const gamma = factor / 2;
      const expected = Float64Array.from(ws, (w, i) => w + gamma * n[i % 512]);
      const edited = interfaceGanEdit(ws, rows, n, gamma);
      assertWithin(edited, expected, 2e-6, `${name} × ${gamma}`);
      assert.ok(edited.some((v, i) => v !== ws[i]), "the edit moved w");
    }
  }
  await assert.rejects(
    loadInterfaceGanDirection(`${editings}/interfacegan_directions/age.pt`, { wDim: 128 }),
    /512 values; the model's wDim is 128/,
  );
});

for (
  const [fixture, file, directions] of [
    ["hyperinverter-ffhq1024", "ffhq_pca.pt", [[54, 7, 8, 5], [37, 0, 5, 20], [11, 1, 4, -10.5]]],
    ["hyperinverter-church256", "church_pca.pt", [[20, 7, 9, -20], [12, 5, 6, -19.1]]],
  ] as const
) {
  Deno.test(`official GANSpace ${file} on the seeded ${fixture} generator sets the coordinate on rows start…end−1`, async () => {
    const { ws, rows } = await seededWs(fixture);
    const pca = await loadGanSpacePca(`${editings}/ganspace_pca/${file}`);
    for (const [component, start, end, strength] of directions) {
      const comp = pca.comp.subarray(component * 512, (component + 1) * 512);
      const std = pca.std[component];
      // editings/ganspace.py: c = Σ (w[0] − mean)·comp / std; δ = (strength − c)·comp·std on rows start:end.
      const expected = Float64Array.from(ws);
      for (let b = 0; b < 2; b++) {
        let c = 0;
        for (let i = 0; i < 512; i++) c += (ws[b * rows * 512 + i] - pca.mean[i]) * comp[i];
        c /= std;
        for (let r = start; r < end; r++) {
          for (let i = 0; i < 512; i++) expected[(b * rows + r) * 512 + i] += (strength - c) * comp[i] * std;
        }
      }
      const edited = ganSpaceEdit(ws, rows, pca, { component, start, end, strength });
      assertWithin(edited, expected, 5e-5, `${file} (${component}, ${start}, ${end}, ${strength})`);
      // After the edit, the coordinate of an edited row along the component is the strength.
      let after = 0;
      for (let i = 0; i < 512; i++) after += (edited[start * 512 + i] - pca.mean[i]) * comp[i];
      assert.ok(Math.abs(after / std - strength) < 1e-3, `coordinate ${after / std} ≠ ${strength}`);
      for (let r = 0; r < rows; r++) {
        if (r >= start && r < end) continue;
        assert.deepEqual(edited.subarray(r * 512, (r + 1) * 512), ws.subarray(r * 512, (r + 1) * 512));
      }
    }
  });
}
