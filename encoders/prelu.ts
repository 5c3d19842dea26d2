/**
 * torch `nn.PReLU(C)`: a learned negative slope per channel.
 *
 * @module
 */

import type { GraphBuilder } from "../graph/builder.ts";
import type { Tensor } from "../graph/tensor.ts";
import { assertShape } from "./_check.ts";

/**
 * Adds a per-channel PReLU with parameter `weight` [C] in the current scope. It is composed from the op set
 * as `relu(x) + a·(x − relu(x))`, which is exact: x for x ≥ 0 (a·0 = 0) and a·x for x < 0.
 *
 * @param g graph builder
 * @param x input [B, C, H, W]
 * @returns [B, C, H, W]
 * @throws {TypeError} when x is not 4-D
 * @example
 * ```ts
 * import { GraphBuilder } from "../graph/builder.ts";
 * import { GraphSession } from "../runtime/session.ts";
 * import { prelu } from "./prelu.ts";
 * const g = new GraphBuilder("prelu");
 * g.output(g.scope("act", () => prelu(g, g.input("x", [1, 2, 1, 2]))), "y");
 * const session = await GraphSession.create(g);
 * const { outputs } = await session.run({ x: new Float32Array([-2, 3, -4, 5]), "act.weight": new Float32Array([0.25, -1]) });
 * console.log(outputs.y.data); // Float32Array [-0.5, 3, 4, 5]
 * ```
 */
export function prelu(g: GraphBuilder, x: Tensor): Tensor {
  assertShape(x, [undefined, undefined, undefined, undefined], "PReLU input");
  const channels = x.shape[1];
  const slope = g.reshape(g.parameter("weight", [channels]), [1, channels, 1, 1]); // [1, C, 1, 1]
  const positive = g.relu(x); // [B, C, H, W]
  const negative = g.sub(x, positive); // [B, C, H, W], min(x, 0)
  return g.add(positive, g.mul(negative, slope)); // [B, C, H, W]
}
