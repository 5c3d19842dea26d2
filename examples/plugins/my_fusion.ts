/**
 * A custom fusion operator (examples/plugins/README.md): feed the regressor what phase I still misses,
 * Fx − Fw, beside Fx itself, through a 1×1 conv and a ReLU. Named in a suite as
 * `"./my_fusion.ts#residualConcat"`; no project file is edited.
 *
 * @module
 */

import type { FusionOperator } from "../../hypernet/mod.ts";

/**
 * `ReLU(Conv1×1(cat(Fx − Fw, Fx)))`: parameters `0.weight` [C', 2C, 1, 1] (the enclosing regressor's init)
 * and `0.bias` [C'] (zeros).
 *
 * @example
 * ```ts
 * import { GraphBuilder } from "../../graph/builder.ts";
 * import { residualConcat } from "./my_fusion.ts";
 * const g = new GraphBuilder("fusion");
 * const fused = residualConcat.build(g, g.input("fw", [1, 8, 4, 4]), g.input("fx", [1, 8, 4, 4]), {});
 * console.log(fused.shape); // [1, 8, 4, 4]
 * ```
 */
export const residualConcat: FusionOperator = {
  name: "residualConcat",
  description: "ReLU(Conv1×1(cat(Fx − Fw, Fx)))",
  build(g, fw, fx, options) {
    const channels = options.outChannels ?? fw.shape[1];
    const both = g.concat([g.sub(fx, fw), fx], 1); // [B, 2C, S, S]
    const weight = g.parameter("0.weight", [channels, both.shape[1], 1, 1]); // [C', 2C, 1, 1]
    const bias = g.parameter("0.bias", [channels], "float32", { init: { kind: "constant", value: 0 } });
    const projected = g.add(g.conv(both, weight), g.reshape(bias, [1, channels, 1, 1])); // [B, C', S, S]
    return g.relu(projected); // [B, C', S, S]
  },
};
