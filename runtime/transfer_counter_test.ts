import assert from "node:assert/strict";
import { GraphBuilder } from "../graph/builder.ts";
import { GraphSession } from "./session.ts";
import { hostDeviceBytes, resetHostDeviceBytes } from "./transfer_counter.ts";

Deno.test("hostDeviceBytes: baked weights count once at creation, feeds and outputs at every run", async () => {
  const g = new GraphBuilder("affine");
  const x = g.input("x", [2, 3]); // [2, 3]
  const w = g.parameter("w", [3, 4]);
  const b = g.parameter("b", [4]);
  g.output(g.add(g.matMul(x, w), b), "y"); // [2, 4]
  resetHostDeviceBytes();
  const session = await GraphSession.create(g, { initializers: new Map([["w", new Float32Array(12)]]) });
  assert.deepEqual(hostDeviceBytes(), {
    initializers: 48,
    uploaded: 0,
    uploadedWeights: 0,
    downloaded: 0,
    runs: 0,
  });
  for (let i = 0; i < 2; i++) await session.run({ x: new Float32Array(6), b: new Float32Array(4) });
  assert.deepEqual(hostDeviceBytes(), {
    initializers: 48,
    uploaded: 2 * (24 + 16),
    uploadedWeights: 2 * 16,
    downloaded: 2 * 32,
    runs: 2,
  });
  await session.release();
});
