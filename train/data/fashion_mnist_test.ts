import assert from "node:assert/strict";
import {
  FASHION_MNIST_DIRECTORY,
  type ImageSplit,
  loadFashionMnist,
  toTensorBatch,
} from "./fashion_mnist.ts";
import { encodeIdx } from "./idx.ts";
import { pathExists } from "../../io/atomic_write.ts";

Deno.test("a missing directory says how to install the dataset", async () => {
  await assert.rejects(
    loadFashionMnist({ directory: "/nonexistent/fashion-mnist" }),
    (error: Error) => {
      assert.ok(error instanceof Deno.errors.NotFound);
      assert.match(error.message, /\/nonexistent\/fashion-mnist/);
      assert.match(error.message, /apt-get install dataset-fashion-mnist/);
      return true;
    },
  );
  await assert.rejects(loadFashionMnist({ padTo: 27 }), /padTo=27 is not an integer ≥ 28/);
});

Deno.test("synthetic files: split sizes, centred padding, label checks", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const write = async (prefix: string, count: number) => {
      const pixels = new Uint8Array(count * 28 * 28);
      for (let i = 0; i < pixels.length; i++) pixels[i] = 1 + (i % 255); // never 0, so padding shows
      await Deno.writeFile(`${dir}/${prefix}-images-idx3-ubyte`, encodeIdx([count, 28, 28], pixels));
      const labels = Uint8Array.from({ length: count }, (_, i) => i % 10);
      await Deno.writeFile(`${dir}/${prefix}-labels-idx1-ubyte`, encodeIdx([count], labels));
    };
    await write("train", 55_003);
    await write("t10k", 4);
    const { train, validation, test } = await loadFashionMnist({ directory: dir, padTo: 30 });
    assert.deepEqual([train.count, validation.count, test.count], [55_000, 3, 4]);
    assert.equal(validation.labels[0], 55_000 % 10);
    // padTo 30: one zero row/column on each side, pixel (0, 0) of the source lands at (1, 1)
    const first = validation.images.subarray(0, 30 * 30);
    assert.equal(first[0], 0);
    assert.equal(first[1 * 30 + 1], 1 + ((55_000 * 784) % 255));
    assert.equal(first[28 * 30 + 28], 1 + ((55_000 * 784 + 783) % 255));
    assert.equal(first[29 * 30 + 29], 0);
    await Deno.writeFile(`${dir}/t10k-labels-idx1-ubyte`, encodeIdx([4], new Uint8Array([0, 1, 10, 2])));
    await assert.rejects(loadFashionMnist({ directory: dir }), /label 10 at index 2 is not in 0–9/);
    await Deno.writeFile(`${dir}/t10k-labels-idx1-ubyte`, encodeIdx([3], new Uint8Array(3)));
    await assert.rejects(loadFashionMnist({ directory: dir }), /t10k: 4 images but 3 labels/);
    await Deno.remove(`${dir}/t10k-labels-idx1-ubyte`);
    await assert.rejects(
      loadFashionMnist({ directory: dir }),
      /t10k-labels-idx1-ubyte\[\.gz\] does not exist/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("toTensorBatch matches torchvision ToTensor + Normalize(0.5, 0.5)", () => {
  const split: ImageSplit = {
    images: Uint8Array.from({ length: 256 }, (_, i) => i),
    labels: new Uint8Array(16),
    count: 16,
    size: 4,
  };
  const grey = toTensorBatch(split, [15, 0]);
  assert.equal(grey.length, 2 * 16);
  assert.equal(grey[0], Math.fround(Math.fround(240 / 255) - 0.5) * 2);
  assert.equal(grey[16], -1);
  assert.equal(grey[15], 1);
  // the value torch gives for 128: (torch.tensor([128]).float()/255 - 0.5)/0.5 = 0.003921627998352051
  assert.equal(toTensorBatch(split, [8])[0], 0.003921627998352051);
  const rgb = toTensorBatch(split, [3], { channels: 3 });
  assert.deepEqual(rgb.subarray(16, 32), rgb.subarray(0, 16));
  assert.deepEqual(rgb.subarray(32, 48), rgb.subarray(0, 16));
  assert.throws(() => toTensorBatch(split, [16]), /Index 16 \(batch element 0\) is outside the split of 16/);
  assert.throws(() => toTensorBatch(split, [0], { channels: 2 as 1 }), /channels=2 is not 1 or 3/);
});

Deno.test({
  name: "the installed Fashion-MNIST loads as 55000/5000/10000 padded 32×32 images",
  ignore: !(await pathExists(FASHION_MNIST_DIRECTORY)),
  fn: async () => {
    const { train, validation, test } = await loadFashionMnist();
    assert.deepEqual([train.count, validation.count, test.count], [55_000, 5_000, 10_000]);
    for (const split of [train, validation, test]) {
      assert.equal(split.size, 32);
      assert.equal(split.images.length, split.count * 32 * 32);
      assert.equal(split.labels.length, split.count);
      const histogram = new Array(10).fill(0);
      for (const label of split.labels) histogram[label]++;
      assert.equal(histogram.reduce((a, b) => a + b), split.count); // every label in 0–9
      assert.ok(histogram.every((n) => n > 0));
      // the 2-pixel border is zero in every image
      for (let n = 0; n < split.count; n++) {
        const image = split.images.subarray(n * 1024, (n + 1) * 1024);
        for (let i = 0; i < 32; i++) {
          for (const j of [0, 1, 30, 31]) {
            if (image[i * 32 + j] !== 0 || image[j * 32 + i] !== 0) {
              assert.fail(`Image ${n} has a non-zero border`);
            }
          }
        }
      }
    }
    // the official test split is balanced: 1000 images per class
    const testCounts = new Array(10).fill(0);
    for (const label of test.labels) testCounts[label]++;
    assert.deepEqual(testCounts, new Array(10).fill(1000));
    const batch = toTensorBatch(train, [0, 54_999, 123], { channels: 3 });
    assert.equal(batch.length, 3 * 3 * 32 * 32);
    let min = Infinity, max = -Infinity;
    for (const v of batch) [min, max] = [Math.min(min, v), Math.max(max, v)];
    assert.ok(min >= -1 && max <= 1, `values in [${min}, ${max}]`);
    assert.equal(min, -1); // the zero border
    assert.ok(max > 0.5);
  },
});
