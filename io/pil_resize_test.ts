import assert from "node:assert/strict";
import { type PilFilter, pilResize } from "./pil_resize.ts";

const GOLDENS = new URL("./testdata/pil_resize/", import.meta.url);
const TOOL = new URL("../tests/tools/pil_resize_goldens.py", import.meta.url).pathname;

/** One resize case of `cases.json` (written by tests/tools/pil_resize_goldens.py). */
interface ResizeCase {
  width: number;
  height: number;
  channels: number;
  outWidth: number;
  outHeight: number;
  filter: PilFilter;
  seed: number;
  offset: number;
  length: number;
}

/** xorshift32 from `seed`, the top byte of each state: the script's `noise`. */
function noise(seed: number, length: number): Uint8Array {
  let state = seed >>> 0;
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) {
    state = (state ^ (state << 13)) >>> 0;
    state = (state ^ (state >>> 17)) >>> 0;
    state = (state ^ (state << 5)) >>> 0;
    out[i] = state >>> 24;
  }
  return out;
}

/** Every case of a goldens folder, resized here and compared byte for byte (max abs diff 0). */
async function assertMatchesPillow(folder: URL): Promise<number> {
  const manifest = JSON.parse(await Deno.readTextFile(new URL("cases.json", folder)));
  const outputs = await Deno.readFile(new URL("outputs.bin", folder));
  for (const c of manifest.resize as ResizeCase[]) {
    const image = { data: noise(c.seed, c.width * c.height * c.channels), ...c };
    const resized = pilResize(image, [c.outWidth, c.outHeight], { filter: c.filter });
    const expected = outputs.subarray(c.offset, c.offset + c.length);
    let maxDiff = 0, differing = 0;
    for (let i = 0; i < expected.length; i++) {
      const diff = Math.abs(resized.data[i] - expected[i]);
      if (diff) differing++;
      maxDiff = Math.max(maxDiff, diff);
    }
    const name = `${c.width}×${c.height}×${c.channels} → ${c.outWidth}×${c.outHeight} ${c.filter}`;
    assert.equal(resized.data.length, expected.length, name);
    assert.equal(
      maxDiff,
      0,
      `${name}: ${differing} bytes differ from Pillow ${manifest.pillow}, by up to ${maxDiff}`,
    );
  }
  return manifest.resize.length;
}

Deno.test("pilResize equals Pillow bit for bit: up, down, non-square, odd, 1-pixel, large ratios, every filter", async () => {
  assert.equal(await assertMatchesPillow(GOLDENS), 31);
});

const python = await new Deno.Command("/usr/bin/python3", { args: ["-c", "import PIL"], stderr: "null" })
  .output()
  .then((r) => r.success, () => false);
if (python) {
  Deno.test("pilResize equals the installed Pillow on random sizes (goldens written now by the script)", async () => {
    const dir = await Deno.makeTempDir();
    try {
      const result = await new Deno.Command("/usr/bin/python3", {
        args: [TOOL, dir, "--random", "12", "--seed", "20240"],
      }).output();
      assert.ok(result.success, new TextDecoder().decode(result.stderr));
      assert.equal(await assertMatchesPillow(new URL(`file://${dir}/`)), 12);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
} else {console.warn(
    "python3-pil is not installed (apt-get install python3-pil): the live Pillow comparison is not run",
  );}

Deno.test("pilResize keeps the size as a copy and works per channel", () => {
  const image = { data: noise(5, 4 * 3 * 2), width: 4, height: 3, channels: 2 };
  const same = pilResize(image, [4, 3]);
  assert.deepEqual(same.data, image.data);
  assert.notEqual(same.data, image.data);
  const split = (channel: number) => ({
    data: image.data.filter((_, i) => i % 2 === channel),
    width: 4,
    height: 3,
    channels: 1,
  });
  const both = pilResize(image, [3, 5], { filter: "bicubic" }).data;
  assert.deepEqual(
    both.filter((_, i) => i % 2 === 1),
    pilResize(split(1), [3, 5], { filter: "bicubic" }).data,
  );
});

Deno.test("pilResize names a wrong byte count, size or filter", () => {
  const image = { data: new Uint8Array(12), width: 2, height: 2, channels: 3 };
  assert.throws(() => pilResize({ ...image, data: new Uint8Array(11) }, [1, 1]), TypeError);
  assert.throws(() => pilResize({ ...image, width: 0 }, [1, 1]), /width must be a positive integer, got 0/);
  assert.throws(
    () => pilResize(image, [2.5, 1]),
    (e: Error) => e instanceof RangeError && /2\.5,1/.test(e.message),
  );
  assert.throws(() => pilResize(image, [1, 1], { filter: "nearest" as PilFilter }), /filter "nearest"/);
  assert.throws(() => pilResize(image, [1, 1], { filter: "toString" as PilFilter }), TypeError);
});
