/**
 * The state of a regressor stack (hypernet/regressor_stack.ts) and the stacked form of the hypernet's
 * `conv2d`: while a stack is open on a graph, the regressors' inputs lie one after another on the batch axis
 * ([R·B, C, H, W]) and each `conv2d` declares one weight and bias per regressor, under that regressor's own
 * scopes, and runs them as one batched MatMul (im2col by a constant 0/1 matrix; ONNX Runtime's grouped Conv
 * was slower). Every other layer of the built-in fusions and of the feature extractor acts on each sample
 * alone, so it needs no stacked form.
 *
 * @module
 */

import type { GraphBuilder } from "../graph/builder.ts";
import type { Tensor } from "../graph/tensor.ts";
import { convOutputSize } from "../graph/ops.ts";
import { ZERO_INIT } from "./init.ts";

/** An open stack: the regressors' scopes, in order, and the scopes around the stack's own. */
interface OpenStack {
  /** One scope per regressor, e.g. `weight_regressors.b8_conv0_weight`. */
  readonly scopes: readonly string[];
  /** The scopes open when the stack began (its own scope follows them). */
  readonly base: readonly string[];
}

/** The scope the stacked layers' nodes are named under (their parameters keep each regressor's scope). */
export const STACK_SCOPE = "weight_regressors.stacked";

const open = new WeakMap<GraphBuilder, OpenStack>();

/**
 * Runs `build` with a regressor stack open on `g`, under {@linkcode STACK_SCOPE}.
 *
 * @param g graph builder
 * @param scopes one scope per regressor, in order
 * @param build adds the stacked layers
 * @returns what `build` returns
 * @throws {Error} when a stack is already open on `g`
 */
export function withStack<T>(g: GraphBuilder, scopes: readonly string[], build: () => T): T {
  if (open.has(g)) throw new Error("A regressor stack is already open on this graph");
  open.set(g, { scopes: [...scopes], base: g.scopePath() });
  try {
    return g.scope(STACK_SCOPE, build);
  } finally {
    open.delete(g);
  }
}

/**
 * The stacked `conv2d`, or undefined when no stack is open on `g`. Parameters `<name>.weight` [O, I, k, k] and
 * `<name>.bias` [O] are declared per regressor (under its scope and the scopes opened inside the stack, e.g.
 * `weight_regressors.b8_conv0_weight.fusion.0.weight`); the inputs are unfolded by a product with a constant 0/1
 * matrix and multiplied by the R kernels, concatenated in the graph, in one batched MatMul.
 *
 * @param g graph builder
 * @param x the regressors' inputs [R·B, I, H, W]
 * @param name module name relative to the current scope
 * @param options output channels, kernel, stride, padding
 * @returns [R·B, O, H', W'], or undefined without an open stack
 */
export function stackedConv2d(
  g: GraphBuilder,
  x: Tensor,
  name: string,
  options: { outChannels: number; kernel: number; stride?: number; pad?: number },
): Tensor | undefined {
  const stack = open.get(g);
  if (!stack) return undefined;
  const inside = g.scopePath().slice(stack.base.length + 1);
  const regressors = stack.scopes.length;
  const { outChannels, kernel } = options;
  const inChannels = x.shape[1];
  const weights: Tensor[] = [];
  const biases: Tensor[] = [];
  for (const scope of stack.scopes) {
    g.withScopePath([...stack.base, scope, ...inside], () => {
      weights.push(g.parameter(`${name}.weight`, [outChannels, inChannels, kernel, kernel])); // [O, I, k, k]
      biases.push(g.parameter(`${name}.bias`, [outChannels], "float32", { init: ZERO_INIT })); // [O]
    });
  }
  const stride = options.stride ?? 1;
  const pad = options.pad ?? 0;
  const [stacked, , height, width] = x.shape;
  const batch = stacked / regressors;
  const [outHeight, outWidth] = [height, width].map((d) => convOutputSize(d, kernel, stride, pad, pad, 1));
  const taps = kernel * kernel;
  let columns = g.reshape(x, [regressors, batch, inChannels, height * width]); // [R, B, I, H·W]
  if (taps > 1 || stride > 1 || pad > 0) {
    // im2col as a product with a constant 0/1 matrix (the maps are small: 4×4 or 8×8).
    const unfold = g.constant(unfoldMatrix([height, width], [outHeight, outWidth], kernel, stride, pad), [
      height * width,
      taps * outHeight * outWidth,
    ], "unfold");
    columns = g.reshape(g.matMul(columns, unfold), [
      regressors,
      batch,
      inChannels * taps,
      outHeight * outWidth,
    ]);
  } // [R, B, I·k², H'·W']
  const kernels = g.reshape(g.concat(weights, 0), [regressors, 1, outChannels, inChannels * taps]); // [R, 1, O, I·k²]
  const bias = g.reshape(g.concat(biases, 0), [regressors, 1, outChannels, 1]); // [R, 1, O, 1]
  const y = g.add(g.matMul(kernels, columns), bias); // [R, B, O, H'·W']
  return g.reshape(y, [regressors * batch, outChannels, outHeight, outWidth]); // [R·B, O, H', W']
}

/**
 * The im2col matrix of a square-kernel conv from an H×W map to H'×W': [H·W, k²·H'·W'], 1 where input position p is the
 * value kernel tap t sees at output position q (column t·H'·W' + q); zero padding is a column without a 1.
 */
function unfoldMatrix(
  [height, width]: readonly number[],
  [outHeight, outWidth]: readonly number[],
  kernel: number,
  stride: number,
  pad: number,
): Float32Array {
  const columns = kernel * kernel * outHeight * outWidth;
  const matrix = new Float32Array(height * width * columns);
  for (let i = 0; i < kernel; i++) {
    for (let j = 0; j < kernel; j++) {
      for (let oy = 0; oy < outHeight; oy++) {
        for (let ox = 0; ox < outWidth; ox++) {
          const [y, x] = [oy * stride + i - pad, ox * stride + j - pad];
          if (y < 0 || y >= height || x < 0 || x >= width) continue;
          const column = ((i * kernel + j) * outHeight + oy) * outWidth + ox;
          matrix[(y * width + x) * columns + column] = 1;
        }
      }
    }
  }
  return matrix;
}
