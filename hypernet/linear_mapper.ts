/**
 * The regressor's linear mapper, "two small matrices" after Ha et al. (spec §4, hypernetwork.py L59-65):
 * `a = v·w1 + b1` [B, I·D] → `A` [B, I, D] → `K = A·w2 + b2` [B, I, O·k²] → ΔW [B, O, I, k, k] by a plain
 * **row-major reshape** (`ΔW[o,i,p,q] = K_flat[((o·I+i)·k+p)·k+q]`), never a transpose: the checkpoints were
 * trained with that reinterpretation of memory.
 *
 * The parameters are declared separately from their use so that a regressor can declare them first, as the
 * official `state_dict()` lists `w1, b1, w2, b2` before `fusion.*` and `feature_extractor.*`.
 *
 * @module
 */

import { ZERO_INIT } from "./init.ts";
import type { GraphBuilder } from "../graph/builder.ts";
import { formatShape, type Tensor } from "../graph/tensor.ts";

/** The parameters of one linear mapper and the residual shape they produce. */
export interface LinearMapper {
  /** [D, I·D] */
  readonly w1: Tensor;
  /** [I·D] */
  readonly b1: Tensor;
  /** [D, O·k²] */
  readonly w2: Tensor;
  /** [O·k²] */
  readonly b2: Tensor;
  /** Shape of one sample's residual: [O, I, k, k], or [O, I] for a 2-D target (then k = 1). */
  readonly targetShape: readonly number[];
  /** O, I, k as the official code reads them from the target shape (hypernetwork.py L84-88). */
  readonly dims: { readonly outChannels: number; readonly inChannels: number; readonly kernel: number };
}

/**
 * O, I and k of a target shape as `Hypernetwork.__init__` reads them: [O, I, k, k] for a conv weight, and
 * [O, I] with k = 1 for a 2-D tensor (an affine weight [I_layer, 512] gives O = I_layer, I = 512).
 *
 * @param targetShape [O, I, k, k] or [O, I]
 * @returns `{ outChannels, inChannels, kernel }`
 * @throws {TypeError} for any other rank, a non-square kernel, or a non-positive dimension
 *
 * @example
 * ```ts
 * import { mapperDims } from "./linear_mapper.ts";
 * console.log(mapperDims([3, 512, 1, 1]), mapperDims([512, 512])); // { outChannels: 3, inChannels: 512, kernel: 1 } { outChannels: 512, inChannels: 512, kernel: 1 }
 * ```
 */
export function mapperDims(
  targetShape: readonly number[],
): { outChannels: number; inChannels: number; kernel: number } {
  const valid = (targetShape.length === 4 && targetShape[2] === targetShape[3]) || targetShape.length === 2;
  if (!valid || targetShape.some((d) => !Number.isInteger(d) || d < 1)) {
    throw new TypeError(
      `A hypernet target must have shape [O, I, k, k] or [O, I] with positive sizes, got ${
        formatShape(targetShape)
      }`,
    );
  }
  const [outChannels, inChannels] = targetShape;
  return { outChannels, inChannels, kernel: targetShape.length === 4 ? targetShape[2] : 1 };
}

/**
 * Declares `w1` [D, I·D], `b1` [I·D], `w2` [D, O·k²] and `b2` [O·k²] in the current scope.
 *
 * @param g graph builder
 * @param targetShape [O, I, k, k] or [O, I]
 * @param hiddenDim D
 * @returns the declared mapper
 *
 * @example
 * ```ts
 * import { GraphBuilder } from "../graph/builder.ts";
 * import { declareLinearMapper } from "./linear_mapper.ts";
 * const g = new GraphBuilder("mapper");
 * const mapper = declareLinearMapper(g, [64, 32, 3, 3], 16);
 * console.log(mapper.w1.shape, mapper.w2.shape); // [16, 512] [16, 576]
 * ```
 */
export function declareLinearMapper(
  g: GraphBuilder,
  targetShape: readonly number[],
  hiddenDim: number,
): LinearMapper {
  const dims = mapperDims(targetShape);
  const { outChannels, inChannels, kernel } = dims;
  const columns = outChannels * kernel * kernel;
  return {
    w1: g.parameter("w1", [hiddenDim, inChannels * hiddenDim]), // [D, I·D]
    b1: g.parameter("b1", [inChannels * hiddenDim], "float32", { init: ZERO_INIT }), // [I·D]
    w2: g.parameter("w2", [hiddenDim, columns]), // [D, O·k²]
    b2: g.parameter("b2", [columns], "float32", { init: ZERO_INIT }), // [O·k²]
    targetShape: Object.freeze([...targetShape]),
    dims: Object.freeze(dims),
  };
}

/**
 * Maps codes to residuals with a declared mapper.
 *
 * @param g graph builder
 * @param mapper from {@linkcode declareLinearMapper}
 * @param code v [B, D]
 * @returns ΔW [B, ...targetShape] ([B, O, I, k, k] or [B, O, I])
 * @throws {TypeError} when the code is not [B, D]
 *
 * @example
 * ```ts
 * import { GraphBuilder } from "../graph/builder.ts";
 * import { applyLinearMapper, declareLinearMapper } from "./linear_mapper.ts";
 * const g = new GraphBuilder("mapper");
 * const mapper = declareLinearMapper(g, [3, 64, 1, 1], 16);
 * console.log(applyLinearMapper(g, mapper, g.input("v", [2, 16])).shape); // [2, 3, 64, 1, 1]
 * ```
 */
export function applyLinearMapper(g: GraphBuilder, mapper: LinearMapper, code: Tensor): Tensor {
  const hiddenDim = mapper.w1.shape[0];
  if (code.rank !== 2 || code.shape[1] !== hiddenDim) {
    throw new TypeError(`The mapper code must be [B, ${hiddenDim}], got ${formatShape(code.shape)}`);
  }
  const batch = code.shape[0];
  const { inChannels } = mapper.dims;
  const a = g.add(g.matMul(code, mapper.w1), mapper.b1); // [B, I·D]
  // Rows of all images as one 2-D product: ONNX Runtime fuses MatMul + Add into one Gemm that writes the
  // result directly (a 3-D MatMul gets reshapes around its Gemm, and the one after it copies ΔW: ≈ 35 ms per
  // church-256 inversion).
  const rows = g.reshape(a, [batch * inChannels, hiddenDim]); // [B·I, D]
  const k = g.add(g.matMul(rows, mapper.w2), mapper.b2); // [B·I, O·k²]
  return g.reshape(k, [batch, ...mapper.targetShape]); // [B, O, I, k, k]: row-major reinterpretation, no permute
}
