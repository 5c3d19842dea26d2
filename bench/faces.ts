/**
 * Benchmark rows for faces/: ms per photo for detection + 68 landmarks + FFHQ alignment at 1024 (transform at
 * 4096, FFHQ's), over the ten `faces-raw` fixture photos (320² to 3401×2379), on the CPU through tfjs's WASM
 * backend (SIMD, one thread), with each detector.
 *
 * @module
 */

import { FaceDetector, type FaceDetectorKind } from "../faces/detect.ts";
import { alignFace } from "../faces/ffhq_align.ts";
import { readRgbImage, type RgbImage } from "../faces/rgb_image.ts";

/** One faces row. */
export interface FacesBenchRow {
  name: string;
  ms_per_photo: number;
  detect_ms: number;
  align_ms: number;
  photos: number;
  runs: number;
  provider: string;
}

const FIXTURES = new URL("../../shared/fixtures/images/faces-raw/", import.meta.url).pathname;

/**
 * Times detect + landmarks + align at 1024 per photo (median over runs of the mean over photos; one warm-up).
 *
 * @param detectorKind `ssd` or `tiny`
 * @param runs passes over the photos
 * @returns the row
 * @example
 * ```ts ignore
 * import { benchFaceAlignment } from "./faces.ts";
 * console.log(await benchFaceAlignment("tiny", 1));
 * ```
 */
export async function benchFaceAlignment(
  detectorKind: FaceDetectorKind,
  runs: number,
): Promise<FacesBenchRow> {
  const detector = await FaceDetector.load({ detector: detectorKind });
  const photos: RgbImage[] = [];
  for (let i = 1; i <= 10; i++) {
    photos.push(await readRgbImage(`${FIXTURES}${String(i).padStart(2, "0")}.jpg`));
  }
  const once = async () => {
    let detect = 0, align = 0;
    for (const photo of photos) {
      const t0 = performance.now();
      const [face] = await detector.detect(photo);
      const t1 = performance.now();
      if (face) await alignFace(photo, face.landmarks, { outputSize: 1024, transformSize: 4096 });
      detect += t1 - t0;
      align += performance.now() - t1;
    }
    return { detect: detect / photos.length, align: align / photos.length };
  };
  await once();
  const results = [];
  for (let r = 0; r < runs; r++) results.push(await once());
  results.sort((a, b) => a.detect + a.align - (b.detect + b.align));
  const mid = results[results.length >> 1];
  const round = (v: number) => Math.round(v * 10) / 10;
  return {
    name: `faces-align-1024-${detectorKind}`,
    ms_per_photo: round(mid.detect + mid.align),
    detect_ms: round(mid.detect),
    align_ms: round(mid.align),
    photos: photos.length,
    runs,
    provider: `tfjs-${detector.backend}`,
  };
}

/**
 * The table line of a row (bench/mod.ts's columns).
 *
 * @param row the row
 * @returns a Markdown table line
 * @example
 * ```ts
 * import { formatFacesRow } from "./faces.ts";
 * console.log(formatFacesRow({
 *   name: "faces-align-1024-ssd", ms_per_photo: 900, detect_ms: 600, align_ms: 300, photos: 10, runs: 1,
 *   provider: "tfjs-wasm",
 * })); // "| faces-align-1024-ssd | 900 ms/photo (detect+landmarks 600, align 300; 10 photos) | | | | | tfjs-wasm |"
 * ```
 */
export function formatFacesRow(row: FacesBenchRow): string {
  return `| ${row.name} | ${row.ms_per_photo} ms/photo (detect+landmarks ${row.detect_ms}, align ${row.align_ms}; ` +
    `${row.photos} photos) | | | | | ${row.provider} |`;
}
