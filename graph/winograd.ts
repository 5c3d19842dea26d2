/**
 * Winograd F(4×4, 3×3) convolution as graph operations (Lavin & Gray 2016, "Fast Algorithms for Convolutional
 * Neural Networks", §4): a 3×3 stride-1 convolution over 6×6 input tiles that overlap by 2 becomes 36
 * independent matrix products of [O, C] × [C, tiles], 4× fewer multiplies than the direct convolution, plus
 * cheap transforms of the input tiles (Bᵀ d B), the weights (G g Gᵀ) and the output tiles (Aᵀ m A).
 *
 * Everything is built from Pad, Slice, Concat, MatMul, Reshape and Transpose, so it runs on any provider and
 * ONNX Runtime folds the weight transform into a constant when the weights are baked in.
 *
 * @module
 */

import type { GraphBuilder } from "./builder.ts";
import type { Tensor } from "./tensor.ts";

/** Interpolation points 0, ±1, ±2, ∞: the input transform Bᵀ [6, 6] (ξ, i). */
const BT = [
  [4, 0, -5, 0, 1, 0],
  [0, -4, -4, 1, 1, 0],
  [0, 4, -4, -1, 1, 0],
  [0, -2, -1, 2, 1, 0],
  [0, 2, -1, -2, 1, 0],
  [0, 4, 0, -5, 0, 1],
];
/** The weight transform G [6, 3] (ξ, tap). */
const G = [
  [1 / 4, 0, 0],
  [-1 / 6, -1 / 6, -1 / 6],
  [-1 / 6, 1 / 6, -1 / 6],
  [1 / 24, 1 / 12, 1 / 6],
  [1 / 24, -1 / 12, 1 / 6],
  [0, 0, 1],
];
/** The output transform Aᵀ [4, 6] (p, ξ). */
const AT = [
  [1, 1, 1, 1, 1, 0],
  [0, 1, -1, 2, -2, 0],
  [0, 1, 1, 4, 4, 0],
  [0, 1, -1, 8, -8, 1],
];

/** Output tile side m and input tile side m + r − 1 of F(4×4, 3×3). */
const TILE = 4;
const ALPHA = 6;

/** Options of {@linkcode winogradConv3x3}. */
export interface WinogradConvOptions {
  /** Zero padding of each side (default 1: "same" output size). */
  pads?: number;
  /** Groups: channels split into `group` independent convolutions (default 1). */
  group?: number;
  /**
   * The weight already transformed, U [36, O, C/G] (e.g. a parameter fed with {@linkcode winogradWeight} of
   * the weight); then `w` gives only the shape and is not read.
   */
  transformedWeight?: Tensor;
}

/**
 * Whether {@linkcode winogradConv3x3} can replace a convolution: 3×3 kernel, stride 1, no dilation, one
 * padding on all sides.
 *
 * @param weightShape [O, C/group, kh, kw]
 * @param options strides, dilations and pads as the Conv node has them
 * @returns true when the convolution qualifies
 * @example
 * ```ts
 * import { winogradApplies } from "./winograd.ts";
 * console.log(winogradApplies([8, 4, 3, 3], { strides: [1, 1], pads: [1, 1, 1, 1] })); // true
 * console.log(winogradApplies([8, 4, 3, 3], { strides: [2, 2], pads: [1, 1, 1, 1] })); // false
 * ```
 */
export function winogradApplies(
  weightShape: readonly number[],
  options: { strides?: readonly number[]; dilations?: readonly number[]; pads?: readonly number[] },
): boolean {
  const pads = options.pads ?? [0, 0, 0, 0];
  return weightShape.length === 4 && weightShape[2] === 3 && weightShape[3] === 3 &&
    (options.strides ?? [1, 1]).every((s) => s === 1) &&
    (options.dilations ?? [1, 1]).every((d) => d === 1) &&
    pads.every((p) => p === pads[0]) && pads[0] <= 2;
}

function constantMatrix(g: GraphBuilder, rows: readonly (readonly number[])[], name: string): Tensor {
  return g.constant(new Float32Array(rows.flat()), [rows.length, rows[0].length], name);
}

/** K [9, 36]: K[(a, b), (ν, ξ)] = G[ξ, a] · G[ν, b], a the kernel row and b the column (U = w K). */
function weightTransformMatrix(): number[][] {
  const kron: number[][] = [];
  for (let a = 0; a < 3; a++) {
    for (let b = 0; b < 3; b++) {
      const row: number[] = [];
      for (let nu = 0; nu < ALPHA; nu++) for (let xi = 0; xi < ALPHA; xi++) row.push(G[xi][a] * G[nu][b]);
      kron.push(row);
    }
  }
  return kron;
}

/**
 * The Winograd-domain weights of a 3×3 weight, computed on the host (in float64, then rounded): what
 * {@linkcode winogradConv3x3} computes in the graph, for a weight fed as `transformedWeight` instead, so that
 * a fixed weight is transformed once rather than on every run, without baking it into the session.
 *
 * @param weight [O, C/G, 3, 3] row-major
 * @param shape its shape
 * @returns U [36, O, C/G] row-major
 * @throws {TypeError} when the shape is not [O, C/G, 3, 3] or does not match the data
 * @example
 * ```ts
 * import { winogradWeight } from "./winograd.ts";
 * const u = winogradWeight(new Float32Array(9).fill(1), [1, 1, 3, 3]);
 * console.log(u.length, u[0]); // 36 0.0625
 * ```
 */
export function winogradWeight(weight: Float32Array, shape: readonly number[]): Float32Array {
  if (shape.length !== 4 || shape[2] !== 3 || shape[3] !== 3 || weight.length !== shape[0] * shape[1] * 9) {
    throw new TypeError(
      `A Winograd weight needs a [O, C, 3, 3] weight, got [${shape}] with ${weight.length} values`,
    );
  }
  const blocks = shape[0] * shape[1];
  const kron = weightTransformMatrix();
  const out = new Float32Array(ALPHA * ALPHA * blocks);
  for (let block = 0; block < blocks; block++) {
    for (let k = 0; k < ALPHA * ALPHA; k++) {
      let sum = 0;
      for (let tap = 0; tap < 9; tap++) sum += weight[block * 9 + tap] * kron[tap][k];
      out[k * blocks + block] = sum;
    }
  }
  return out;
}

/**
 * The Winograd-domain weights U [36, G, O/G, C/G] of a 3×3 weight [O, C/G, 3, 3]: U[ν·6+ξ] = (G w Gᵀ)[ξ, ν].
 * A constant when the weight is (ONNX Runtime folds it once per session).
 */
function transformWeight(g: GraphBuilder, w: Tensor, group: number): Tensor {
  const [outChannels, groupChannels] = w.shape;
  const kron = weightTransformMatrix();
  // Transposing the 9 taps first and multiplying from the left writes [36, O·Cg] directly: a transpose of a
  // quarter of the size (church-256 synthesis: 2 × 12 → 2 × 3 ms per pass for the 512-channel weights).
  const taps = g.transpose(g.reshape(w, [outChannels * groupChannels, 9]), [1, 0]); // [9, O·Cg]
  const kronT = kron[0].map((_, k) => kron.map((row) => row[k])); // [36][9]
  const leading = g.matMul(constantMatrix(g, kronT, "winograd_G"), taps); // [36, O·Cg]
  return g.reshape(leading, [ALPHA * ALPHA, group, outChannels / group, groupChannels]); // [36, G, Og, Cg]
}

/**
 * A 3×3 stride-1 convolution by Winograd F(4×4, 3×3): the same result as
 * `g.conv(x, w, { pads, group })` up to float rounding (the transforms' constants are not all powers of two,
 * so expect relative differences of about 1e-6 rather than exact equality).
 *
 * @param g the graph
 * @param x input [N, C, H, W]
 * @param w weight [O, C/group, 3, 3] (a parameter, a constant or computed, e.g. a modulated weight)
 * @param options pads (default 1) and group (default 1)
 * @returns [N, O, H + 2·pads − 2, W + 2·pads − 2]
 * @throws {TypeError} when the weight is not [O, C/group, 3, 3] or the channels do not split into the groups
 * @example
 * ```ts
 * import { GraphBuilder } from "./builder.ts";
 * import { GraphSession } from "../runtime/session.ts";
 * import { winogradConv3x3 } from "./winograd.ts";
 * const g = new GraphBuilder("winograd");
 * const x = g.input("x", [1, 1, 4, 4]); // [N, C, H, W]
 * const w = g.constant(new Float32Array(9).fill(1), [1, 1, 3, 3]); // a 3×3 box sum
 * g.output(winogradConv3x3(g, x, w), "y");
 * const session = await GraphSession.create(g);
 * const { y } = (await session.run({ x: new Float32Array(16).fill(1) })).outputs;
 * console.log(Array.from(y.data.slice(0, 4) as Float32Array, Math.round)); // [4, 6, 6, 4]
 * ```
 */
export function winogradConv3x3(
  g: GraphBuilder,
  x: Tensor,
  w: Tensor,
  options: WinogradConvOptions = {},
): Tensor {
  const pads = options.pads ?? 1;
  const group = options.group ?? 1;
  const [batch, channels, height, width] = x.shape;
  const [outChannels, groupChannels, kh, kw] = w.shape;
  if (x.rank !== 4 || w.rank !== 4 || kh !== 3 || kw !== 3) {
    throw new TypeError(`Winograd convolution needs x [N, C, H, W] and w [O, C/G, 3, 3], got w ${w.shape}`);
  }
  if (channels !== groupChannels * group || outChannels % group !== 0) {
    throw new TypeError(
      `Winograd convolution: ${channels} input channels do not fit weight "${w.name}" [${w.shape}] in ${group} group(s)`,
    );
  }
  const outHeight = height + 2 * pads - 2;
  const outWidth = width + 2 * pads - 2;
  const tilesY = Math.ceil(outHeight / TILE);
  const tilesX = Math.ceil(outWidth / TILE);
  const tiles = tilesY * tilesX;
  // Pad so that the tiles cover the output: 4·tiles + 2 rows and columns.
  const padded = g.pad(x, [
    0,
    0,
    pads,
    pads,
    0,
    0,
    TILE * tilesY + 2 - height - pads,
    TILE * tilesX + 2 - width - pads,
  ]); // [N, C, 4Ty+2, 4Tx+2]
  // Input tiles: Bᵀ d B of every 6×6 window at stride 4, as a convolution of each channel with 36 fixed
  // kernels (the channels ride in the batch axis, so one small GEMM per channel does it).
  const inputKernels: number[] = [];
  for (let nu = 0; nu < ALPHA; nu++) {
    for (let xi = 0; xi < ALPHA; xi++) {
      for (let i = 0; i < ALPHA; i++) {
        for (let j = 0; j < ALPHA; j++) inputKernels.push(BT[xi][i] * BT[nu][j]);
      }
    }
  }
  const perChannel = g.reshape(padded, [batch * channels, 1, padded.shape[2], padded.shape[3]]);
  const windows = g.conv(
    perChannel,
    g.constant(new Float32Array(inputKernels), [ALPHA * ALPHA, 1, ALPHA, ALPHA], "winograd_B"),
    { strides: [TILE, TILE] },
  ); // [N·C, 36, Ty, Tx]
  const v = g.transpose(
    g.reshape(windows, [batch, group, groupChannels, ALPHA * ALPHA, tiles]),
    [3, 0, 1, 2, 4],
  ); // [36, N, G, Cg, T]
  const transformed = options.transformedWeight;
  if (transformed && (transformed.rank !== 3 || transformed.size !== ALPHA * ALPHA * w.size / 9)) {
    throw new TypeError(
      `Transformed weight "${transformed.name}" [${transformed.shape}] does not fit weight "${w.name}" [${w.shape}]`,
    );
  }
  const u = g.reshape(transformed ?? transformWeight(g, w, group), [
    ALPHA * ALPHA,
    1,
    group,
    outChannels / group,
    groupChannels,
  ]); // [36, 1, G, Og, Cg]
  const m = g.matMul(u, v); // [36, N, G, Og, T]
  // Output tiles: Aᵀ m A as a transposed convolution with 36 fixed 4×4 kernels at stride 4 (no overlap).
  const outputKernels: number[] = [];
  for (let nu = 0; nu < ALPHA; nu++) {
    for (let xi = 0; xi < ALPHA; xi++) {
      for (let p = 0; p < TILE; p++) for (let q = 0; q < TILE; q++) outputKernels.push(AT[p][xi] * AT[q][nu]);
    }
  }
  const perOutput = g.reshape(
    g.transpose(g.reshape(m, [ALPHA * ALPHA, batch * outChannels, tiles]), [1, 0, 2]),
    [batch * outChannels, ALPHA * ALPHA, tilesY, tilesX],
  ); // [N·O, 36, Ty, Tx]
  const assembled = g.convTranspose(
    perOutput,
    g.constant(new Float32Array(outputKernels), [ALPHA * ALPHA, 1, TILE, TILE], "winograd_A"),
    { strides: [TILE, TILE] },
  ); // [N·O, 1, 4Ty, 4Tx]
  const image = g.reshape(assembled, [batch, outChannels, TILE * tilesY, TILE * tilesX]); // [N, O, 4Ty, 4Tx]
  return outHeight === TILE * tilesY && outWidth === TILE * tilesX
    ? image
    : g.slice(image, [2, 3], [0, 0], [outHeight, outWidth]); // [N, O, H', W']
}
