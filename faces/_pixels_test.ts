import assert from "node:assert/strict";
import { prngFill } from "../io/prng.ts";
import { channelMedians, crop, gaussianBlur, padReflect, quadTransform } from "./_pixels.ts";

const grey = (values: number[], width: number, height: number) => ({
  data: Float32Array.from(values.flatMap((v) => [v, v, v])),
  width,
  height,
});

Deno.test("padReflect is numpy's reflect (edge not repeated), crop is PIL's box", () => {
  const padded = padReflect(grey([0, 1, 2, 3], 4, 1), [2, 0, 3, 0]);
  assert.deepEqual([...padded.data.filter((_, i) => i % 3 === 0)], [2, 1, 0, 1, 2, 3, 2, 1, 0]);
  const tall = padReflect(grey([5, 6], 1, 2), [0, 1, 0, 1]);
  assert.deepEqual([...tall.data.filter((_, i) => i % 3 === 0)], [6, 5, 6, 5]);
  const window = crop(grey([0, 1, 2, 3, 4, 5], 3, 2), [1, 0, 3, 2]);
  assert.deepEqual([window.width, window.height, ...window.data.filter((_, i) => i % 3 === 0)], [
    2,
    2,
    1,
    2,
    4,
    5,
  ]);
});

Deno.test("channelMedians: middle value, or the mean of the two middle values", () => {
  assert.deepEqual(channelMedians(grey([5, 1, 4, 2, 3], 5, 1)), [3, 3, 3]);
  assert.deepEqual(channelMedians(grey([7, 1, 4, 2], 4, 1)), [3, 3, 3]);
});

Deno.test("gaussianBlur (three boxes) stays within 2 % of the range of an exact Gaussian (scipy reflect edges)", () => {
  const width = 64, height = 48, sigma = 4;
  const values = Array.from(
    prngFill(3, 0, width * height, 0, 1),
    (v, i) => (i % width > 30 ? 200 : 50) + 20 * v,
  );
  const image = grey(values, width, height);
  const blurred = gaussianBlur(image, sigma);
  const radius = Math.floor(4 * sigma + 0.5); // scipy's truncate = 4
  const taps = Array.from(
    { length: 2 * radius + 1 },
    (_, k) => Math.exp(-((k - radius) ** 2) / (2 * sigma * sigma)),
  );
  const total = taps.reduce((a, b) => a + b);
  const at = (i: number, n: number) => (i < 0 ? -i - 1 : i >= n ? 2 * n - 1 - i : i);
  let worst = 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let s = 0;
      for (let dy = -radius; dy <= radius; dy++) {
        for (let dx = -radius; dx <= radius; dx++) {
          s += taps[dy + radius] * taps[dx + radius] * values[at(y + dy, height) * width + at(x + dx, width)];
        }
      }
      worst = Math.max(worst, Math.abs(s / (total * total) - blurred.data[(y * width + x) * 3]));
    }
  }
  assert.ok(worst < 0.02 * 170, `max deviation ${worst}`);
});

Deno.test("quadTransform with the image's own square is the identity; a half-size quad magnifies", () => {
  // FFHQ's quads are in dlib's pixel-centre coordinates (PIL gets quad + 0.5), so the image's own square runs from
  // −0.5 to size − 0.5.
  const size = 8, n = size - 0.5;
  const data = Uint8Array.from({ length: size * size * 3 }, (_, i) => (i * 29) % 256);
  const image = { data, width: size, height: size };
  assert.deepEqual(quadTransform(image, [[-0.5, -0.5], [-0.5, n], [n, n], [n, -0.5]], size), data);
  const zoom = quadTransform(image, [[-0.5, -0.5], [-0.5, 3.5], [3.5, 3.5], [3.5, -0.5]], size);
  // Output (1, 1) samples PIL's (0.75, 0.75), i.e. 0.25 of the way from input pixel (0, 0) to (1, 1).
  const p = (x: number, y: number) => data[(y * size + x) * 3];
  const expected = 0.5625 * p(0, 0) + 0.1875 * (p(1, 0) + p(0, 1)) + 0.0625 * p(1, 1);
  assert.ok(
    Math.abs(zoom[(1 * size + 1) * 3] - expected) <= 0.5 + 1e-9,
    `${zoom[(size + 1) * 3]} vs ${expected}`,
  );
  const outside = quadTransform(image, [[-8, -8], [-8, 0], [0, 0], [0, -8]], 4);
  assert.deepEqual(outside, new Uint8Array(4 * 4 * 3)); // PIL fills with black
});
