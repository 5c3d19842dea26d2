/**
 * StyleGAN2-ADA's `Discriminator` (resnet architecture, `models/stylegan2_ada.py`, spec §5), the network the
 * HyperInverter coach fine-tunes for its adversarial loss. Parameter names are the official state dict's
 * (`b64.fromrgb.weight`, `b64.conv0.bias`, `b4.fc.weight`, …), stored raw: the equalized-learning-rate gains
 * 1/√(I·k²) (convolutions) and 1/√in (fully connected) are applied at run time. The `resample_filter`
 * buffers of the state dict are the fixed [1,3,3,1] FIR and are built in as constants.
 *
 * Block `b{R}` (R = resolution … 8), with x the features and `img` the image:
 * ```
 * x    = fromrgb(img)                      (top block only; 1×1, lrelu)
 * skip = skip(x)·√0.5                      (FIR down 2, then 1×1, no bias, linear)
 * x    = conv0(x)                          (3×3, lrelu)
 * x    = conv1(x)·√0.5                     (FIR pad 2, then 3×3 stride 2, lrelu·√2·√0.5)
 * x    = skip + x
 * ```
 * Epilogue `b4`: minibatch stddev (one channel appended last), conv 3×3 lrelu, fc lrelu, out linear → [B, 1].
 *
 * @module
 */

import { GraphBuilder } from "../graph/builder.ts";
import { formatShape, type Tensor } from "../graph/tensor.ts";
import { resampleFilter } from "./fir.ts";
import { equalizedLinear } from "./linear.ts";

/** Configuration of {@linkcode buildDiscriminator}: ADA's `Discriminator.__init__` arguments that matter here. */
export interface DiscriminatorConfig {
  /** Input resolution R (a power of two ≥ 8). */
  resolution: number;
  /** Image channels. ADA default 3. */
  imgChannels: number;
  /** Channels at resolution r are min(channelBase / r, channelMax). ADA default 32768. */
  channelBase: number;
  /** Upper bound on channels. ADA default 512. */
  channelMax: number;
  /** Minibatch-stddev group size; null = the whole batch. ADA default 4 (capped at the batch size). */
  mbstdGroupSize: number | null;
  /** Minibatch-stddev channels F. ADA default 1. */
  mbstdChannels: number;
}

/** ADA's defaults (the converter's output for a TF StyleGAN2 config-f D), without the resolution. */
export const DISCRIMINATOR_DEFAULTS: Omit<DiscriminatorConfig, "resolution"> = Object.freeze({
  imgChannels: 3,
  channelBase: 32768,
  channelMax: 512,
  mbstdGroupSize: 4,
  mbstdChannels: 1,
});

/**
 * A configuration from the `init_kwargs` of an ADA pkl's `D` (or a fixture manifest). Only what this module
 * implements is accepted: `architecture: "resnet"`, `c_dim: 0`, no fp16 layers, no clamp, lrelu, [1,3,3,1].
 *
 * @param kwargs the `init_kwargs` record
 * @returns the configuration
 * @throws {RangeError} for a setting this module does not implement
 * @example
 * ```ts
 * import { discriminatorConfigFromInitKwargs } from "./discriminator.ts";
 * const config = discriminatorConfigFromInitKwargs({ img_resolution: 64, channel_base: 1024, channel_max: 64 });
 * console.log(config.mbstdGroupSize, config.channelBase); // 4 1024
 * ```
 */
export function discriminatorConfigFromInitKwargs(kwargs: Record<string, unknown>): DiscriminatorConfig {
  const get = <T>(key: string, fallback: T): T => (kwargs[key] ?? fallback) as T;
  const epilogue = get<Record<string, unknown>>("epilogue_kwargs", {});
  const block = get<Record<string, unknown>>("block_kwargs", {});
  const unsupported: string[] = [];
  if (get("architecture", "resnet") !== "resnet") unsupported.push(`architecture ${kwargs.architecture}`);
  if (get("c_dim", 0) !== 0) unsupported.push(`c_dim ${kwargs.c_dim} (conditional D)`);
  // num_fp16_res only changes precision in ADA; this graph runs in float32 throughout.
  if (get("conv_clamp", null) !== null) unsupported.push(`conv_clamp ${kwargs.conv_clamp}`);
  if ((block.activation ?? "lrelu") !== "lrelu") unsupported.push(`activation ${block.activation}`);
  const filter = block.resample_filter as number[] | undefined;
  if (filter && filter.join(",") !== "1,3,3,1") unsupported.push(`resample_filter [${filter}]`);
  if (unsupported.length) {
    throw new RangeError(`Unsupported discriminator setting: ${unsupported.join(", ")}`);
  }
  const groupSize = epilogue.mbstd_group_size === undefined ? 4 : epilogue.mbstd_group_size as number | null;
  return resolveDiscriminatorConfig({
    resolution: kwargs.img_resolution as number,
    imgChannels: get("img_channels", 3),
    channelBase: get("channel_base", DISCRIMINATOR_DEFAULTS.channelBase),
    channelMax: get("channel_max", DISCRIMINATOR_DEFAULTS.channelMax),
    mbstdGroupSize: groupSize,
    mbstdChannels: (epilogue.mbstd_num_channels ?? 1) as number,
  });
}

/**
 * Fills in defaults and checks a configuration.
 *
 * @param partial the resolution and any overrides
 * @returns the full configuration
 * @throws {RangeError} when the resolution is not a power of two ≥ 8 or a count is not a positive integer
 * @example
 * ```ts
 * import { resolveDiscriminatorConfig } from "./discriminator.ts";
 * console.log(resolveDiscriminatorConfig({ resolution: 1024 }).channelMax); // 512
 * ```
 */
export function resolveDiscriminatorConfig(
  partial: Partial<DiscriminatorConfig> & { resolution: number },
): DiscriminatorConfig {
  const config = { ...DISCRIMINATOR_DEFAULTS, ...partial };
  const r = config.resolution;
  if (!Number.isInteger(r) || r < 8 || (r & (r - 1)) !== 0) {
    throw new RangeError(`Discriminator resolution must be a power of two ≥ 8, got ${r}`);
  }
  for (const key of ["imgChannels", "channelBase", "channelMax", "mbstdChannels"] as const) {
    if (!Number.isInteger(config[key]) || config[key] < 1) {
      throw new RangeError(`Discriminator ${key} must be a positive integer, got ${config[key]}`);
    }
  }
  const g = config.mbstdGroupSize;
  if (g !== null && (!Number.isInteger(g) || g < 1)) {
    throw new RangeError(`Discriminator mbstdGroupSize must be a positive integer or null, got ${g}`);
  }
  return config;
}

/**
 * Channels at each resolution, ADA's `channels_dict`: min(channelBase / r, channelMax) for r = R … 4.
 *
 * @param config the configuration
 * @returns channels by resolution
 * @example
 * ```ts
 * import { discriminatorChannels, resolveDiscriminatorConfig } from "./discriminator.ts";
 * const config = resolveDiscriminatorConfig({ resolution: 64, channelBase: 1024, channelMax: 64 });
 * console.log([...discriminatorChannels(config)]); // [[64, 16], [32, 32], [16, 64], [8, 64], [4, 64]]
 * ```
 */
export function discriminatorChannels(config: DiscriminatorConfig): Map<number, number> {
  const channels = new Map<number, number>();
  for (let r = config.resolution; r >= 4; r /= 2) {
    channels.set(r, Math.min(Math.floor(config.channelBase / r), config.channelMax));
  }
  return channels;
}

// ---------------------------------------------------------------- layers

/** The [1,3,3,1]⊗[1,3,3,1]/64 FIR as a depthwise convolution (ADA `upfirdn2d` with up 1, gain 1). */
function fir(g: GraphBuilder, x: Tensor, pad: number, stride: number): Tensor {
  const channels = x.shape[1];
  const weights = new Float32Array(channels * 16);
  const f = resampleFilter(1);
  for (let c = 0; c < channels; c++) weights.set(f, c * 16);
  const filter = g.constant(weights, [channels, 1, 4, 4], "resample_filter"); // [C, 1, 4, 4]
  return g.conv(x, filter, { pads: pad, strides: [stride, stride], group: channels });
}

interface ConvLayerOptions {
  outChannels: number;
  kernelSize: number;
  /** Default true. */
  bias?: boolean;
  activation: "linear" | "lrelu";
  /** 2 for the stride-2 layers (conv1, skip). Default 1. */
  down?: 1 | 2;
  /** Extra run-time gain (√0.5 on the resnet branches). Default 1. */
  gain?: number;
}

/**
 * ADA's `Conv2dLayer` (parameters `weight` [O, I, k, k] and `bias` [O] in the current scope), with
 * `conv2d_resample` for down = 2: a 1×1 kernel filters first (FIR pad 1, stride 2), a larger one is filtered
 * with pad k//2 + 1 and then convolved with stride 2 and no padding. Then `bias_act`: (x + b), lrelu(0.2),
 * times √2·gain (lrelu) or gain (linear).
 */
function convLayer(g: GraphBuilder, x: Tensor, options: ConvLayerOptions): Tensor {
  const { outChannels, kernelSize: k } = options;
  const inChannels = x.shape[1];
  const weight = g.parameter("weight", [outChannels, inChannels, k, k]); // [O, I, k, k]
  const w = g.scale(weight, 1 / Math.sqrt(inChannels * k * k)); // [O, I, k, k]
  let y: Tensor;
  if (options.down === 2) {
    // conv2d_resample: px0 = p + (4 − 2 + 1)//2, px1 = p + (4 − 2)//2, both p + 1 with p = k//2.
    const pad = (k >> 1) + 1;
    y = k === 1
      ? g.conv(fir(g, x, pad, 2), w) // [B, O, H/2, W/2]
      : g.conv(fir(g, x, pad, 1), w, { strides: [2, 2] }); // [B, I, H+1, W+1] → [B, O, H/2, W/2]
  } else {
    y = g.conv(x, w, { pads: k >> 1 }); // [B, O, H, W]
  }
  if (options.bias ?? true) {
    const bias = g.parameter("bias", [outChannels]); // [O]
    y = g.add(y, g.reshape(bias, [1, outChannels, 1, 1]));
  }
  const gain = options.gain ?? 1;
  if (options.activation === "linear") return g.scale(y, gain);
  return g.scale(g.leakyRelu(y, 0.2), Math.SQRT2 * gain);
}

/**
 * ADA's `MinibatchStdLayer`: the batch is split into G interleaved groups (`x.reshape(G, −1, F, c, H, W)`,
 * so samples n and n + N/G share a group), the population standard deviation (+1e-8 under the root) over
 * each group is averaged over channels and pixels, and appended as the last F channels.
 *
 * @param g graph builder
 * @param x features [N, C, H, W]
 * @param groupSize G before capping at N; null = N
 * @param channels F (must divide C)
 * @returns `{ x: [N, C + F, H, W], value: [N, F] }`
 * @throws {RangeError} when G does not divide N or F does not divide C
 */
export function minibatchStd(
  g: GraphBuilder,
  x: Tensor,
  groupSize: number | null,
  channels: number,
): { x: Tensor; value: Tensor } {
  const [n, c, h, w] = x.shape;
  const groups = groupSize === null ? n : Math.min(groupSize, n);
  if (n % groups !== 0) {
    throw new RangeError(`Minibatch-stddev group size ${groups} does not divide the batch ${n}`);
  }
  if (c % channels !== 0) {
    throw new RangeError(`Minibatch-stddev channels ${channels} do not divide the ${c} feature channels`);
  }
  const m = n / groups;
  const y = g.reshape(x, [groups, m, channels, c / channels, h, w]); // [G, n, F, c, H, W]
  const centred = g.sub(y, g.reduceMean(y, [0])); // [G, n, F, c, H, W]
  const variance = g.reduceMean(g.mul(centred, centred), [0]); // [1, n, F, c, H, W]
  const std = g.sqrt(g.add(variance, g.scalar(1e-8))); // [1, n, F, c, H, W]
  const perGroup = g.reduceMean(std, [3, 4, 5]); // [1, n, F, 1, 1, 1]
  const value = g.reshape(g.expand(perGroup, [groups, m, channels, 1, 1, 1]), [n, channels]); // [N, F]
  const map = g.expand(g.reshape(value, [n, channels, 1, 1]), [n, channels, h, w]); // [N, F, H, W]
  return { x: g.concat([x, map], 1), value }; // [N, C + F, H, W]
}

// ---------------------------------------------------------------- network

/** Options of {@linkcode buildDiscriminator}. */
export interface BuildDiscriminatorOptions {
  /** Overrides the configuration's minibatch-stddev group size (the fixture's `D_real_mbstd_group2`). */
  mbstdGroupSize?: number | null;
  /** Called with each block's output x: `b64` → [B, C, 32, 32], …, `b8` → [B, C, 4, 4]. */
  onBlock?: (name: string, x: Tensor) => void;
  /** Called with the minibatch-stddev value [B, F]. */
  onMbstd?: (value: Tensor) => void;
}

/**
 * Adds the discriminator with its parameters under the current scope (`b64.conv0.weight`, …, `b4.out.bias`).
 *
 * @param g graph builder
 * @param img images [B, imgChannels, R, R], in [−1, 1]
 * @param config the configuration
 * @param options group-size override, intermediate callbacks
 * @returns logits [B, 1]
 * @throws {TypeError} when the image shape does not fit the configuration
 * @example
 * ```ts
 * import { GraphBuilder } from "../graph/builder.ts";
 * import { buildDiscriminator, resolveDiscriminatorConfig } from "./discriminator.ts";
 * const config = resolveDiscriminatorConfig({ resolution: 16, channelBase: 256, channelMax: 32 });
 * const g = new GraphBuilder("D");
 * const logits = buildDiscriminator(g, g.input("img", [4, 3, 16, 16]), config);
 * console.log(logits.shape, g.parameters.length); // [4, 1] 18
 * ```
 */
export function buildDiscriminator(
  g: GraphBuilder,
  img: Tensor,
  config: DiscriminatorConfig,
  options: BuildDiscriminatorOptions = {},
): Tensor {
  const r = config.resolution;
  const expected = [img.shape[0], config.imgChannels, r, r];
  if (img.rank !== 4 || img.shape.some((d, i) => d !== expected[i])) {
    throw new TypeError(
      `Discriminator input "${img.name}" has shape ${
        formatShape(img.shape)
      }, expected [B, ${config.imgChannels}, ${r}, ${r}]`,
    );
  }
  const channels = discriminatorChannels(config);
  let x: Tensor | undefined;
  for (let res = r; res > 4; res /= 2) {
    const tmpChannels = channels.get(res)!;
    const outChannels = channels.get(res / 2)!;
    x = g.scope(`b${res}`, () => {
      const input = x ?? g.scope(
        "fromrgb",
        () => convLayer(g, img, { outChannels: tmpChannels, kernelSize: 1, activation: "lrelu" }),
      ); // [B, tmp, res, res]
      const skip = g.scope("skip", () =>
        convLayer(g, input, {
          outChannels,
          kernelSize: 1,
          bias: false,
          activation: "linear",
          down: 2,
          gain: Math.SQRT1_2,
        })); // [B, out, res/2, res/2]
      let y = g.scope(
        "conv0",
        () => convLayer(g, input, { outChannels: tmpChannels, kernelSize: 3, activation: "lrelu" }),
      ); // [B, tmp, res, res]
      y = g.scope("conv1", () =>
        convLayer(g, y, {
          outChannels,
          kernelSize: 3,
          activation: "lrelu",
          down: 2,
          gain: Math.SQRT1_2,
        })); // [B, out, res/2, res/2]
      return g.add(skip, y); // [B, out, res/2, res/2]
    });
    options.onBlock?.(`b${res}`, x);
  }
  const c4 = channels.get(4)!;
  return g.scope("b4", () => {
    const groupSize = options.mbstdGroupSize === undefined ? config.mbstdGroupSize : options.mbstdGroupSize;
    const mbstd = minibatchStd(g, x!, groupSize, config.mbstdChannels); // [B, C + F, 4, 4]
    options.onMbstd?.(mbstd.value);
    const y = g.scope(
      "conv",
      () => convLayer(g, mbstd.x, { outChannels: c4, kernelSize: 3, activation: "lrelu" }),
    ); // [B, C, 4, 4]
    const flat = g.reshape(y, [y.shape[0], c4 * 16]); // [B, C·16]
    const hidden = g.scope("fc", () => equalizedLinear(g, flat, { outFeatures: c4, activation: "lrelu" })); // [B, C]
    return g.scope("out", () => equalizedLinear(g, hidden, { outFeatures: 1 })); // [B, 1]
  });
}

/** Options of {@linkcode discriminatorGraph}. */
export interface DiscriminatorGraphOptions extends Pick<BuildDiscriminatorOptions, "mbstdGroupSize"> {
  /** Batch size B (static). Default 4. */
  batch?: number;
  /** Also output `block.b{R}` (each block's x) and `mbstd_value` [B, F]. */
  exposeIntermediates?: boolean;
}

/**
 * The discriminator graph: input `img` [B, C, R, R], output `logits` [B, 1], parameters named as the ADA
 * state dict.
 *
 * @param config the configuration
 * @param options batch, group-size override, intermediates
 * @returns the graph
 * @example
 * ```ts
 * import { discriminatorGraph, resolveDiscriminatorConfig } from "./discriminator.ts";
 * const config = resolveDiscriminatorConfig({ resolution: 64, channelBase: 1024, channelMax: 64 });
 * const g = discriminatorGraph(config, { batch: 4 });
 * console.log(g.parameters.map((p) => p.name).slice(0, 3)); // ["b64.fromrgb.weight", "b64.fromrgb.bias", "b64.skip.weight"]
 * ```
 */
export function discriminatorGraph(
  config: DiscriminatorConfig,
  options: DiscriminatorGraphOptions = {},
): GraphBuilder {
  const batch = options.batch ?? 4;
  if (!Number.isInteger(batch) || batch < 1) {
    throw new RangeError(`Batch must be a positive integer, got ${batch}`);
  }
  const g = new GraphBuilder(`discriminator${config.resolution}`);
  const img = g.input("img", [batch, config.imgChannels, config.resolution, config.resolution]);
  const exposed: [string, Tensor][] = [];
  const logits = buildDiscriminator(g, img, config, {
    mbstdGroupSize: options.mbstdGroupSize,
    onBlock: options.exposeIntermediates ? (name, x) => exposed.push([`block.${name}`, x]) : undefined,
    onMbstd: options.exposeIntermediates ? (value) => exposed.push(["mbstd_value", value]) : undefined,
  });
  g.output(logits, "logits");
  for (const [name, t] of exposed) g.output(t, name);
  return g;
}
