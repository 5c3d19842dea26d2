/**
 * The synthesis network ws → image (ADA `SynthesisNetwork`, "skip" architecture, spec §1.3–1.4), with every
 * conv and toRGB weight a named parameter and optional per-sample residuals ΔW [B, O, I, k, k] added to the
 * raw weights: the phase-II generator of HyperInverter, batched in one run.
 *
 * @module
 */

import type { GraphBuilder } from "../graph/builder.ts";
import { formatShape, type Tensor } from "../graph/tensor.ts";
import { type GeneratorConfig, numWs } from "./config.ts";
import { upsampleImage } from "./fir.ts";
import { synthesisLayer, toRgbLayer } from "./modulated_conv.ts";
import { layerRegistry, targetLayers } from "./registry.ts";

/** Options of {@linkcode buildSynthesis}. */
export interface SynthesisOptions {
  /**
   * Per-sample residuals by target name (registry `TargetLayer.name`): `"b8.conv0.weight"` [B, O, I, k, k] or
   * `"b8.conv0.affine.weight"` [B, I, wDim]. Tensors not listed use θ alone.
   */
  residuals?: ReadonlyMap<string, Tensor>;
  /** Called with each layer's output, e.g. to expose intermediates as graph outputs. */
  onLayer?: (name: string, output: Tensor) => void;
}

/**
 * Adds the synthesis network in scope `synthesis` (parameter names as ADA's state dict:
 * `synthesis.b4.const`, `synthesis.b8.conv0.weight`, …).
 *
 * @param g graph builder
 * @param config generator configuration
 * @param ws w codes [B, numWs, wDim] (the layer of registry row ℓ reads row `styleIndex`)
 * @param options residuals and a per-layer hook
 * @returns the image [B, imgChannels, R, R] (no tanh, no clamp)
 * @example
 * ```ts
 * import { GraphBuilder } from "../graph/builder.ts";
 * import { resolveGeneratorConfig } from "./config.ts";
 * import { buildSynthesis } from "./synthesis.ts";
 * const config = resolveGeneratorConfig({ resolution: 64, channelBase: 1024, channelMax: 64 });
 * const g = new GraphBuilder("synthesis");
 * const img = buildSynthesis(g, config, g.input("ws", [1, 10, 512]));
 * console.log(img.shape); // [1, 3, 64, 64]
 * ```
 */
export function buildSynthesis(
  g: GraphBuilder,
  config: GeneratorConfig,
  ws: Tensor,
  options: SynthesisOptions = {},
): Tensor {
  const rows = numWs(config);
  if (ws.rank !== 3 || ws.shape[1] !== rows || ws.shape[2] !== config.wDim) {
    throw new TypeError(
      `Synthesis input "${ws.name}" must be [B, ${rows}, ${config.wDim}], got ${formatShape(ws.shape)}`,
    );
  }
  const batch = ws.shape[0];
  const registry = layerRegistry(config);
  const known = new Set(targetLayers(registry, "all_without_bias").map((target) => target.name));
  for (const name of options.residuals?.keys() ?? []) {
    if (!known.has(name)) {
      throw new TypeError(
        `Residual for unknown tensor "${name}"; residuals can target: ${[...known].join(", ")}`,
      );
    }
  }
  const wRows = new Map<number, Tensor>();
  const wRow = (index: number) => {
    let row = wRows.get(index);
    if (!row) {
      row = g.reshape(g.slice(ws, [1], [index], [index + 1]), [batch, config.wDim]); // [B, wDim]
      wRows.set(index, row);
    }
    return row;
  };

  return g.scope("synthesis", () => {
    let x: Tensor | undefined; // features [B, C, r, r]
    let img: Tensor | undefined; // skip image [B, 3, r, r]
    for (const layer of registry) {
      const residuals = {
        weight: options.residuals?.get(`${layer.name}.weight`),
        affine: options.residuals?.get(`${layer.name}.affine.weight`),
      };
      const w = wRow(layer.styleIndex);
      g.scope(`b${layer.block}`, () => {
        if (!x) {
          const constant = g.parameter("const", [layer.inChannels, 4, 4]); // [C, 4, 4]
          x = g.expand(g.reshape(constant, [1, layer.inChannels, 4, 4]), [batch, layer.inChannels, 4, 4]);
        }
        g.scope(layer.kind, () => {
          if (layer.kind === "torgb") {
            const rgb = toRgbLayer(g, layer, x!, w, residuals); // [B, 3, R, R]
            options.onLayer?.(layer.name, rgb);
            img = img ? g.add(upsampleImage(g, img), rgb) : rgb; // [B, 3, R, R]
            options.onLayer?.(`b${layer.block}.img`, img);
          } else {
            x = synthesisLayer(g, layer, x!, w, residuals); // [B, O, R, R]
            options.onLayer?.(layer.name, x);
          }
        });
      });
    }
    return img!;
  });
}
