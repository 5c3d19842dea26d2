/**
 * 8-bit convolution as graph operations, for the opt-in int8 inference mode: the input is quantized per image
 * to uint8 over its own range (ONNX DynamicQuantizeLinear, 0 exact), unfolded (im2col) in uint8, channels last,
 * by one Gather of pixel rows (the padding reads a row of zero points),
 * and multiplied by the weight quantized per output channel to int8 (symmetric, scale max|w|/127) with ONNX
 * MatMulInteger; the int32 result times the two scales is the float32 output.
 *
 * Why this form: on this project's CPU (AVX-512 VNNI) ONNX Runtime's uint8 × int8 MatMulInteger runs a
 * 512→512 3×3 convolution at 64² ≈ 3× faster than its float32 Conv (measured 33 vs 109 ms), while its
 * ConvInteger is slow with int8 weights (378 ms) and QLinearConv needs the output's scale before the run.
 * Error: about 0.45 % relative RMS per convolution on random data (8-bit input and weights).
 *
 * Each image of a batch is quantized on its own, so an image's result does not depend on its batch mates.
 * On CPUs without VNNI, ONNX Runtime's uint8 × int8 kernels can saturate 16-bit pair sums; the mode is an
 * opt-in measured on this project's machine.
 *
 * @module
 */

import type { GraphBuilder } from "./builder.ts";
import type { Tensor } from "./tensor.ts";

/** A convolution weight quantized for {@linkcode int8Conv}. */
export interface QuantizedConvWeight {
  /** int8 [kh·kw·C, O], row (i·kw + j)·C + c: the unfolded, channels-last weight, w / scale rounded. */
  readonly weight: Tensor;
  /** float32 [O]: each output channel's scale. */
  readonly scale: Tensor;
  /** The float weight's shape [O, C, kh, kw]. */
  readonly shape: readonly number[];
}

/** Options of {@linkcode int8Conv}: the Conv attributes it supports (group 1, dilation 1). */
export interface Int8ConvOptions {
  /** Strides [h, w] (default [1, 1]). */
  strides?: readonly number[];
  /** Zero padding [top, left, bottom, right] (default none). */
  pads?: readonly number[];
}

/**
 * Quantizes a float32 convolution weight on the host for {@linkcode int8Conv}: per output channel,
 * scale = max|w| / 127 (1 for an all-zero channel), q = round(w / scale), laid out [kh·kw·C, O].
 *
 * @param data the weight, row-major [O, C, kh, kw]
 * @param shape [O, C, kh, kw]
 * @returns int8 values [kh·kw·C, O] and float32 scales [O]
 * @example
 * ```ts
 * import { quantizeConvWeight } from "./int8_conv.ts";
 * const { weight, scale } = quantizeConvWeight(new Float32Array([0.5, -1, 0.25, 0]), [1, 4, 1, 1]);
 * console.log([...weight], scale[0].toFixed(5)); // [64, -127, 32, 0] "0.00787"
 * ```
 */
export function quantizeConvWeight(
  data: Float32Array,
  shape: readonly number[],
): { weight: Int8Array; scale: Float32Array } {
  const [o, c, kh, kw] = shape;
  const taps = kh * kw;
  if (data.length !== o * c * taps) {
    throw new RangeError(
      `weight has ${data.length} values, but shape [${shape.join(", ")}] needs ${o * c * taps}`,
    );
  }
  const weight = new Int8Array(taps * c * o);
  const scale = new Float32Array(o);
  for (let out = 0; out < o; out++) {
    const base = out * c * taps;
    let max = 0;
    for (let k = 0; k < c * taps; k++) {
      const v = data[base + k];
      if (!Number.isFinite(v)) {
        throw new RangeError(`weight value ${v} at output channel ${out} is not finite`);
      }
      max = Math.max(max, Math.abs(v));
    }
    const s = max > 0 ? max / 127 : 1;
    scale[out] = s;
    for (let ch = 0; ch < c; ch++) {
      for (let t = 0; t < taps; t++) {
        weight[(t * c + ch) * o + out] = Math.round(data[base + ch * taps + t] / s);
      }
    }
  }
  return { weight, scale };
}

/**
 * A 2-D convolution (group 1, no dilation) in 8 bits: per-image uint8 input, per-channel int8 weight, float32
 * output equal to the float convolution up to the quantization error.
 *
 * @param g graph builder
 * @param x float32 input [N, C, H, W]
 * @param w the quantized weight (e.g. parameters fed with {@linkcode quantizeConvWeight})
 * @param options strides and pads
 * @returns float32 [N, O, H', W']
 * @example
 * ```ts
 * import { GraphBuilder } from "./builder.ts";
 * import { int8Conv } from "./int8_conv.ts";
 * const g = new GraphBuilder("int8_conv");
 * const x = g.input("x", [2, 16, 8, 8]); // [N, C, H, W]
 * const weight = g.parameter("w.int8", [9 * 16, 32], "int8"); // [kh·kw·C, O]
 * const scale = g.parameter("w.int8_scale", [32]);
 * const y = int8Conv(g, x, { weight, scale, shape: [32, 16, 3, 3] }, { strides: [2, 2], pads: [1, 1, 1, 1] });
 * console.log(y.shape); // [2, 32, 4, 4]
 * ```
 */
export function int8Conv(
  g: GraphBuilder,
  x: Tensor,
  w: QuantizedConvWeight,
  options: Int8ConvOptions = {},
): Tensor {
  const [n, c, h, wi] = x.shape;
  const [o, cw, kh, kw] = w.shape;
  if (x.rank !== 4 || c !== cw) {
    throw new TypeError(
      `int8Conv: input ${JSON.stringify(x.shape)} does not fit weight [${w.shape.join(", ")}]`,
    );
  }
  if (w.weight.dtype !== "int8" || w.weight.shape[0] !== kh * kw * c || w.weight.shape[1] !== o) {
    throw new TypeError(`int8Conv: the quantized weight must be int8 [${kh * kw * c}, ${o}]`);
  }
  const [sh, sw] = options.strides ?? [1, 1];
  const [pt, pl, pb, pr] = options.pads ?? [0, 0, 0, 0];
  const oh = Math.floor((h + pt + pb - kh) / sh) + 1, ow = Math.floor((wi + pl + pr - kw) / sw) + 1;
  const k = kh * kw * c;
  // The unfolding as one Gather of channels-last rows: row (y·W + x) of the image, or row H·W, a row of zero
  // points (0 is exact in the uint8 code), where a tap falls into the padding. Constant indices per shape.
  const identity = kh === 1 && kw === 1 && sh === 1 && sw === 1 && !(pt || pl || pb || pr);
  const indices = identity ? undefined : g.constant(unfoldIndices(h, wi, kh, kw, sh, sw, pt, pl, oh, ow), [
    oh * ow * kh * kw,
  ], "int8_unfold");
  const images: Tensor[] = [];
  for (let i = 0; i < n; i++) {
    const image = n > 1 ? g.slice(x, [0], [i], [i + 1]) : x; // [1, C, H, W]
    const [q, xScale, zeroPoint] = g.dynamicQuantizeLinear(image);
    const rows = g.reshape(g.transpose(q, [0, 2, 3, 1]), [h * wi, c]); // [H·W, C] uint8
    let columns = rows; // [OH·OW, kh·kw·C] uint8
    if (indices) {
      const zeroRow = g.expand(g.reshape(zeroPoint, [1, 1]), [1, c]); // [1, C]
      columns = g.reshape(g.gather(g.concat([rows, zeroRow], 0), indices, 0), [oh * ow, k]);
    }
    const product = g.cast(g.matMulInteger(columns, w.weight, zeroPoint), "float32"); // [OH·OW, O]
    images.push(g.reshape(g.mul(product, g.mul(xScale, w.scale)), [1, oh, ow, o])); // [1, OH, OW, O]
  }
  return g.transpose(g.concat(images, 0), [0, 3, 1, 2]); // [N, O, OH, OW]
}

/** For output pixel (y, x) and tap (a, b), in that order: the input row, or H·W (the zero row) in the padding. */
function unfoldIndices(
  h: number,
  w: number,
  kh: number,
  kw: number,
  sh: number,
  sw: number,
  pt: number,
  pl: number,
  oh: number,
  ow: number,
): Int32Array {
  const indices = new Int32Array(oh * ow * kh * kw);
  let i = 0;
  for (let y = 0; y < oh; y++) {
    for (let x = 0; x < ow; x++) {
      for (let a = 0; a < kh; a++) {
        for (let b = 0; b < kw; b++) {
          const iy = y * sh - pt + a, ix = x * sw - pl + b;
          indices[i++] = iy >= 0 && iy < h && ix >= 0 && ix < w ? iy * w + ix : h * w;
        }
      }
    }
  }
  return indices;
}
