/**
 * The only place where external packages are named. Every specifier is pinned so that a module imported by
 * URL resolves to the same code on every machine, with no import map of ours.
 *
 * @module
 */

// onnxruntime-node: CPU provider bundled; WebGPU (Dawn) bundled; CUDA/TensorRT need their provider libraries.
export * as ort from "npm:onnxruntime-node@1.30.0";
// ndarray: shaped, strided views over typed arrays (the CPU-side view type users handle).
export { default as ndarray } from "npm:ndarray@1.0.19";
export type { NdArray } from "npm:@types/ndarray@1.0.14";

type Sharp = typeof import("npm:sharp@0.34.5");
/** sharp (native image codec) is loaded on first use, so modules that never touch images do not need it. */
export async function loadSharp(): Promise<Sharp> {
  // deno-lint-ignore no-import-prefix -- modules are imported by URL, so no import map: deps.ts pins npm: here.
  const module = await import("npm:sharp@0.34.5");
  return ((module as { default?: Sharp }).default ?? module) as Sharp;
}

/** Where onnxruntime-node's entry file lies (its native libraries are under `../bin/napi-v6/<os>/<arch>/`). */
export const ORT_PACKAGE_ENTRY: string = import.meta.resolve("npm:onnxruntime-node@1.30.0");
