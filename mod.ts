/**
 * HyperInverter for Deno: StyleGAN2 inversion with hypernetworks (Dinh et al., CVPR 2022), built as graph
 * modules that are written as ONNX and run with ONNX Runtime.
 *
 * The pipeline, by folder: `graph/` (IR → ONNX) → `runtime/` (ONNX Runtime) → `io/` (weights, fixtures) →
 * `generator/` (StyleGAN2) → `encoders/`, `hypernet/` (phase I and II) → `losses/`, `editing/`.
 *
 * @example
 * ```ts
 * import { FFHQ_1024, layerRegistry } from "./mod.ts";
 * const conv = layerRegistry(FFHQ_1024).find((layer) => layer.name === "b8.conv0")!;
 * console.log(conv.styleIndex, conv.featureSlot); // 1 2
 * ```
 *
 * @module
 */
export * from "./graph/mod.ts";
export * from "./runtime/mod.ts";
export * from "./io/mod.ts";
export * from "./generator/mod.ts";
export * from "./encoders/mod.ts";
export * from "./hypernet/mod.ts";
export * from "./model/mod.ts";
export * from "./losses/mod.ts";
export * from "./editing/mod.ts";
