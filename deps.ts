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

// The notebook site (site/, routes/, islands/, components/): Hono serves pages that Preact renders on the server;
// islands are bundled for the browser with preact and uPlot (site/bundle.ts stubs the native packages above).
export { Hono } from "npm:hono@4.13.19";
export type { Context as HonoContext } from "npm:hono@4.13.19";
export { Fragment, h, hydrate } from "npm:preact@10.29.8";
export type { ComponentChildren, FunctionComponent, JSX, VNode } from "npm:preact@10.29.8";
export { useEffect, useMemo, useRef, useState } from "npm:preact@10.29.8/hooks";
export { renderToString } from "npm:preact-render-to-string@6.6.7";
export { default as uPlot } from "npm:uplot@1.6.32";

type Playwright = typeof import("npm:playwright-core@1.65.1");
/** playwright-core (drives a system Chromium in the site's browser tests), loaded on first use. */
export async function loadPlaywright(): Promise<Playwright> {
  // deno-lint-ignore no-import-prefix -- modules are imported by URL, so no import map: deps.ts pins npm: here.
  return await import("npm:playwright-core@1.65.1") as Playwright;
}

// Faces (faces/): face-api's models (detector, 68 landmarks, recognition, age) on the tfjs it bundles; the tfjs WASM
// backend's .wasm files (no native code) come from tfjs-backend-wasm. Both loaded on first use.
const FACE_API = "npm:@vladmandic/face-api@1.7.15/dist/face-api.esm.js";
/** face-api's ES module (tfjs 4.22 bundled), loaded on first use; faces/_face_api.ts types and sets it up. */
export async function loadFaceApiModule(): Promise<unknown> {
  // deno-lint-ignore no-import-prefix -- modules are imported by URL, so no import map: deps.ts pins npm: here.
  return await import("npm:@vladmandic/face-api@1.7.15/dist/face-api.esm.js");
}
/** The folder of face-api's weight manifests and shards (`model/`), as a file URL ending in `/`. */
export function faceApiModelFolder(): string {
  return new URL("../model/", import.meta.resolve(FACE_API)).href;
}
/** The folder of tfjs-backend-wasm's `.wasm` files (4.22.0, the version face-api bundles), as a URL ending in `/`. */
export async function tfjsWasmFolder(): Promise<string> {
  // deno-lint-ignore no-import-prefix -- see above; importing the manifest puts the package in the module graph.
  await import("npm:@tensorflow/tfjs-backend-wasm@4.22.0/package.json", { with: { type: "json" } });
  return new URL("./", import.meta.resolve("npm:@tensorflow/tfjs-backend-wasm@4.22.0")).href;
}
