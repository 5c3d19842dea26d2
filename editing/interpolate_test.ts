import assert from "node:assert/strict";
import { prngFill } from "../io/prng.ts";
import { interpolateInversions, lerp } from "./interpolate.ts";

Deno.test("interpolation endpoints reproduce the two inversions exactly; the latent-only baseline drops ΔW", () => {
  const a = {
    ws: prngFill(1, 0, 14 * 512, 0, 2),
    residuals: new Map([["b8.conv0.weight", prngFill(1, 1, 64, 0, 0.1)]]),
  };
  const b = {
    ws: prngFill(1, 2, 14 * 512, 0, 2),
    residuals: new Map([["b8.conv0.weight", prngFill(1, 3, 64, 0, 0.1)]]),
  };
  const frames = interpolateInversions(a, b, 5);
  assert.deepEqual(frames[0].ws, a.ws);
  assert.deepEqual(frames[4].ws, b.ws);
  assert.deepEqual(frames[0].residuals.get("b8.conv0.weight"), a.residuals.get("b8.conv0.weight"));
  assert.deepEqual(frames[4].residuals.get("b8.conv0.weight"), b.residuals.get("b8.conv0.weight"));
  assert.ok(Math.abs(frames[2].ws[7] - (a.ws[7] + b.ws[7]) / 2) < 1e-6);
  const baseline = interpolateInversions(a, b, 3, { latentOnly: true });
  assert.ok(baseline[1].residuals.get("b8.conv0.weight")!.every((v) => v === 0));
  assert.throws(() => interpolateInversions(a, b, 1), /steps must be an integer ≥ 2/);
  assert.throws(
    () => lerp(new Float32Array(2), new Float32Array(3), 0.5),
    /Cannot interpolate 2 values with 3/,
  );
});
