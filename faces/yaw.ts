/**
 * Head yaw from the 68 landmarks: a scaled-orthographic (weak-perspective) PnP fit of a 3D mean face. The model is
 * the classic six-point face of the OpenCV head-pose tutorial (S. Mallick, "Head Pose Estimation using OpenCV and
 * Dlib", LearnOpenCV 2016), in arbitrary units with x to the image's right, y up, z towards
 * the camera: nose tip (landmark 30), chin (8), outer eye corners (36, 45), mouth corners (48, 54). At portrait
 * distances perspective is weak, so an affine camera fitted by least squares and projected onto the nearest scaled
 * rotation (Gram–Schmidt on its two rows) gives the rotation without a focal length or an iterative solver.
 *
 * Sign: yaw > 0 when the face turns towards the image's right (the subject's left). A mirrored photo negates it.
 *
 * @module
 */

import type { Point } from "./detect.ts";

/** The 3D model points and the landmarks they stand for. */
export const HEAD_MODEL: readonly { landmark: number; point: readonly [number, number, number] }[] = [
  { landmark: 30, point: [0, 0, 0] }, // nose tip
  { landmark: 8, point: [0, -330, -65] }, // chin
  { landmark: 36, point: [-225, 170, -135] }, // eye corner on the image's left
  { landmark: 45, point: [225, 170, -135] }, // eye corner on the image's right
  { landmark: 48, point: [-150, -150, -125] }, // mouth corner, image left
  { landmark: 54, point: [150, -150, -125] }, // mouth corner, image right
];

/** Solves the 4×4 normal equations of one image axis: [r1 r2 r3 t] minimising Σ (r·X + t − u)². */
function fitRow(model: readonly (readonly number[])[], targets: readonly number[]): number[] {
  const a = Array.from({ length: 4 }, () => new Array(5).fill(0));
  model.forEach((p, k) => {
    const row = [p[0], p[1], p[2], 1];
    for (let i = 0; i < 4; i++) {
      for (let j = 0; j < 4; j++) a[i][j] += row[i] * row[j];
      a[i][4] += row[i] * targets[k];
    }
  });
  for (let col = 0; col < 4; col++) { // Gauss–Jordan with partial pivoting
    let pivot = col;
    for (let r = col + 1; r < 4; r++) if (Math.abs(a[r][col]) > Math.abs(a[pivot][col])) pivot = r;
    [a[col], a[pivot]] = [a[pivot], a[col]];
    for (let r = 0; r < 4; r++) {
      if (r === col) continue;
      const f = a[r][col] / a[col][col];
      for (let c = col; c < 5; c++) a[r][c] -= f * a[col][c];
    }
  }
  return a.map((r, i) => r[4] / r[i]);
}

/**
 * Head rotation (yaw, pitch, roll in degrees) from 68 landmarks.
 *
 * @param landmarks the 68 points in image pixels (y down)
 * @returns yaw (turn left/right, > 0 towards the image's right), pitch (> 0 up), roll (in-plane)
 * @throws {TypeError} when there are not 68 finite points
 * @example
 * ```ts
 * import { HEAD_MODEL, headPose } from "./yaw.ts";
 * const landmarks = Array.from({ length: 68 }, (): [number, number] => [0, 0]);
 * for (const { landmark, point } of HEAD_MODEL) landmarks[landmark] = [100 + point[0] / 5, 100 - point[1] / 5];
 * console.log(Math.abs(headPose(landmarks).yaw) < 1e-6); // true
 * ```
 */
export function headPose(landmarks: readonly Point[]): { yaw: number; pitch: number; roll: number } {
  if (landmarks.length !== 68 || !landmarks.every((p) => p.length === 2 && p.every(Number.isFinite))) {
    throw new TypeError(`Head pose needs 68 finite [x, y] landmarks, got ${landmarks.length}`);
  }
  const model = HEAD_MODEL.map((m) => m.point);
  const u = HEAD_MODEL.map((m) => landmarks[m.landmark][0]);
  const v = HEAD_MODEL.map((m) => -landmarks[m.landmark][1]); // y up, as the model
  const r1 = fitRow(model, u).slice(0, 3), r2 = fitRow(model, v).slice(0, 3);
  const norm = (a: number[]) => Math.hypot(a[0], a[1], a[2]);
  const e1 = r1.map((x) => x / norm(r1));
  const dot = r2[0] * e1[0] + r2[1] * e1[1] + r2[2] * e1[2];
  const o2 = r2.map((x, i) => x - dot * e1[i]);
  const e2 = o2.map((x) => x / norm(o2));
  const e3 = [e1[1] * e2[2] - e1[2] * e2[1], e1[2] * e2[0] - e1[0] * e2[2], e1[0] * e2[1] - e1[1] * e2[0]];
  // Rows of R (camera axes in model coordinates) = R = Rz(roll) · Ry(yaw) · Rx(pitch); R[2][0] = −sin(yaw).
  const degrees = 180 / Math.PI;
  // The nose (model +z) turning towards the image's right means model +z gains a +x camera component: R[0][2] > 0.
  const yaw = Math.asin(Math.max(-1, Math.min(1, e1[2]))) * degrees;
  const pitch = Math.atan2(-e2[2], e3[2]) * degrees;
  const roll = Math.atan2(e1[1], e1[0]) * degrees;
  return { yaw, pitch, roll };
}

/**
 * Head yaw in degrees (see {@linkcode headPose}).
 *
 * @param landmarks the 68 points
 * @returns yaw, > 0 when the face turns towards the image's right
 * @example
 * ```ts
 * import { HEAD_MODEL, headYaw } from "./yaw.ts";
 * const landmarks = Array.from({ length: 68 }, (): [number, number] => [0, 0]);
 * const turn = (30 * Math.PI) / 180; // rotate the model 30° about its vertical axis, nose to +x
 * for (const { landmark, point: [x, y, z] } of HEAD_MODEL) {
 *   landmarks[landmark] = [100 + (x * Math.cos(turn) + z * Math.sin(turn)) / 5, 100 - y / 5];
 * }
 * console.log(headYaw(landmarks).toFixed(1)); // "30.0"
 * ```
 */
export function headYaw(landmarks: readonly Point[]): number {
  return headPose(landmarks).yaw;
}
