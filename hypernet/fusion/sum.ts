/**
 * Fusion by addition: `ReLU(IN(Conv1×1(Fw + Fx)))`. Half the fusion parameters of `concatConv`; the head is
 * kept so that only the combination rule differs from the official fusion.
 *
 * @module
 */

import { assertFeaturePair } from "../_layers.ts";
import { fusionHead } from "./_head.ts";
import type { FusionOperator } from "./operator.ts";

/**
 * `sum`: `ReLU(IN(Conv1×1(Fw + Fx)))`. Parameters `0.weight` [C', C, 1, 1] and `0.bias` [C'].
 *
 * @example
 * ```ts
 * import { GraphBuilder } from "../../graph/builder.ts";
 * import { sum } from "./sum.ts";
 * const g = new GraphBuilder("fusion");
 * const fused = sum.build(g, g.input("fw", [1, 8, 4, 4]), g.input("fx", [1, 8, 4, 4]), { outChannels: 4 });
 * console.log(fused.shape); // [1, 4, 4, 4]
 * ```
 */
export const sum: FusionOperator = Object.freeze<FusionOperator>({
  name: "sum",
  description: "ReLU(IN(Conv1×1(Fw + Fx))), C → C'",
  build(g, fw, fx, options) {
    assertFeaturePair(fw, fx, "sum");
    return fusionHead(g, g.add(fw, fx), options.outChannels ?? fw.shape[1]); // [B, C', S, S]
  },
});
