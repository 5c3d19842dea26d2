import assert from "node:assert/strict";
import { FaceDetector } from "./detect.ts";
import { alignFace, ffhqQuad } from "./ffhq_align.ts";
import { pasteBack, pastePatch } from "./paste_back.ts";
import { readRgbImage, type RgbImage } from "./rgb_image.ts";

const FACES = new URL("../../shared/fixtures/images/faces-raw/", import.meta.url).pathname;

/** Where a photo pixel's centre falls in the unit square of the quad, computed with cross products. */
function unitCoordinates(quad: [number, number][], x: number, y: number): [number, number] {
  const [q0, q1, , q3] = quad;
  const ux = q3[0] - q0[0], uy = q3[1] - q0[1], vx = q1[0] - q0[0], vy = q1[1] - q0[1];
  const det = ux * vy - uy * vx;
  const dx = x - q0[0], dy = y - q0[1];
  return [(dx * vy - dy * vx) / det, (ux * dy - uy * dx) / det];
}

function randomPhoto(width: number, height: number, seed: number): RgbImage {
  const data = new Uint8Array(width * height * 3);
  let state = seed;
  for (let i = 0; i < data.length; i++) {
    state = (state * 1103515245 + 12345) >>> 0;
    data[i] = state >>> 24;
  }
  return { data, width, height };
}

Deno.test("pasteBack leaves every pixel outside a rotated quad byte-equal and warps the result back inside", async () => {
  const photo = randomPhoto(200, 160, 3);
  // A square of side 100 turned by 30°, hanging over the photo's right edge.
  const angle = Math.PI / 6, side = 100, centre = [150, 80];
  const ax: [number, number] = [Math.cos(angle) * side / 2, Math.sin(angle) * side / 2];
  const ay: [number, number] = [-ax[1], ax[0]];
  const quad: [number, number][] = [
    [centre[0] - ax[0] - ay[0], centre[1] - ax[1] - ay[1]],
    [centre[0] - ax[0] + ay[0], centre[1] - ax[1] + ay[1]],
    [centre[0] + ax[0] + ay[0], centre[1] + ax[1] + ay[1]],
    [centre[0] + ax[0] - ay[0], centre[1] + ax[1] - ay[1]],
  ];
  // A result whose red is linear in x and green linear in y: bilinear sampling reproduces it exactly.
  const size = 64;
  const result: RgbImage = { data: new Uint8Array(size * size * 3), width: size, height: size };
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) result.data.set([x * 4, y * 4, 77], (y * size + x) * 3);
  }
  const feather = 0.1;
  const pasted = await pasteBack(photo, quad, result, { feather });
  let outside = 0, core = 0, ramp = 0;
  for (let y = 0; y < photo.height; y++) {
    for (let x = 0; x < photo.width; x++) {
      const [u, v] = unitCoordinates(quad, x, y);
      const edge = Math.min(u, 1 - u, v, 1 - v);
      const p = (y * photo.width + x) * 3;
      const got = [...pasted.data.subarray(p, p + 3)], before = [...photo.data.subarray(p, p + 3)];
      if (edge <= 0) {
        outside++;
        assert.deepEqual(got, before, `pixel ${x},${y} outside the quad`);
      } else if (edge >= feather) {
        core++;
        const expected = [4 * (u * size - 0.5), 4 * (v * size - 0.5), 77];
        for (let c = 0; c < 3; c++) {
          assert.ok(Math.abs(got[c] - expected[c]) <= 0.5 + 1e-6, `${x},${y}: ${got}`);
        }
      } else {
        ramp++;
        // In the ramp each channel lies between the photo's and the result's.
        const value = [4 * (u * size - 0.5), 4 * (v * size - 0.5), 77].map((e) =>
          Math.min(Math.max(e, 0), 252)
        );
        for (let c = 0; c < 3; c++) {
          const low = Math.min(before[c], value[c]) - 1, high = Math.max(before[c], value[c]) + 1;
          assert.ok(got[c] >= low && got[c] <= high, `${x},${y} ramp: ${got} between ${before} and ${value}`);
        }
      }
    }
  }
  assert.ok(outside > 10000 && core > 3000 && ramp > 1000, `${outside} ${core} ${ramp}`);
  assert.deepEqual(
    [...photo.data.subarray(0, 3)],
    [...randomPhoto(1, 1, 3).data],
    "the photo is not changed",
  );

  const patch = await pastePatch(photo, quad, result, { feather });
  assert.ok(patch.box[2] === 200 && patch.box[0] > 50, `only the quad's box is computed: ${patch.box}`);
});

Deno.test("pasteBack refuses a bad quad, feather or image, naming it", async () => {
  const photo = randomPhoto(8, 8, 1), result = randomPhoto(4, 4, 2);
  const square: [number, number][] = [[1, 1], [1, 6], [6, 6], [6, 1]];
  await assert.rejects(() => pasteBack(photo, square.slice(0, 3), result), {
    name: "TypeError",
    message: /4 finite/,
  });
  await assert.rejects(() => pasteBack(photo, [[1, 1], [1, 1], [1, 1], [1, 1]], result), {
    name: "RangeError",
    message: /degenerate/,
  });
  await assert.rejects(() => pasteBack(photo, square, result, { feather: 0.7 }), {
    name: "RangeError",
    message: /feather.*0\.7/,
  });
  await assert.rejects(
    () => pasteBack(photo, square, { ...result, data: new Uint8Array(3) }),
    { name: "TypeError", message: /needs 48 bytes, got 3/ },
  );
  const far = await pasteBack(photo, [[20, 20], [20, 30], [30, 30], [30, 20]], result);
  assert.deepEqual(far.data, photo.data, "a quad off the photo changes nothing");
});

/** Round-trip error inside the core, and byte-equality outside the quad. */
function roundTrip(
  name: string,
  photo: RgbImage,
  quad: [number, number][],
  pasted: RgbImage,
  feather: number,
) {
  let sum = 0, count = 0, max = 0;
  for (let y = 0; y < photo.height; y++) {
    for (let x = 0; x < photo.width; x++) {
      const [u, v] = unitCoordinates(quad, x, y);
      const edge = Math.min(u, 1 - u, v, 1 - v);
      const p = (y * photo.width + x) * 3;
      if (edge <= 0) {
        for (let c = 0; c < 3; c++) assert.equal(pasted.data[p + c], photo.data[p + c], `${name} ${x},${y}`);
      } else if (edge >= feather) {
        for (let c = 0; c < 3; c++) {
          const error = Math.abs(pasted.data[p + c] - photo.data[p + c]);
          sum += error;
          max = Math.max(max, error);
          count++;
        }
      }
    }
  }
  return { sum, count, max };
}

Deno.test("align → paste back the aligned face itself (identity edit) on the faces-raw photos", async () => {
  const detector = await FaceDetector.load({ detector: "tiny" });
  const lines: string[] = [];
  const totals = { model: { sum: 0, count: 0, max: 0 }, native: { sum: 0, count: 0, max: 0 } };
  const feather = 0.08;
  for (const name of ["01.jpg", "04.jpg", "07.jpg", "10.jpg"]) {
    const photo = await readRgbImage(`${FACES}${name}`);
    const [face] = await detector.detect(photo);
    // At a model's 256² (the face shrunk, then enlarged back), and at the quad's own side (geometry alone).
    const native = Math.min(8192, Math.ceil(ffhqQuad(face.landmarks).size));
    for (const [kind, size, transform] of [["model", 256, 1024], ["native", native, native]] as const) {
      const aligned = await alignFace(photo, face.landmarks, { outputSize: size, transformSize: transform });
      const pasted = await pasteBack(photo, aligned.quad, aligned.image, { feather });
      const { sum, count, max } = roundTrip(name, photo, aligned.quad, pasted, feather);
      const total = totals[kind];
      total.sum += sum;
      total.count += count;
      total.max = Math.max(total.max, max);
      lines.push(
        `${name} at ${size}²: mean ${(sum / count).toFixed(2)}, max ${max} levels (${count / 3} core pixels)`,
      );
    }
  }
  console.log(`align → unalign round trip in the core:\n  ${lines.join("\n  ")}`);
  // Resampling twice (QUAD + Lanczos down, bilinear back) blurs edges; on average it stays within a few levels.
  assert.ok(
    totals.model.sum / totals.model.count < 4,
    `mean error at 256² ${totals.model.sum / totals.model.count}`,
  );
  assert.ok(
    totals.native.sum / totals.native.count < 2,
    `mean error at the quad's side ${JSON.stringify(totals)}`,
  );
  assert.ok(totals.model.max < 160 && totals.native.max < 160, JSON.stringify(totals));
});
