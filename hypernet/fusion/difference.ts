/**
 * Fusion by the feature residual `Fx − Fw`: what the phase-I image still misses, in E2's feature space (the
 * quantity phase II has to explain). The official 1×1 conv + InstanceNorm + ReLU head follows, on C channels.
 * Note that the InstanceNorm removes any per-channel offset the conv adds, so the map carries only the spatial
 * pattern of the residual, as in the official fusion.
 *
 * @module
 */

import { assertFeaturePair } from "../_layers.ts";
import { fusionHead } from "./_head.ts";
import type { FusionOperator } from "./operator.ts";

/**
 * `difference`: `ReLU(IN(Conv1×1(Fx − Fw)))`. Parameters `0.weight` [C', C, 1, 1] and `0.bias` [C'].
 *
 * @example
 * ```ts
 * import { GraphBuilder } from "../../graph/builder.ts";
 * import { difference } from "./difference.ts";
 * const g = new GraphBuilder("fusion");
 * const fused = difference.build(g, g.input("fw", [2, 16, 4, 4]), g.input("fx", [2, 16, 4, 4]), {});
 * console.log(fused.shape); // [2, 16, 4, 4]
 * ```
 */
export const difference: FusionOperator = Object.freeze<FusionOperator>({
  name: "difference",
  description: "ReLU(IN(Conv1×1(Fx − Fw))), C → C'",
  build(g, fw, fx, options) {
    assertFeaturePair(fw, fx, "difference");
    return fusionHead(g, g.sub(fx, fw), options.outChannels ?? fw.shape[1]); // [B, C', S, S]
  },
});
