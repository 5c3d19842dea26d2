/**
 * face-api's recognition net (`FaceRecognitionNet`, a port of dlib's ResNet face descriptor) as a graph module, so
 * that identity similarity can be an identity *loss* (losses/identity.ts's `FeatureExtractor`) run by ONNX Runtime
 * and differentiated by graph/autodiff.ts: every op it uses (Conv, AveragePool, ReduceMax, Slice, Pad, Resize,
 * MatMul, …) has a gradient rule.
 *
 * It reproduces face-api's forward on an FFHQ-aligned image: the fixed face box of `face_crop.ts` (rounded as
 * `cropFace` does), zero padding to a square (centred, as face-api's `padToSquare`), bilinear resize to 150² (tfjs
 * `resizeBilinear` without corner alignment = ONNX "asymmetric"), `(x − mean RGB) / 255`, then the ResNet: conv
 * 7×7/2 → max-pool 3×3/2 → residual stages of 32, 64, 128, 256 channels whose down blocks add an average-pooled
 * shortcut zero-padded in channels → spatial mean → fully connected 256 → 128. Parameter names are face-api's
 * weight names with `.` for `/` (`conv32_down.conv.filters`, …, `fc`), stored OIHW by
 * {@linkcode readFaceRecognitionWeights}.
 *
 * @module
 */

import type { GraphBuilder } from "../graph/builder.ts";
import type { Tensor } from "../graph/tensor.ts";
import type { FeatureExtractor } from "../losses/identity.ts";
import { faceApiModelFolder } from "../deps.ts";
import { FFHQ_FACE_BOX } from "./face_crop.ts";

const MEAN_RGB = [122.782, 117.001, 104.298];
const INPUT_SIZE = 150;

/** [name, input channels, output channels, kernel] of every conv layer, in forward order. */
function convLayers(): [string, number, number, number][] {
  const layers: [string, number, number, number][] = [["conv32_down", 3, 32, 7]];
  const block = (name: string, cin: number, cout: number) => {
    layers.push([`${name}.conv1`, cin, cout, 3], [`${name}.conv2`, cout, cout, 3]);
  };
  for (const k of [1, 2, 3]) block(`conv32_${k}`, 32, 32);
  block("conv64_down", 32, 64);
  for (const k of [1, 2, 3]) block(`conv64_${k}`, 64, 64);
  block("conv128_down", 64, 128);
  for (const k of [1, 2]) block(`conv128_${k}`, 128, 128);
  block("conv256_down", 128, 256);
  for (const k of [1, 2]) block(`conv256_${k}`, 256, 256);
  block("conv256_down_out", 256, 256);
  return layers;
}

/** conv (+ bias) → face-api's per-channel `scale` layer → optional ReLU; `down`: stride 2, no padding. */
function convLayer(g: GraphBuilder, x: Tensor, name: string, down: boolean, relu: boolean): Tensor {
  const layer = convLayers().find((l) => l[0] === name)!;
  const [, cin, cout, k] = layer;
  return g.scope(name, () => {
    const w = g.parameter("conv.filters", [cout, cin, k, k]);
    const pad = down ? 0 : (k - 1) / 2; // tfjs "same" at stride 1 is symmetric for odd kernels
    let y = g.conv(x, w, { strides: [down ? 2 : 1, down ? 2 : 1], pads: [pad, pad, pad, pad] }); // [B, O, H', W']
    y = g.add(y, g.reshape(g.parameter("conv.bias", [cout]), [1, cout, 1, 1]));
    y = g.mul(y, g.reshape(g.parameter("scale.weights", [cout]), [1, cout, 1, 1]));
    y = g.add(y, g.reshape(g.parameter("scale.biases", [cout]), [1, cout, 1, 1]));
    return relu ? g.relu(y) : y;
  });
}

function residual(g: GraphBuilder, x: Tensor, name: string): Tensor {
  const out = convLayer(g, convLayer(g, x, `${name}.conv1`, false, true), `${name}.conv2`, false, false);
  return g.relu(g.add(out, x));
}

function residualDown(g: GraphBuilder, x: Tensor, name: string): Tensor {
  let out = convLayer(g, convLayer(g, x, `${name}.conv1`, true, true), `${name}.conv2`, false, false);
  let pooled = g.node("AveragePool", [x], { kernel_shape: [2, 2], strides: [2, 2], pads: [0, 0, 0, 0] })[0];
  const [, c, h, w] = out.shape;
  if (pooled.shape[2] !== h || pooled.shape[3] !== w) {
    // face-api appends one zero row and one zero column to the conv branch when the pool is one larger.
    out = g.pad(out, [0, 0, 0, 0, 0, 0, pooled.shape[2] - h, pooled.shape[3] - w]);
  }
  if (pooled.shape[1] !== c) pooled = g.pad(pooled, [0, 0, 0, 0, 0, c - pooled.shape[1], 0, 0]);
  return g.relu(g.add(pooled, out));
}

/** Max-pool 3×3, stride 2, no padding: the maximum of nine strided slices. */
function maxPool3x3(g: GraphBuilder, x: Tensor): Tensor {
  const [b, c, h, w] = x.shape;
  const oh = Math.floor((h - 3) / 2) + 1, ow = Math.floor((w - 3) / 2) + 1;
  const taps: Tensor[] = [];
  for (let dy = 0; dy < 3; dy++) {
    for (let dx = 0; dx < 3; dx++) {
      const tap = g.slice(x, [2, 3], [dy, dx], [dy + 2 * (oh - 1) + 1, dx + 2 * (ow - 1) + 1], [2, 2]);
      taps.push(g.reshape(tap, [b, c, 1, oh, ow]));
    }
  }
  return g.node("ReduceMax", [g.concat(taps, 2)], { axes: [2], keepdims: 0 })[0]; // [B, C, oh, ow]
}

/**
 * The face-api recognition net as a feature extractor of aligned faces in [−1, 1].
 *
 * @returns the extractor: images [B, 3, H, W] (FFHQ-aligned, any size ≥ 64) → descriptors [B, 128]
 * @example
 * ```ts
 * import { GraphBuilder } from "../graph/builder.ts";
 * import { faceRecognitionExtractor } from "./recognition_graph.ts";
 * const g = new GraphBuilder("identity");
 * const features = g.scope("facenet", () => faceRecognitionExtractor()(g, g.input("x", [2, 3, 256, 256])));
 * console.log(features.shape); // [2, 128]
 * ```
 */
export function faceRecognitionExtractor(): FeatureExtractor {
  return (g: GraphBuilder, images: Tensor): Tensor => {
    const [batch, channels, height, width] = images.shape;
    if (images.rank !== 4 || channels !== 3 || height < 64 || width < 64) {
      throw new TypeError(
        `The face recognition net needs RGB images [B, 3, ≥64, ≥64], got [${images.shape}]`,
      );
    }
    // cropFace's rounding of the fixed FFHQ box.
    const left = Math.max(0, Math.round(FFHQ_FACE_BOX.x * width));
    const top = Math.max(0, Math.round(FFHQ_FACE_BOX.y * height));
    const right = Math.min(width, Math.round(FFHQ_FACE_BOX.x * width + FFHQ_FACE_BOX.width * width));
    const bottom = Math.min(height, Math.round(FFHQ_FACE_BOX.y * height + FFHQ_FACE_BOX.height * height));
    let x = g.slice(images, [2, 3], [top, left], [bottom, right]); // [B, 3, h, w]
    x = g.mul(g.add(x, g.scalar(1)), g.scalar(127.5)); // [−1, 1] → [0, 255]
    const h = bottom - top, w = right - left;
    if (h !== w) {
      const diff = Math.abs(h - w), after = Math.round(diff * 0.5), before = diff - after;
      x = h > w
        ? g.pad(x, [0, 0, 0, before, 0, 0, 0, after]) // [B, 3, h, h]
        : g.pad(x, [0, 0, before, 0, 0, 0, after, 0]); // [B, 3, w, w]
    }
    x = g.resize(x, [INPUT_SIZE, INPUT_SIZE], { coordinates: "asymmetric" }); // [B, 3, 150, 150]
    const mean = g.constant(Float32Array.from(MEAN_RGB), [1, 3, 1, 1], "face_mean_rgb");
    x = g.div(g.sub(x, mean), g.scalar(255));
    x = convLayer(g, x, "conv32_down", true, true); // [B, 32, 72, 72]
    x = maxPool3x3(g, x); // [B, 32, 35, 35]
    for (const k of [1, 2, 3]) x = residual(g, x, `conv32_${k}`);
    x = residualDown(g, x, "conv64_down"); // [B, 64, 17, 17]
    for (const k of [1, 2, 3]) x = residual(g, x, `conv64_${k}`);
    x = residualDown(g, x, "conv128_down"); // [B, 128, 8, 8]
    for (const k of [1, 2]) x = residual(g, x, `conv128_${k}`);
    x = residualDown(g, x, "conv256_down"); // [B, 256, 4, 4]
    for (const k of [1, 2]) x = residual(g, x, `conv256_${k}`);
    x = residualDown(g, x, "conv256_down_out"); // [B, 256, 2, 2]
    const pooled = g.reshape(g.reduceMean(x, [2, 3], false), [batch, 256]); // [B, 256]
    return g.matMul(pooled, g.parameter("fc", [256, 128])); // [B, 128]
  };
}

/**
 * face-api's recognition weights (uint8-quantised as shipped: value = min + scale · q) under the extractor's
 * parameter names, filters transposed from tfjs HWIO to OIHW.
 *
 * @param options `scope`: prefix of the names (e.g. "facenet" when the extractor is built in that scope)
 * @returns name → data and shape
 * @example
 * ```ts
 * import { readFaceRecognitionWeights } from "./recognition_graph.ts";
 * const weights = await readFaceRecognitionWeights();
 * console.log(weights.get("conv32_down.conv.filters")!.shape); // [32, 3, 7, 7]
 * ```
 */
export async function readFaceRecognitionWeights(
  options: { scope?: string } = {},
): Promise<Map<string, { data: Float32Array; shape: number[] }>> {
  const folder = faceApiModelFolder();
  const manifest = JSON.parse(
    await Deno.readTextFile(new URL("face_recognition_model-weights_manifest.json", folder)),
  ) as {
    paths: string[];
    weights: {
      name: string;
      shape: number[];
      dtype: string;
      quantization?: { dtype: string; scale: number; min: number };
    }[];
  }[];
  const out = new Map<string, { data: Float32Array; shape: number[] }>();
  const prefix = options.scope ? `${options.scope}.` : "";
  for (const group of manifest) {
    const shards = await Promise.all(group.paths.map((p) => Deno.readFile(new URL(p, folder))));
    const bytes = new Uint8Array(shards.reduce((n, s) => n + s.length, 0));
    let at = 0;
    for (const s of shards) {
      bytes.set(s, at);
      at += s.length;
    }
    let offset = 0;
    for (const spec of group.weights) {
      const count = spec.shape.reduce((a, b) => a * b, 1);
      let values: Float32Array;
      if (spec.quantization) {
        if (spec.quantization.dtype !== "uint8") {
          throw new TypeError(`Unsupported quantisation ${spec.quantization.dtype} of ${spec.name}`);
        }
        const { scale, min } = spec.quantization;
        values = Float32Array.from(bytes.subarray(offset, offset + count), (q) => min + scale * q);
        offset += count;
      } else {
        values = new Float32Array(bytes.slice(offset, offset + count * 4).buffer);
        offset += count * 4;
      }
      let shape = spec.shape;
      if (shape.length === 4) { // HWIO → OIHW
        const [kh, kw, ci, co] = shape;
        const oihw = new Float32Array(count);
        for (let y = 0; y < kh; y++) {
          for (let x = 0; x < kw; x++) {
            for (let i = 0; i < ci; i++) {
              for (let o = 0; o < co; o++) {
                oihw[((o * ci + i) * kh + y) * kw + x] = values[((y * kw + x) * ci + i) * co + o];
              }
            }
          }
        }
        values = oihw;
        shape = [co, ci, kh, kw];
      }
      out.set(prefix + spec.name.replaceAll("/", "."), { data: values, shape });
    }
  }
  return out;
}
