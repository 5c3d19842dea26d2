/**
 * The identity-loss form shared by the coach's ID loss (ArcFace IR-SE50 for faces, `criteria/id_loss.py`) and
 * MoCo loss (churches, `criteria/moco_loss.py`), spec §5: loss = mean_b(1 − ⟨f(ŷ_b), f(y_b)⟩) on unit-norm
 * features. Any graph module of the {@linkcode FeatureExtractor} shape plugs in (it owns its crop and resize):
 * ArcFace IR-SE50 is `arcFaceExtractor` (arcface.ts: the `[:, :, 35:223, 32:220]` crop and AdaptiveAvgPool(112));
 * the default model uses the hidden features of its Fashion-MNIST conv classifier (editing/attribute_model.ts).
 *
 * @module
 */

import type { GraphBuilder } from "../graph/builder.ts";
import { formatShape, type Tensor } from "../graph/tensor.ts";
import { assertSameShape } from "./_check.ts";

/** A feature network as a graph module: images [B, C, H, W] → features [B, F]. */
export type FeatureExtractor = (g: GraphBuilder, images: Tensor) => Tensor;

/**
 * 1 − cosine similarity of the features of ŷ and y, averaged over the batch. The features are normalised
 * here (f / √(Σ f² + 1e-24)), so an extractor that already returns unit vectors (ArcFace's `l2_norm`, MoCo's
 * `F.normalize`) gives the official value up to rounding.
 *
 * @param g graph builder
 * @param prediction ŷ [B, C, H, W]
 * @param target y, the same shape (in the coach, features of y are computed without gradient)
 * @param extractor the feature network
 * @returns scalar []
 * @throws {TypeError} when the shapes differ or the extractor returns something other than [B, F]
 * @example
 * ```ts
 * import { GraphBuilder } from "../graph/builder.ts";
 * import { type FeatureExtractor, identityLoss } from "./identity.ts";
 * const meanColour: FeatureExtractor = (g, x) => g.reduceMean(x, [2, 3], false); // [B, 3]
 * const g = new GraphBuilder("id");
 * const loss = identityLoss(g, g.input("y_hat", [2, 3, 8, 8]), g.input("y", [2, 3, 8, 8]), meanColour);
 * console.log(loss.shape); // []
 * ```
 */
export function identityLoss(
  g: GraphBuilder,
  prediction: Tensor,
  target: Tensor,
  extractor: FeatureExtractor,
): Tensor {
  assertSameShape(prediction, target, "Identity loss");
  const unit = (images: Tensor) => {
    const f = extractor(g, images); // [B, F]
    if (f.rank !== 2 || f.shape[0] !== images.shape[0]) {
      throw new TypeError(
        `Identity loss: the feature extractor returned ${formatShape(f.shape)} for ${
          formatShape(images.shape)
        }, expected [${images.shape[0]}, F]`,
      );
    }
    const norm = g.sqrt(g.add(g.reduceSum(g.mul(f, f), [1]), g.scalar(1e-24))); // [B, 1]
    return g.div(f, norm); // [B, F]
  };
  const cosine = g.reduceSum(g.mul(unit(prediction), unit(target)), [1], false); // [B]
  return g.reduceMean(g.sub(g.scalar(1), cosine), [0], false); // []
}
