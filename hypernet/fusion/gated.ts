/**
 * Gated fusion: a learned per-channel, per-pixel gate chooses between the two feature maps,
 * `γ = σ(Conv1×1(cat(Fw, Fx)) + b)`, `m = γ·Fx + (1 − γ)·Fw`, then the official head `ReLU(IN(Conv1×1(m)))`.
 * With a zero-initialised gate conv the gate starts at 0.5 (the mean of the two maps).
 *
 * @module
 */

import { assertFeaturePair, conv2d } from "../_layers.ts";
import { fusionHead } from "./_head.ts";
import type { FusionOperator } from "./operator.ts";

/**
 * `gated`: parameters `gate.weight` [C, 2C, 1, 1], `gate.bias` [C], `0.weight` [C', C, 1, 1], `0.bias` [C'].
 *
 * @example
 * ```ts
 * import { GraphBuilder } from "../../graph/builder.ts";
 * import { gated } from "./gated.ts";
 * const g = new GraphBuilder("fusion");
 * const fused = gated.build(g, g.input("fw", [1, 8, 4, 4]), g.input("fx", [1, 8, 4, 4]), {});
 * console.log(fused.shape, g.parameters.map((p) => p.name)); // [1, 8, 4, 4] ["gate.weight", "gate.bias", "0.weight", "0.bias"]
 * ```
 */
export const gated: FusionOperator = Object.freeze<FusionOperator>({
  name: "gated",
  description: "γ = σ(Conv1×1(cat(Fw, Fx))), ReLU(IN(Conv1×1(γ·Fx + (1−γ)·Fw))), C → C'",
  build(g, fw, fx, options) {
    assertFeaturePair(fw, fx, "gated");
    const channels = fw.shape[1];
    const logits = conv2d(g, g.concat([fw, fx], 1), "gate", { outChannels: channels, kernel: 1 }); // [B, C, S, S]
    const gate = g.sigmoid(logits); // [B, C, S, S]
    const mixed = g.add(fw, g.mul(gate, g.sub(fx, fw))); // [B, C, S, S] = γ·Fx + (1 − γ)·Fw
    return fusionHead(g, mixed, options.outChannels ?? channels); // [B, C', S, S]
  },
});
