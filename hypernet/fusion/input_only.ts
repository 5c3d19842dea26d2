/**
 * Ablation "w/o x̂_w feat." (paper Table 3 row 3): the regressors see the features of the input x alone.
 *
 * The 1×1 conv + InstanceNorm + ReLU head is kept (on C instead of 2C input channels), so the feature
 * extractor still reads a normalised, rectified map of C' channels and everything after the fusion is the
 * same network as the official one; only the x̂_w half of the fusion input (and of its conv weight) is gone.
 *
 * @module
 */

import { assertFeaturePair } from "../_layers.ts";
import { fusionHead } from "./_head.ts";
import type { FusionOperator } from "./operator.ts";

/**
 * `inputOnly`: `ReLU(IN(Conv1×1(Fx)))`; Fw is not read. Parameters `0.weight` [C', C, 1, 1] and `0.bias` [C'].
 *
 * @example
 * ```ts
 * import { GraphBuilder } from "../../graph/builder.ts";
 * import { inputOnly } from "./input_only.ts";
 * const g = new GraphBuilder("fusion");
 * const fw = g.input("fw", [1, 32, 4, 4]);
 * const fx = g.input("fx", [1, 32, 4, 4]);
 * const fused = g.scope("fusion", () => inputOnly.build(g, fw, fx, {}));
 * console.log(fused.shape, g.parameters[0].shape); // [1, 32, 4, 4] [32, 32, 1, 1]
 * ```
 */
export const inputOnly: FusionOperator = Object.freeze<FusionOperator>({
  name: "inputOnly",
  description: "ablation w/o x̂_w features: ReLU(IN(Conv1×1(Fx))), C → C'",
  build(g, fw, fx, options) {
    assertFeaturePair(fw, fx, "inputOnly");
    return fusionHead(g, fx, options.outChannels ?? fx.shape[1]); // [B, C', S, S]
  },
});
