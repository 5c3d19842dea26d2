import assert from "node:assert/strict";
import { GraphBuilder } from "../graph/builder.ts";
import { prngFill } from "../io/prng.ts";
import { lpips, maxPool3x3Stride2 } from "./lpips.ts";
import { runGraph } from "./_test_util.ts";

Deno.test("maxPool3x3Stride2 equals torch MaxPool2d(3, 2) (floor mode) computed on the host", async () => {
  const [n, c, h, w] = [2, 3, 15, 12];
  const x = prngFill(5, 0, n * c * h * w, 0, 1);
  const out = await runGraph({ x: [[n, c, h, w], x] }, (g, t) => ({ pooled: maxPool3x3Stride2(g, t.x) }));
  const oh = Math.floor((h - 3) / 2) + 1;
  const ow = Math.floor((w - 3) / 2) + 1;
  assert.equal(out.pooled.length, n * c * oh * ow);
  let worst = 0;
  for (let p = 0; p < n * c; p++) {
    for (let i = 0; i < oh; i++) {
      for (let j = 0; j < ow; j++) {
        let m = -Infinity;
        for (let a = 0; a < 3; a++) {
          for (let b = 0; b < 3; b++) m = Math.max(m, x[(p * h + 2 * i + a) * w + 2 * j + b]);
        }
        worst = Math.max(worst, Math.abs(out.pooled[(p * oh + i) * ow + j] - m));
      }
    }
  }
  assert.ok(worst <= 2.5e-7, `max |Δ| ${worst}`); // one float32 rounding of values in [−1, 1)
});

Deno.test("lpips names its parameters as the official state dict and checks shapes", () => {
  const g = new GraphBuilder("lpips");
  const x = g.input("x", [1, 3, 64, 64]);
  lpips(g, x, x);
  assert.deepEqual(g.parameters.map((p) => `${p.name} ${p.shape.join("x")}`), [
    "net.layers.0.weight 64x3x11x11",
    "net.layers.0.bias 64",
    "net.layers.3.weight 192x64x5x5",
    "net.layers.3.bias 192",
    "net.layers.6.weight 384x192x3x3",
    "net.layers.6.bias 384",
    "net.layers.8.weight 256x384x3x3",
    "net.layers.8.bias 256",
    "net.layers.10.weight 256x256x3x3",
    "net.layers.10.bias 256",
    "lin.0.1.weight 1x64x1x1",
    "lin.1.1.weight 1x192x1x1",
    "lin.2.1.weight 1x384x1x1",
    "lin.3.1.weight 1x256x1x1",
    "lin.4.1.weight 1x256x1x1",
  ]);
  assert.throws(() => lpips(g, g.input("gray", [1, 1, 64, 64]), g.input("gray2", [1, 1, 64, 64])), {
    name: "TypeError",
    message: /"gray" has shape \[1, 1, 64, 64\], expected \[B, 3, H, W\]/,
  });
  assert.throws(() => lpips(g, x, g.input("other", [1, 3, 64, 32])), TypeError);
  const tiny = g.input("tiny", [1, 3, 32, 32]);
  assert.throws(() => lpips(g, tiny, tiny), RangeError);
});
