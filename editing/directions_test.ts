import assert from "node:assert/strict";
import { readTorchFileFromPath, tensorToFloat32, type TorchTensor } from "../io/torch_file.ts";
import { prngFill } from "../io/prng.ts";
import { referenceFixturesRoot } from "../io/reference_fixture.ts";
import { ganSpaceEdit, interfaceGanEdit } from "./directions.ts";

const editings = `${referenceFixturesRoot()}/../official-editings`;

async function official(name: string): Promise<Float32Array> {
  const bytes = await Deno.readFile(`${editings}/examples/${name}.bin`);
  return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
}

async function pca(file: string) {
  const value = await readTorchFileFromPath(`${editings}/ganspace_pca/${file}`) as Map<string, TorchTensor>;
  const get = (key: string) => tensorToFloat32(value.get(key)!, key);
  return { mean: get("mean"), comp: get("comp"), std: get("std") };
}

function maxDifference(a: Float32Array, b: Float32Array): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
}

const wFfhq = prngFill(0xed170001, 0, 2 * 18 * 512, 0, Math.sqrt(3));
const wChurch = prngFill(0xed170001, 1, 2 * 14 * 512, 0, Math.sqrt(3));

Deno.test("InterFaceGAN age ×1.5 from the official file equals the official edit", async () => {
  const direction = tensorToFloat32(
    (await readTorchFileFromPath(`${editings}/interfacegan_directions/age.pt`)) as TorchTensor,
  );
  const edited = interfaceGanEdit(wFfhq, 18, direction, 1.5);
  assert.ok(maxDifference(edited, await official("interfacegan_age_f1.5")) <= 1e-6);
});

Deno.test("GANSpace eye_openness (FFHQ) and clouds (church) equal the official edits, only on their rows", async () => {
  const eye = ganSpaceEdit(wFfhq, 18, await pca("ffhq_pca.pt"), {
    component: 54,
    start: 7,
    end: 8,
    strength: 5,
  });
  assert.ok(maxDifference(eye, await official("ganspace_eye_openness")) <= 1e-5);
  const churchPca = await pca("church_pca.pt");
  const clouds = ganSpaceEdit(wChurch, 14, churchPca, {
    component: 20,
    start: 7,
    end: 9,
    strength: -20,
  });
  assert.ok(maxDifference(clouds, await official("ganspace_clouds")) <= 1e-5);
  for (let r = 0; r < 14; r++) {
    const changed = clouds.subarray(r * 512, (r + 1) * 512).some((v, i) => v !== wChurch[r * 512 + i]);
    assert.equal(changed, r === 7 || r === 8, `row ${r}`);
  }
  assert.throws(
    () =>
      ganSpaceEdit(wChurch, 14, churchPca, {
        component: 80,
        start: 0,
        end: 1,
        strength: 1,
      }),
    /component 80 is not in \[0, 80\)/,
  );
});
