import assert from "node:assert/strict";
import { GraphBuilder } from "../graph/builder.ts";
import { GraphSession } from "../runtime/session.ts";
import {
  buildDiscriminator,
  discriminatorChannels,
  discriminatorConfigFromInitKwargs,
  minibatchStd,
  resolveDiscriminatorConfig,
} from "./discriminator.ts";

Deno.test("discriminator channels follow min(channelBase / r, channelMax): the 1024 config-f table", () => {
  const config = resolveDiscriminatorConfig({ resolution: 1024 });
  assert.deepEqual([...discriminatorChannels(config)], [
    [1024, 32],
    [512, 64],
    [256, 128],
    [128, 256],
    [64, 512],
    [32, 512],
    [16, 512],
    [8, 512],
    [4, 512],
  ]);
});

Deno.test("discriminatorConfigFromInitKwargs rejects what is not implemented", () => {
  assert.throws(() => discriminatorConfigFromInitKwargs({ img_resolution: 64, architecture: "skip" }), {
    name: "RangeError",
    message: /architecture skip/,
  });
  assert.throws(() => discriminatorConfigFromInitKwargs({ img_resolution: 64, c_dim: 10 }), RangeError);
  assert.throws(() => resolveDiscriminatorConfig({ resolution: 48 }), RangeError);
  const config = discriminatorConfigFromInitKwargs({
    img_resolution: 256,
    epilogue_kwargs: { mbstd_group_size: null },
  });
  assert.equal(config.mbstdGroupSize, null);
});

Deno.test("minibatchStd groups samples n and n + N/G, uses the population variance + 1e-8, appends last", async () => {
  // N = 4, G = 2: groups {0, 2} and {1, 3}. One channel, one pixel: std = |a − b| / 2.
  const g = new GraphBuilder("mbstd");
  const x = g.input("x", [4, 1, 1, 1]);
  const { x: out, value } = minibatchStd(g, x, 2, 1);
  g.output(out, "out");
  g.output(value, "value");
  assert.deepEqual(out.shape, [4, 2, 1, 1]);
  const { outputs } = await (await GraphSession.create(g)).run({ x: Float32Array.from([0, 10, 4, 11]) });
  const std = Array.from(outputs.value.data as Float32Array);
  const want = [2, 0.5, 2, 0.5].map((s) => Math.sqrt(s * s + 1e-8));
  std.forEach((v, i) => assert.ok(Math.abs(v - want[i]) < 1e-6, `${v} vs ${want[i]}`));
  assert.deepEqual(Array.from(outputs.out.data as Float32Array).filter((_, i) => i % 2 === 0), [
    0,
    10,
    4,
    11,
  ]);
  assert.throws(() => minibatchStd(g, g.input("odd", [3, 4, 2, 2]), 2, 1), {
    name: "RangeError",
    message: /group size 2 does not divide the batch 3/,
  });
});

Deno.test("buildDiscriminator checks the image shape and shares parameters between calls", () => {
  const config = resolveDiscriminatorConfig({ resolution: 16, channelBase: 256, channelMax: 32 });
  const g = new GraphBuilder("D");
  assert.throws(() => buildDiscriminator(g, g.input("img", [2, 3, 32, 32]), config), {
    name: "TypeError",
    message: /"img" has shape \[2, 3, 32, 32\], expected \[B, 3, 16, 16\]/,
  });
  buildDiscriminator(g, g.input("real", [2, 3, 16, 16]), config);
  const count = g.parameters.length;
  buildDiscriminator(g, g.input("fake", [2, 3, 16, 16]), config);
  assert.equal(g.parameters.length, count);
});
