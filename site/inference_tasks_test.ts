import assert from "node:assert/strict";
import { readImage } from "../io/image.ts";
import { loadHyperInverter } from "../model/load.ts";
import { invertWithCodes, residualsFromCodes } from "../model/compact_inversion.ts";
import { interpolateAt, interpolateCodesAt } from "../editing/interpolate.ts";
import { InferenceRunner } from "./inference_tasks.ts";

const MODEL = "data/models/default/model.json";

Deno.test("the site's interpolation goes through the codes v, within 1e-6 of interpolating ΔW", async () => {
  const model = await loadHyperInverter(MODEL);
  const [a, b] = [
    (await readImage("data/models/default/samples/test-0000-boot.png", 32)).data,
    (await readImage("data/models/default/samples/test-0002-trouser.png", 32)).data,
  ];
  const inversions = [];
  for (const image of [a, b]) {
    const result = await invertWithCodes(model, image, 1);
    const residuals = new Map([...result.residuals].map(([name, r]) => [name, r.data]));
    inversions.push({ ws: result.wCodes.data, residuals, codes: result.codes! });
  }
  const runner = new InferenceRunner();
  const answer = await runner.run({ kind: "interpolate", modelPath: MODEL, a, b, t: 0.4 }) as {
    image: Float32Array;
  };
  const codes = interpolateCodesAt(inversions[0], inversions[1], 0.4);
  const throughCodes = await residualsFromCodes(model, codes.codes);
  const wrap = (r: ReadonlyMap<string, Float32Array>) => new Map([...r].map(([n, data]) => [n, { data }]));
  assert.deepEqual(answer.image, (await model.synthesize(codes.ws, wrap(throughCodes), 1)).data);
  const deltas = interpolateAt(inversions[0], inversions[1], 0.4);
  const throughDelta = (await model.synthesize(deltas.ws, wrap(deltas.residuals), 1)).data;
  let error = 0;
  for (let i = 0; i < throughDelta.length; i++) {
    error = Math.max(error, Math.abs(throughDelta[i] - answer.image[i]));
  }
  assert.ok(error <= 1e-6, `${error}`);
});
