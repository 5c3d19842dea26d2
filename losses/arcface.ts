/**
 * The ArcFace IR-SE50 feature extractor of pSp's and HyperInverter's identity loss (`criteria/id_loss.py`,
 * `models/encoders/model_irse.py` `Backbone(112, 50, "ir_se")`): crop `[35:223, 32:220]` of a 256² face,
 * AdaptiveAvgPool2d to 112², the IR-SE50 body (our encoders' backbone), then `output_layer` = BatchNorm2d(512) →
 * Dropout (eval: identity) → Flatten → Linear(512·7·7 → 512) → BatchNorm1d(512), and `l2_norm`.
 *
 * The trained weights (`model_ir_se50.pth`) are not available on this project's machines; a user imports them with
 * `deno task import`. Parameter names follow the official state dict (`input_layer.*`, `body.N.*`,
 * `output_layer.{0,3,4}.*`) in the scope the caller chooses.
 *
 * @module
 */

import type { GraphBuilder } from "../graph/builder.ts";
import { formatShape, type Tensor } from "../graph/tensor.ts";
import { buildBackbone } from "../encoders/backbone.ts";
import { batchNorm2d } from "../encoders/batch_norm.ts";
import { resolveEncoderConfig } from "../encoders/config.ts";
import type { FeatureExtractor } from "./identity.ts";

/**
 * torch AdaptiveAvgPool1d as a [out, in] averaging matrix: output i averages inputs [⌊i·in/out⌋, ⌈(i+1)·in/out⌉).
 *
 * @param input input length
 * @param output output length
 * @returns row-major [output, input] values
 * @example
 * ```ts
 * import { adaptiveAverageMatrix } from "./arcface.ts";
 * console.log(adaptiveAverageMatrix(4, 2)); // Float32Array [0.5, 0.5, 0, 0, 0, 0, 0.5, 0.5]
 * ```
 */
export function adaptiveAverageMatrix(input: number, output: number): Float32Array {
  const m = new Float32Array(output * input);
  for (let i = 0; i < output; i++) {
    const start = Math.floor((i * input) / output);
    const end = Math.ceil(((i + 1) * input) / output);
    for (let j = start; j < end; j++) m[i * input + j] = 1 / (end - start);
  }
  return m;
}

/**
 * AdaptiveAvgPool2d to size×size for any input size, exactly, as two matrix products (differentiable).
 *
 * @param g graph builder
 * @param x [B, C, H, W]
 * @param size output side
 * @returns [B, C, size, size]
 */
export function adaptiveAveragePool(g: GraphBuilder, x: Tensor, size: number): Tensor {
  const [, , h, w] = x.shape;
  if (h === size && w === size) return x;
  const rows = g.constant(adaptiveAverageMatrix(h, size), [size, h], "adaptive_pool_rows"); // [S, H]
  const columns = g.constant(adaptiveAverageMatrix(w, size), [size, w], "adaptive_pool_columns"); // [S, W]
  const pooledColumns = g.matMul(x, g.transpose(columns, [1, 0])); // [B, C, H, S]
  return g.matMul(rows, pooledColumns); // [B, C, S, S]
}

/**
 * The ArcFace extractor: [B, 3, 256, 256] faces in [−1, 1] → unit-norm identity features [B, 512].
 *
 * @param options `crop` (default true): the official 188² crop of a 256² aligned face
 * @returns a feature extractor for {@linkcode identityLoss}
 * @example
 * ```ts
 * import { GraphBuilder } from "../graph/builder.ts";
 * import { arcFaceExtractor } from "./arcface.ts";
 * const g = new GraphBuilder("arcface");
 * const features = g.scope("facenet", () => arcFaceExtractor()(g, g.input("x", [1, 3, 256, 256])));
 * console.log(features.shape); // [1, 512]
 * ```
 */
export function arcFaceExtractor(options: { crop?: boolean } = {}): FeatureExtractor {
  // Only the backbone is used; the FPN fields just have to describe a valid plan at 112² (one style on p1 = 28²).
  const config = resolveEncoderConfig({
    preset: "ffhq1024",
    inputSize: 112,
    nStyles: 1,
    coarseIndex: 0,
    middleIndex: 0,
    featureSize: 7,
  });
  return (g, images) => {
    const [batch, channels, h, w] = images.shape;
    if (images.rank !== 4 || channels !== 3) {
      throw new TypeError(`ArcFace expects [B, 3, H, W] images, got ${formatShape(images.shape)}`);
    }
    let x = images;
    if (options.crop ?? true) {
      if (h !== 256 || w !== 256) throw new TypeError(`ArcFace's crop expects 256² faces, got ${h}×${w}`);
      x = g.slice(x, [2, 3], [35, 32], [223, 220]); // [B, 3, 188, 188]
    }
    x = adaptiveAveragePool(g, x, 112); // [B, 3, 112, 112]
    const { units } = buildBackbone(g, config, x);
    let f = units[units.length - 1]; // [B, 512, 7, 7]
    f = g.scope("output_layer", () => {
      let y = g.scope("0", () => batchNorm2d(g, f)); // [B, 512, 7, 7]
      y = g.reshape(y, [batch, 512 * 7 * 7]); // Dropout (eval) + Flatten
      y = g.scope("3", () => {
        const weight = g.parameter("weight", [512, 512 * 7 * 7]);
        const bias = g.parameter("bias", [512]);
        return g.add(g.matMul(y, g.transpose(weight, [1, 0])), bias); // [B, 512]
      });
      const bn = g.scope("4", () => batchNorm2d(g, g.reshape(y, [batch, 512, 1, 1]))); // BatchNorm1d
      return g.reshape(bn, [batch, 512]);
    });
    const norm = g.sqrt(g.reduceSum(g.mul(f, f), [1])); // l2_norm: f / ‖f‖ (no eps, as the official)
    return g.div(f, norm); // [B, 512]
  };
}
