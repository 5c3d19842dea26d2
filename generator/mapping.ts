/**
 * The mapping network z → w (ADA `MappingNetwork`, spec §1.5): PixelNorm, `mappingLayers` equalized FC
 * layers with lrelu·√2 and lr multiplier 0.01, broadcast to every w row, then optional truncation towards
 * `w_avg` on the first `truncationCutoff` rows.
 *
 * @module
 */

import type { GraphBuilder } from "../graph/builder.ts";
import type { Tensor } from "../graph/tensor.ts";
import { type GeneratorConfig, numWs } from "./config.ts";
import { equalizedLinear } from "./linear.ts";

/** Truncation of sampled codes towards the average w. */
export interface TruncationOptions {
  /** ψ: 1 keeps w, 0 gives w_avg. Default 1. */
  truncationPsi?: number;
  /** Truncate only rows [0, cutoff); default all rows. */
  truncationCutoff?: number;
}

/**
 * Adds the mapping network in scope `mapping` (parameters `mapping.fc{i}.{weight,bias}`, `mapping.w_avg`).
 *
 * @param g graph builder
 * @param config generator configuration
 * @param z latents [B, zDim]
 * @param options truncation ψ and cutoff
 * @returns ws [B, numWs, wDim]
 * @example
 * ```ts
 * import { GraphBuilder } from "../graph/builder.ts";
 * import { resolveGeneratorConfig } from "./config.ts";
 * import { buildMapping } from "./mapping.ts";
 * const g = new GraphBuilder("mapping");
 * const config = resolveGeneratorConfig({ resolution: 64, mappingLayers: 2 });
 * const ws = buildMapping(g, config, g.input("z", [2, 512]), { truncationPsi: 0.7 });
 * console.log(ws.shape); // [2, 10, 512]
 * ```
 */
export function buildMapping(
  g: GraphBuilder,
  config: GeneratorConfig,
  z: Tensor,
  options: TruncationOptions = {},
): Tensor {
  const batch = z.shape[0];
  if (z.rank !== 2 || z.shape[1] !== config.zDim) {
    throw new TypeError(`Mapping input "${z.name}" must be [B, ${config.zDim}], got [${z.shape.join(", ")}]`);
  }
  const rows = numWs(config);
  const psi = options.truncationPsi ?? 1;
  const cutoff = options.truncationCutoff ?? rows;
  if (!Number.isFinite(psi)) throw new RangeError(`truncationPsi must be a finite number, got ${psi}`);
  if (!Number.isInteger(cutoff) || cutoff < 0 || cutoff > rows) {
    throw new RangeError(`truncationCutoff must be an integer in [0, ${rows}], got ${cutoff}`);
  }
  return g.scope("mapping", () => {
    // normalize_2nd_moment: z · rsqrt(mean(z²) + 1e-8)
    const meanSquare = g.reduceMean(g.mul(z, z), [1]); // [B, 1]
    let x = g.mul(z, g.reciprocal(g.sqrt(g.add(meanSquare, g.scalar(1e-8))))); // [B, zDim]
    for (let i = 0; i < config.mappingLayers; i++) {
      x = g.scope(`fc${i}`, () =>
        equalizedLinear(g, x, {
          outFeatures: config.wDim,
          lrMultiplier: config.mappingLrMultiplier,
          activation: "lrelu",
        })); // [B, wDim]
    }
    const wAvg = g.parameter("w_avg", [config.wDim]); // [wDim]
    let ws = g.expand(g.reshape(x, [batch, 1, config.wDim]), [batch, rows, config.wDim]); // [B, numWs, wDim]
    if (psi === 1 || cutoff === 0) return ws;
    // w_avg.lerp(w, ψ) on rows [0, cutoff), in torch's two-sided form (w_avg + ψ·d for |ψ| < 0.5, else
    // w − (1 − ψ)·d with d = w − w_avg), so that the rounding matches the official code.
    const difference = g.sub(ws, wAvg); // [B, numWs, wDim]
    const truncated = Math.abs(psi) < 0.5
      ? g.add(wAvg, g.scale(difference, psi))
      : g.sub(ws, g.scale(difference, 1 - psi)); // [B, numWs, wDim]
    if (cutoff === rows) return truncated;
    const head = g.slice(truncated, [1], [0], [cutoff]); // [B, cutoff, wDim]
    const tail = g.slice(ws, [1], [cutoff], [rows]); // [B, numWs − cutoff, wDim]
    ws = g.concat([head, tail], 1);
    return ws;
  });
}
