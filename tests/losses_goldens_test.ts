/**
 * LPIPS parity with HyperInverter's own LPIPS port (AlexNet v0.1) on PRNG weights and images (reference
 * fixture lpips-alex, README §4–§5). The official value is bit-identical across threads and BLAS builds (§5);
 * ours differs in convolution order and in the composed max pool (one float32 rounding), so a 1e-6 absolute
 * tolerance on terms of size ≈ 0.04 is ≈ 2.5e-5 relative, and still catches any wrong constant, eps or tap.
 */
import { GraphBuilder } from "../graph/builder.ts";
import { loadReferenceFixture } from "../io/reference_fixture.ts";
import { lpips } from "../losses/mod.ts";
import { GraphSession } from "../runtime/session.ts";
import { parameterFeeds } from "../runtime/weights.ts";
import { assertClose } from "./_assert_close.ts";
import { readFloat32 } from "./_fixtures.ts";

const TOLERANCE = 1e-6;

Deno.test("lpips-alex: loss and per-layer terms [5, 2] match the official LPIPS within 1e-6", async () => {
  const fixture = await loadReferenceFixture("lpips-alex");
  const g = new GraphBuilder("lpips_alex");
  const { loss, perLayer } = lpips(g, g.input("x0", [2, 3, 256, 256]), g.input("x1", [2, 3, 256, 256]));
  g.output(loss, "loss");
  g.output(perLayer, "per_layer");
  const session = await GraphSession.create(g);
  const { outputs } = await session.run({
    x0: await readFloat32(fixture, "inputs", "x0"),
    x1: await readFloat32(fixture, "inputs", "x1"),
    ...parameterFeeds(g, fixture.moduleWeights("LPIPS")),
  });
  const expectedLoss = (fixture.manifest.losses as { loss: number }).loss;
  const errors = {
    loss: assertClose(outputs.loss.data as Float32Array, [expectedLoss], TOLERANCE, "loss"),
    per_layer: assertClose(
      outputs.per_layer.data as Float32Array,
      await readFloat32(fixture, "outputs", "per_layer"),
      TOLERANCE,
      "per_layer",
    ),
  };
  console.log("lpips-alex max |Δ|:", errors);
});
