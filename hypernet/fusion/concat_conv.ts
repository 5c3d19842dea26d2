/**
 * The official fusion (spec §3.3, §4; hypernetwork.py L23-27, L57): concatenate Fw and Fx along channels, **Fw
 * first**, then `ReLU(InstanceNorm(Conv1×1 2C→C' + b))`.
 *
 * @module
 */

import { assertFeaturePair } from "../_layers.ts";
import { fusionHead } from "./_head.ts";
import type { FusionOperator } from "./operator.ts";

/**
 * `concatConv`: `ReLU(IN(Conv1×1(cat(Fw, Fx))))`. Parameters `0.weight` [C', 2C, 1, 1] and `0.bias` [C'].
 *
 * @example
 * ```ts
 * import { GraphBuilder } from "../../graph/builder.ts";
 * import { concatConv } from "./concat_conv.ts";
 * const g = new GraphBuilder("fusion");
 * const fw = g.input("fw", [2, 512, 8, 8]); // [B, C, S, S]
 * const fx = g.input("fx", [2, 512, 8, 8]);
 * const fused = g.scope("fusion", () => concatConv.build(g, fw, fx, {}));
 * console.log(fused.shape, g.parameters.map((p) => p.name)); // [2, 512, 8, 8] ["fusion.0.weight", "fusion.0.bias"]
 * ```
 */
export const concatConv: FusionOperator = Object.freeze<FusionOperator>({
  name: "concatConv",
  description: "official: ReLU(IN(Conv1×1(cat(Fw, Fx)))), 2C → C'",
  build(g, fw, fx, options) {
    assertFeaturePair(fw, fx, "concatConv");
    const both = g.concat([fw, fx], 1); // [B, 2C, S, S], Fw first as hypernetwork.py L57
    return fusionHead(g, both, options.outChannels ?? fw.shape[1]); // [B, C', S, S]
  },
});
