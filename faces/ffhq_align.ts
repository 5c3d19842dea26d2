/**
 * FFHQ alignment without Python: the recipe of NVlabs/ffhq-dataset `download_ffhq.py` `recreate_aligned_images`
 * (also pSp's and HyperInverter's `scripts/align_all_parallel.py`): eye and mouth centres → an oriented square
 * (the quad) → shrink the photo when the face is much larger than the output → crop around the quad with a border
 * → pad with a reflected, blurred border that fades to the median colour → PIL's QUAD transform (bilinear) to
 * `transformSize` → antialiased resize to `outputSize`.
 *
 * PIL's `ANTIALIAS` resizes are Lanczos: the final one is Pillow's LANCZOS bit for bit (io/pil_resize.ts); the
 * shrink of a much larger photo is sharp's Lanczos-3 (close to PIL's, not exact), the same whether the photo is in
 * memory or a {@linkcode PhotoSource}; the padding blur is three box filters (see `_pixels.ts`); everything else
 * follows the official arithmetic step by step. The photo may be a
 * {@linkcode PhotoSource} (faces/rgb_image.ts `openPhoto`): then only the shrunk crop around the face is decoded,
 * never the whole photo at full size.
 *
 * @module
 */

import { loadSharp } from "../deps.ts";
import { pilResize } from "../io/pil_resize.ts";
import { channelMedians, type FloatRgb, gaussianBlur, padReflect, quadTransform } from "./_pixels.ts";
import type { Point } from "./detect.ts";
import { assertRgbImage, cropRgb, type PhotoSource, type PixelBox, type RgbImage } from "./rgb_image.ts";

/** The oriented square that FFHQ maps onto the output. */
export interface FfhqQuad {
  /** Corners in photo pixels: upper-left, lower-left, lower-right, upper-right (of the output). */
  quad: [Point, Point, Point, Point];
  /** Side of the quad in pixels (`qsize = hypot(x) · 2`). */
  size: number;
}

const mean = (points: readonly Point[]): Point => [
  points.reduce((s, p) => s + p[0], 0) / points.length,
  points.reduce((s, p) => s + p[1], 0) / points.length,
];

/**
 * The FFHQ quad from 68 landmarks: `x = eye_to_eye − rot90(eye_to_mouth)`, normalised and scaled by
 * `max(|eye_to_eye| · 2, |eye_to_mouth| · 1.8)`, `y = rot90(x)`, centre `eye_avg + 0.1 · eye_to_mouth`.
 *
 * @param landmarks the 68 points (dlib layout)
 * @returns the quad and its side
 * @throws {TypeError} when there are not 68 finite points
 * @example
 * ```ts
 * import { ffhqQuad } from "./ffhq_align.ts";
 * const landmarks = Array.from({ length: 68 }, (_, i): [number, number] =>
 *   i >= 36 && i < 42 ? [40, 50] : i >= 42 && i < 48 ? [60, 50] : i === 48 ? [42, 70] : i === 54 ? [58, 70] : [50, 60]
 * );
 * console.log(ffhqQuad(landmarks).size); // 80
 * ```
 */
export function ffhqQuad(landmarks: readonly Point[]): FfhqQuad {
  if (landmarks.length !== 68 || !landmarks.every((p) => p.length === 2 && p.every(Number.isFinite))) {
    throw new TypeError(`FFHQ alignment needs 68 finite [x, y] landmarks, got ${landmarks.length}`);
  }
  const eyeLeft = mean(landmarks.slice(36, 42));
  const eyeRight = mean(landmarks.slice(42, 48));
  const eyeAvg: Point = [(eyeLeft[0] + eyeRight[0]) / 2, (eyeLeft[1] + eyeRight[1]) / 2];
  const eyeToEye: Point = [eyeRight[0] - eyeLeft[0], eyeRight[1] - eyeLeft[1]];
  const mouthLeft = landmarks[48], mouthRight = landmarks[54];
  const mouthAvg: Point = [(mouthLeft[0] + mouthRight[0]) / 2, (mouthLeft[1] + mouthRight[1]) / 2];
  const eyeToMouth: Point = [mouthAvg[0] - eyeAvg[0], mouthAvg[1] - eyeAvg[1]];
  // np.flipud(eye_to_mouth) * [-1, 1] = [−m_y, m_x]
  let x: Point = [eyeToEye[0] + eyeToMouth[1], eyeToEye[1] - eyeToMouth[0]];
  const length = Math.hypot(x[0], x[1]);
  const scale = Math.max(Math.hypot(...eyeToEye) * 2, Math.hypot(...eyeToMouth) * 1.8) / length;
  x = [x[0] * scale, x[1] * scale];
  const y: Point = [-x[1], x[0]];
  const c: Point = [eyeAvg[0] + eyeToMouth[0] * 0.1, eyeAvg[1] + eyeToMouth[1] * 0.1];
  const quad: [Point, Point, Point, Point] = [
    [c[0] - x[0] - y[0], c[1] - x[1] - y[1]],
    [c[0] - x[0] + y[0], c[1] - x[1] + y[1]],
    [c[0] + x[0] + y[0], c[1] + x[1] + y[1]],
    [c[0] + x[0] - y[0], c[1] + x[1] - y[1]],
  ];
  return { quad, size: Math.hypot(x[0], x[1]) * 2 };
}

/**
 * Where photo points land in the aligned output: the inverse of the quad's map (exact for FFHQ's quads, which are
 * squares, so the map is a similarity).
 *
 * @param points photo pixels
 * @param quad the FFHQ quad
 * @param outputSize side of the aligned image
 * @returns output pixels
 * @example
 * ```ts
 * import { toAlignedPixels } from "./ffhq_align.ts";
 * const quad: [number, number][] = [[0, 0], [0, 100], [100, 100], [100, 0]];
 * console.log(toAlignedPixels([[50, 25]], quad, 256)); // [[128, 64]]
 * ```
 */
export function toAlignedPixels(
  points: readonly Point[],
  quad: readonly (readonly [number, number])[],
  outputSize: number,
): Point[] {
  const [q0, q1, , q3] = quad;
  const u: Point = [q3[0] - q0[0], q3[1] - q0[1]]; // output x axis in the photo
  const v: Point = [q1[0] - q0[0], q1[1] - q0[1]]; // output y axis
  const det = u[0] * v[1] - u[1] * v[0];
  return points.map(([px, py]) => {
    const dx = px - q0[0], dy = py - q0[1];
    const a = (dx * v[1] - dy * v[0]) / det, b = (u[0] * dy - u[1] * dx) / det;
    return [a * outputSize, b * outputSize];
  });
}

/** Options of {@linkcode alignFace}. */
export interface AlignOptions {
  /** Side of the aligned image (default 1024, FFHQ's; 256 for pSp-style models). */
  outputSize?: number;
  /** Side of the QUAD transform before the final antialiased resize (default 4096, FFHQ's; at least outputSize). */
  transformSize?: number;
  /** Pad with the blurred reflected border when the quad leaves the photo (default true, FFHQ's). */
  padding?: boolean;
}

/** An aligned face. */
export interface AlignedFace {
  /** The aligned image. */
  image: RgbImage;
  /** The quad in the photo's pixels. */
  quad: [Point, Point, Point, Point];
  /** The 68 landmarks mapped into the aligned image. */
  landmarks: Point[];
}

async function resizeLanczos(image: FloatRgb | RgbImage, width: number, height: number): Promise<RgbImage> {
  const sharp = await loadSharp();
  const bytes = image.data instanceof Uint8Array ? image.data : toBytes(image.data);
  const { data } = await sharp(bytes, { raw: { width: image.width, height: image.height, channels: 3 } })
    .resize(width, height, { fit: "fill", kernel: "lanczos3" }).raw().toBuffer({ resolveWithObject: true });
  return { data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), width, height };
}

function toBytes(values: Float32Array): Uint8Array {
  const out = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = Math.round(values[i]); // np.uint8(np.clip(np.rint(img), 0, 255)); rint's ties-to-even aside
    out[i] = v < 0 ? 0 : v > 255 ? 255 : v;
  }
  return out;
}

/** An in-memory photo as a source: the Lanczos shrink of the whole photo, then the crop. */
function memorySource(photo: RgbImage): PhotoSource {
  assertRgbImage(photo);
  return {
    width: photo.width,
    height: photo.height,
    async read(size = photo, region?: PixelBox) {
      const scaled = size.width === photo.width && size.height === photo.height
        ? photo
        : await resizeLanczos(photo, size.width, size.height);
      return region ? cropRgb(scaled, region) : scaled;
    },
  };
}

const toFloat = (image: RgbImage): FloatRgb => ({
  data: Float32Array.from(image.data),
  width: image.width,
  height: image.height,
});

/**
 * Aligns one face of a photo as FFHQ does.
 *
 * @param photo the photo, in memory or as a source that decodes the region needed (faces/rgb_image.ts `openPhoto`)
 * @param landmarks its 68 landmarks
 * @param options output and transform sizes, padding
 * @returns the aligned image, the quad and the landmarks in the aligned image
 * @throws {RangeError} naming a size that is not an integer ≥ 8, or a transform size below the output size
 * @example
 * ```ts
 * import { FaceDetector } from "./detect.ts";
 * import { alignFace } from "./ffhq_align.ts";
 * import { readRgbImage } from "./rgb_image.ts";
 * const photo = await readRgbImage("../shared/fixtures/images/faces-raw/04.jpg");
 * const [face] = await (await FaceDetector.load({ detector: "tiny" })).detect(photo);
 * const aligned = await alignFace(photo, face.landmarks, { outputSize: 256, transformSize: 256 });
 * console.log(aligned.image.width, aligned.image.height); // 256 256
 * ```
 */
export async function alignFace(
  photo: RgbImage | PhotoSource,
  landmarks: readonly Point[],
  options: AlignOptions = {},
): Promise<AlignedFace> {
  const source = "read" in photo ? photo : memorySource(photo);
  const outputSize = options.outputSize ?? 1024;
  const transformSize = options.transformSize ?? Math.max(4096, outputSize);
  if (!Number.isInteger(outputSize) || outputSize < 8 || outputSize > 8192) {
    throw new RangeError(`outputSize must be an integer in 8..8192, got ${outputSize}`);
  }
  if (!Number.isInteger(transformSize) || transformSize < outputSize || transformSize > 8192) {
    throw new RangeError(`transformSize must be an integer in ${outputSize}..8192, got ${transformSize}`);
  }
  const { quad: photoQuad, size } = ffhqQuad(landmarks);
  let quad = photoQuad.map((p) => [...p] as Point);
  let qsize = size;
  let image = { width: source.width, height: source.height };

  // Shrink.
  const shrink = Math.floor((qsize / outputSize) * 0.5);
  if (shrink > 1) {
    image = { width: Math.round(image.width / shrink), height: Math.round(image.height / shrink) };
    quad = quad.map(([x, y]) => [x / shrink, y / shrink]);
    qsize /= shrink;
  }

  // Crop.
  const border = Math.max(Math.round(qsize * 0.1), 3);
  const bounds = () =>
    [
      Math.floor(Math.min(...quad.map((p) => p[0]))),
      Math.floor(Math.min(...quad.map((p) => p[1]))),
      Math.ceil(Math.max(...quad.map((p) => p[0]))),
      Math.ceil(Math.max(...quad.map((p) => p[1]))),
    ] as const;
  let [left, top, right, bottom] = bounds();
  const cropBox = [
    Math.max(left - border, 0),
    Math.max(top - border, 0),
    Math.min(right + border, image.width),
    Math.min(bottom + border, image.height),
  ] as [number, number, number, number];
  if (cropBox[2] <= cropBox[0] || cropBox[3] <= cropBox[1]) {
    throw new RangeError(`The face quad lies outside the ${image.width}×${image.height} photo`);
  }
  let working: FloatRgb;
  if (cropBox[2] - cropBox[0] < image.width || cropBox[3] - cropBox[1] < image.height) {
    working = toFloat(await source.read(image, cropBox));
    quad = quad.map(([x, y]) => [x - cropBox[0], y - cropBox[1]]);
  } else working = toFloat(await source.read(image));

  // Pad.
  [left, top, right, bottom] = bounds();
  let pads = [
    Math.max(-left + border, 0),
    Math.max(-top + border, 0),
    Math.max(right - working.width + border, 0),
    Math.max(bottom - working.height + border, 0),
  ] as [number, number, number, number];
  let bytes: Uint8Array;
  if ((options.padding ?? true) && Math.max(...pads) > border - 4) {
    const minimum = Math.round(qsize * 0.3);
    pads = pads.map((p) => Math.max(p, minimum)) as [number, number, number, number];
    const padded = padReflect(working, pads);
    const { width: w, height: h } = padded;
    const blurred = gaussianBlur(padded, qsize * 0.02);
    const data = padded.data;
    const mask = new Float32Array(w * h);
    for (let y = 0; y < h; y++) {
      const my = 1 - Math.min(y / pads[1], (h - 1 - y) / pads[3]);
      for (let x = 0; x < w; x++) {
        mask[y * w + x] = Math.max(1 - Math.min(x / pads[0], (w - 1 - x) / pads[2]), my);
      }
    }
    for (let p = 0; p < w * h; p++) {
      const weight = Math.min(Math.max(mask[p] * 3 + 1, 0), 1);
      for (let c = 0; c < 3; c++) data[p * 3 + c] += (blurred.data[p * 3 + c] - data[p * 3 + c]) * weight;
    }
    const medians = channelMedians(padded);
    for (let p = 0; p < w * h; p++) {
      const weight = Math.min(Math.max(mask[p], 0), 1);
      for (let c = 0; c < 3; c++) data[p * 3 + c] += (medians[c] - data[p * 3 + c]) * weight;
    }
    bytes = toBytes(data);
    working = padded;
    quad = quad.map(([x, y]) => [x + pads[0], y + pads[1]]);
  } else bytes = toBytes(working.data);

  // Transform.
  const transformed: RgbImage = {
    data: quadTransform({ data: bytes, width: working.width, height: working.height }, quad, transformSize),
    width: transformSize,
    height: transformSize,
  };
  // The official `img.resize((output_size, output_size), PIL.Image.ANTIALIAS)`, bit for bit.
  let aligned = transformed;
  if (outputSize < transformSize) {
    const { data } = pilResize({ ...transformed, channels: 3 }, [outputSize, outputSize], {
      filter: "lanczos",
    });
    aligned = { data, width: outputSize, height: outputSize };
  }
  return {
    image: aligned,
    quad: photoQuad,
    landmarks: toAlignedPixels(landmarks, photoQuad, outputSize),
  };
}
