/**
 * The coach's L2 loss, `F.mse_loss(ŷ, y)` (spec §5): the mean of squared differences over every element.
 *
 * @module
 */

import type { GraphBuilder } from "../graph/builder.ts";
import type { Tensor } from "../graph/tensor.ts";
import { meanAll } from "./adversarial.ts";
import { assertSameShape } from "./_check.ts";

/**
 * Mean squared error over all elements (torch `F.mse_loss` with `reduction="mean"`).
 *
 * @param g graph builder
 * @param prediction ŷ, any shape (in the coach: face_pool(x̂) [B, 3, 256, 256])
 * @param target y, the same shape
 * @returns scalar []
 * @throws {TypeError} when the shapes differ
 * @example
 * ```ts
 * import { GraphBuilder } from "../graph/builder.ts";
 * import { GraphSession } from "../runtime/session.ts";
 * import { l2Loss } from "./l2.ts";
 * const g = new GraphBuilder("l2");
 * g.output(l2Loss(g, g.input("a", [1, 4]), g.input("b", [1, 4])), "loss");
 * const session = await GraphSession.create(g);
 * const { outputs } = await session.run({ a: new Float32Array([0, 1, 2, 3]), b: new Float32Array([0, 1, 2, 5]) });
 * console.log(outputs.loss.data[0]); // 1
 * ```
 */
export function l2Loss(g: GraphBuilder, prediction: Tensor, target: Tensor): Tensor {
  assertSameShape(prediction, target, "L2 loss");
  const diff = g.sub(prediction, target);
  return meanAll(g, g.mul(diff, diff)); // []
}
