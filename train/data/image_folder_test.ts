import assert from "node:assert/strict";
import { loadSharp } from "../../deps.ts";
import { pilResize } from "../../io/pil_resize.ts";
import {
  CACHE_FOLDER,
  imageFolderSource,
  type ImageFolderSplits,
  rgbToGrey,
  splitOf,
} from "./image_folder.ts";

/** Writes an RGB PNG with exactly these pixels (interleaved). */
async function writeRgbPng(path: string, rgb: Uint8Array, width: number, height: number) {
  const sharp = await loadSharp();
  await Deno.mkdir(path.slice(0, path.lastIndexOf("/")), { recursive: true });
  const png = await sharp(rgb, { raw: { width, height, channels: 3 } }).png().toBuffer();
  await Deno.writeFile(path, new Uint8Array(png.buffer, png.byteOffset, png.byteLength));
}

function noise(seed: number, length: number): Uint8Array {
  let state = seed >>> 0;
  return Uint8Array.from({ length }, () => (state = (state * 1664525 + 1013904223) >>> 0) >>> 24);
}

/** A solid image whose every byte is `value` (identifies the file in a batch). */
const solid = (value: number, side = 6) => new Uint8Array(side * side * 3).fill(value);

const toFloat = (u: number) => Math.fround(Math.fround(u / 255) - 0.5) / 0.5;

/** The ids (first byte) of every image of each split. */
function ids(splits: ImageFolderSplits): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  for (const name of ["train", "validation", "test"] as const) {
    const split = splits[name];
    const batch = split.batch(Int32Array.from({ length: split.count }, (_, i) => i));
    const size = batch.length / Math.max(split.count, 1);
    out[name] = Array.from({ length: split.count }, (_, i) => Math.round((batch[i * size] + 1) / 2 * 255));
  }
  return out;
}

async function withFolder(body: (folder: string) => Promise<void>) {
  const folder = await Deno.makeTempDir();
  try {
    await body(folder);
  } finally {
    await Deno.remove(folder, { recursive: true });
  }
}

Deno.test("the split is a hash of the relative path: adding files moves none of the existing ones", async () => {
  await withFolder(async (folder) => {
    const fractions = { validationFraction: 0.2, testFraction: 0.2 };
    for (let i = 0; i < 30; i++) await writeRgbPng(`${folder}/a/${i}.png`, solid(4 * i), 6, 6);
    const before = ids(
      await imageFolderSource(folder, fractions).open({ resolution: 4, channels: 3 }) as ImageFolderSplits,
    );
    assert.ok(before.train.length && before.validation.length && before.test.length, JSON.stringify(before));
    assert.equal(before.train.length + before.validation.length + before.test.length, 30);
    for (let i = 30; i < 60; i++) await writeRgbPng(`${folder}/b/${i}.png`, solid(4 * i), 6, 6);
    const after = ids(
      await imageFolderSource(folder, fractions).open({ resolution: 4, channels: 3 }) as ImageFolderSplits,
    );
    for (const name of ["train", "validation", "test"]) {
      for (const id of before[name]) assert.ok(after[name].includes(id), `image ${id / 4} left ${name}`);
    }
    assert.equal(after.train.length + after.validation.length + after.test.length, 60);
    for (let i = 0; i < 30; i++) {
      const split = await splitOf(`a/${i}.png`, fractions);
      assert.ok(before[split].includes(4 * i), `a/${i}.png should be in ${split}`);
    }
  });
});

Deno.test("a second open reads the cache and decodes nothing; a changed file is decoded again", async () => {
  await withFolder(async (folder) => {
    for (let i = 0; i < 6; i++) await writeRgbPng(`${folder}/${i}.png`, noise(i, 10 * 8 * 3), 10, 8);
    const source = imageFolderSource(folder);
    const first = await source.open({ resolution: 8, channels: 3 }) as ImageFolderSplits;
    assert.deepEqual([first.decoded, first.cached], [6, 0]);
    const second = await source.open({ resolution: 8, channels: 3 }) as ImageFolderSplits;
    assert.deepEqual([second.decoded, second.cached], [0, 6]);
    assert.deepEqual(ids(second), ids(first));
    assert.deepEqual(
      second.train.batch(Int32Array.from({ length: second.train.count }, (_, i) => i)),
      first.train.batch(Int32Array.from({ length: first.train.count }, (_, i) => i)),
    );
    // The key holds the resolution and channels: another size or grey is decoded anew.
    const grey = await source.open({ resolution: 8, channels: 1 }) as ImageFolderSplits;
    assert.equal(grey.decoded, 6);
    await writeRgbPng(`${folder}/3.png`, noise(99, 12 * 8 * 3), 12, 8); // new size and mtime
    const third = await source.open({ resolution: 8, channels: 3 }) as ImageFolderSplits;
    assert.deepEqual([third.decoded, third.cached], [1, 5]);
    assert.ok((await Array.fromAsync(Deno.readDir(`${folder}/${CACHE_FOLDER}`))).length >= 13);
  });
});

Deno.test("unreadable files are reported, one line each and a count, and skipped; other files are ignored", async () => {
  await withFolder(async (folder) => {
    for (let i = 0; i < 4; i++) await writeRgbPng(`${folder}/deep/er/${i}.png`, solid(40 * i), 6, 6);
    await Deno.writeTextFile(`${folder}/broken.png`, "not a png");
    await Deno.writeFile(`${folder}/deep/empty.JPG`, new Uint8Array());
    await Deno.writeTextFile(`${folder}/notes.txt`, "ignored");
    await writeRgbPng(`${folder}/.hidden/x.png`, solid(7), 6, 6);
    const warnings: string[] = [];
    const splits = await imageFolderSource(folder, { validationFraction: 0, testFraction: 0 })
      .open({ resolution: 4, channels: 3, onWarning: (line) => warnings.push(line) }) as ImageFolderSplits;
    assert.deepEqual(splits.skipped, ["broken.png", "deep/empty.JPG"]);
    assert.equal(warnings.length, 3, warnings.join("\n"));
    assert.match(warnings[0], /broken\.png/);
    assert.match(warnings[1], /empty\.JPG/);
    assert.match(warnings[2], /^2 unreadable image file\(s\) skipped/);
    assert.equal(splits.train.count, 4); // recursive, hidden folder skipped
    assert.deepEqual(ids(splits).train, [0, 40, 80, 120]);
  });
});

Deno.test("a folder with no readable image, or none at all, is refused by name", async () => {
  await withFolder(async (folder) => {
    await Deno.writeTextFile(`${folder}/broken.png`, "not a png");
    await assert.rejects(
      imageFolderSource(folder).open({ resolution: 4, channels: 3 }),
      (error: Error) => error instanceof RangeError && error.message.includes(folder),
    );
    await assert.rejects(
      imageFolderSource(`${folder}/missing`).open({ resolution: 4, channels: 3 }),
      (error: Error) => error instanceof Deno.errors.NotFound && error.message.includes(`${folder}/missing`),
    );
  });
});

Deno.test("centre crop + resize equals pilResize of the centre crop (RGB and grey, wide and tall)", async () => {
  await withFolder(async (folder) => {
    const cases = [{ width: 37, height: 23 }, { width: 20, height: 45 }, { width: 9, height: 9 }];
    for (const [n, { width, height }] of cases.entries()) {
      await writeRgbPng(`${folder}/${n}.png`, noise(n + 1, width * height * 3), width, height);
    }
    for (const channels of [3, 1] as const) {
      for (const budget of [undefined, 0]) { // in memory, and read back from the cache per batch
        const splits = await imageFolderSource(folder, {
          validationFraction: 0,
          testFraction: 0,
          memoryBudgetBytes: budget,
        }).open({ resolution: 16, channels });
        for (const [n, { width, height }] of cases.entries()) {
          const rgb = noise(n + 1, width * height * 3);
          const side = Math.min(width, height);
          const left = Math.round((width - side) / 2 - ((width - side) % 4 === 1 ? 0.5 : 0)); // half to even
          const top = Math.round((height - side) / 2 - ((height - side) % 4 === 1 ? 0.5 : 0));
          const pixels = channels === 1 ? rgbToGrey(rgb) : rgb;
          const crop = new Uint8Array(side * side * channels);
          for (let y = 0; y < side; y++) {
            for (let x = 0; x < side * channels; x++) {
              crop[y * side * channels + x] = pixels[((top + y) * width + left) * channels + x];
            }
          }
          const expected = pilResize({ data: crop, width: side, height: side, channels }, [16, 16]).data;
          const batch = splits.train.batch(Int32Array.of(n)); // [1, C, 16, 16]
          for (let p = 0; p < 256; p++) {
            for (let c = 0; c < channels; c++) {
              assert.equal(batch[c * 256 + p], toFloat(expected[p * channels + c]), `image ${n} pixel ${p}`);
            }
          }
        }
      }
    }
  });
});

const python = await new Deno.Command("/usr/bin/python3", { args: ["-c", "import PIL"], stderr: "null" })
  .output()
  .then((r) => r.success, () => false);
if (python) {
  Deno.test("the image folder equals Pillow: convert, CenterCrop, resize(BILINEAR), for RGB and L", async () => {
    await withFolder(async (folder) => {
      await writeRgbPng(`${folder}/wide.png`, noise(5, 41 * 30 * 3), 41, 30);
      const script = `
import sys
from PIL import Image
for mode in ("RGB", "L"):
    im = Image.open(sys.argv[1]).convert(mode)
    w, h = im.size; s = min(w, h)
    left, top = int(round((w - s) / 2.0)), int(round((h - s) / 2.0))
    sys.stdout.buffer.write(im.crop((left, top, left + s, top + s)).resize((16, 16), Image.BILINEAR).tobytes())
`;
      const result = await new Deno.Command("/usr/bin/python3", {
        args: ["-c", script, `${folder}/wide.png`],
      })
        .output();
      assert.ok(result.success, new TextDecoder().decode(result.stderr));
      const pillow = { 3: result.stdout.subarray(0, 768), 1: result.stdout.subarray(768) };
      for (const channels of [3, 1] as const) {
        const splits = await imageFolderSource(folder, { validationFraction: 0, testFraction: 0 })
          .open({ resolution: 16, channels });
        const batch = splits.train.batch(Int32Array.of(0));
        for (let p = 0; p < 256; p++) {
          for (let c = 0; c < channels; c++) {
            assert.equal(batch[c * 256 + p], toFloat(pillow[channels][p * channels + c]), `pixel ${p}`);
          }
        }
      }
    });
  });
} else {
  console.warn(
    "python3-pil is not installed (apt-get install python3-pil): the live Pillow comparison is not run",
  );
}
