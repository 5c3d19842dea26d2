/**
 * The reconstruction metrics of the demo, the experiments and the site: L2 and PSNR on [0, 1] images, and
 * MS-SSIM, per batch of generator outputs.
 *
 * @module
 */

import { GraphBuilder } from "../graph/builder.ts";
import { GraphSession } from "../runtime/session.ts";
import { msSsim, msSsimOptionsFor } from "./ms_ssim.ts";
import { l2AndPsnrOnUnitRange } from "./psnr.ts";

/** Per-phase image metrics. */
export interface PhaseMetrics {
  /** Mean squared error on [0, 1] images, averaged over the batch. */
  l2: number;
  /** PSNR in dB on [0, 1] images (data range 1), the mean of the per-image values. */
  psnr: number;
  /** MS-SSIM on [0, 1] images, the batch mean. */
  msSsim: number;
}

/**
 * L2 (mean squared error) and PSNR on [0, 1] images ({@linkcode l2AndPsnrOnUnitRange}), and MS-SSIM (with {@linkcode msSsimOptionsFor}'s settings).
 *
 * @param reconstruction [B, 3, R, R] in [−1, 1]
 * @param target the inputs, the same shape
 * @param shape [B, 3, R, R]
 * @returns means over the batch, and the MS-SSIM label
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { imageMetrics } from "./image_metrics.ts";
 * const x = Float32Array.from({ length: 3 * 32 * 32 }, (_, i) => Math.sin(i * 0.05) * 0.8);
 * const { l2, msSsim } = await imageMetrics(x.map((v) => v + 0.2), x, [1, 3, 32, 32]); // 0.1 on [0, 1]
 * assert.ok(Math.abs(l2 - 0.01) < 1e-6);
 * assert.ok(msSsim < 1);
 * ```
 */
export async function imageMetrics(
  reconstruction: Float32Array,
  target: Float32Array,
  shape: readonly number[],
): Promise<PhaseMetrics & { msSsimLabel: string }> {
  const [batch, , size] = shape;
  const { l2, psnr } = l2AndPsnrOnUnitRange(reconstruction, target, { batch });
  const { options, label } = msSsimOptionsFor(size);
  const g = new GraphBuilder("ms_ssim");
  const x = g.input("x", [...shape]);
  const y = g.input("y", [...shape]);
  const toUnit = (t: typeof x) => g.add(g.scale(t, 0.5), g.scalar(0.5)); // [−1, 1] → [0, 1]
  const clamp = (t: typeof x) => g.sub(g.relu(t), g.relu(g.sub(t, g.scalar(1)))); // to [0, 1]
  g.output(msSsim(g, clamp(toUnit(x)), toUnit(y), options), "ms_ssim");
  const { outputs } = await (await GraphSession.create(g)).run({ x: reconstruction, y: target });
  return { l2, psnr, msSsim: (outputs.ms_ssim.data as Float32Array)[0], msSsimLabel: label };
}
