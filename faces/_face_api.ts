/**
 * Private: face-api (`@vladmandic/face-api`, MIT) set up for Deno. Its ES bundle carries tfjs 4.22; in Deno it would
 * pick tfjs's Node platform (which needs `require("util")`, stubbed out in the bundle) and face-api's Node
 * environment (which needs a canvas package). So `process` is hidden while the bundle is evaluated and the WASM
 * backend starts, tfjs gets a small platform of Web APIs (fetch, TextEncoder), and face-api an environment whose
 * DOM classes exist only so that `instanceof` checks fail: every input we pass is a tensor.
 *
 * The weights are face-api's own (`model/*.bin`, uint8-quantised as shipped), read from the npm package
 * folder; nothing is downloaded at run time.
 *
 * @module
 */

import { faceApiModelFolder, loadFaceApiModule, tfjsWasmFolder } from "../deps.ts";

/** A tfjs tensor, as far as we use it. */
export interface TfTensor {
  shape: number[];
  data(): Promise<Float32Array | Int32Array | Uint8Array>;
  dispose(): void;
}

/** The tfjs API we use. */
export interface Tf {
  tensor3d(values: Uint8Array | Int32Array | Float32Array, shape: number[], dtype?: string): TfTensor;
  tensor4d(values: Float32Array, shape: number[], dtype?: string): TfTensor;
  setBackend(name: string): Promise<boolean>;
  ready(): Promise<void>;
  getBackend(): string;
  setPlatform(name: string, platform: unknown): void;
  env(): { set(flag: string, value: unknown): void; platformName?: string };
  io: { decodeWeights(buffer: ArrayBuffer, specs: unknown[]): Record<string, unknown> };
  setWasmPaths(prefix: string, usePlatformFetch?: boolean): void;
  engine(): { registryFactory: Record<string, unknown> };
  tidy<T>(fn: () => T): T;
}

/** face-api's point and box records. */
export interface FaceApiPoint {
  x: number;
  y: number;
}
/** One detection with landmarks. */
export interface FaceApiResult {
  detection: { score: number; box: { x: number; y: number; width: number; height: number } };
  landmarks: { positions: FaceApiPoint[] };
}
interface Net {
  isLoaded: boolean;
  loadFromWeightMap(map: Record<string, unknown>): void;
}
interface DetectTask extends PromiseLike<unknown> {
  withFaceLandmarks(): PromiseLike<FaceApiResult[]>;
}

/** The face-api API we use. */
export interface FaceApi {
  tf: Tf;
  env: { setEnv(environment: unknown): void };
  nets: {
    ssdMobilenetv1: Net;
    tinyFaceDetector: Net;
    faceLandmark68Net: Net;
    faceRecognitionNet: Net & { computeFaceDescriptor(input: TfTensor): Promise<Float32Array> };
    ageGenderNet: Net & {
      predictAgeAndGender(
        input: TfTensor,
      ): Promise<{ age: number; gender: string; genderProbability: number }>;
    };
  };
  detectAllFaces(input: TfTensor, options: unknown): DetectTask;
  SsdMobilenetv1Options: new (options: { minConfidence?: number; maxResults?: number }) => unknown;
  TinyFaceDetectorOptions: new (options: { inputSize?: number; scoreThreshold?: number }) => unknown;
}

/** tfjs backends: `wasm` (WebAssembly SIMD, tfjs-backend-wasm's binary) or `cpu` (plain JavaScript, slower). */
export type FaceBackend = "wasm" | "cpu";

/** Names of the weight files in face-api's `model/` folder. */
export type FaceNetName =
  | "ssd_mobilenetv1_model"
  | "tiny_face_detector_model"
  | "face_landmark_68_model"
  | "face_recognition_model"
  | "age_gender_model";

let loading: Promise<FaceApi> | undefined;

async function withoutProcess<T>(fn: () => Promise<T>): Promise<T> {
  const global = globalThis as { process?: unknown };
  const saved = global.process;
  delete global.process;
  try {
    return await fn();
  } finally {
    global.process = saved;
  }
}

async function initialise(): Promise<FaceApi> {
  const faceApi = await withoutProcess(async () => (await loadFaceApiModule()) as FaceApi);
  const tf = faceApi.tf;
  const encoder = new TextEncoder();
  tf.setPlatform("deno", {
    fetch: (url: string, init?: RequestInit) => fetch(url, init),
    now: () => performance.now(),
    encode: (text: string) => encoder.encode(text),
    decode: (bytes: Uint8Array, encoding: string) => new TextDecoder(encoding).decode(bytes),
    isTypedArray: (a: unknown) => ArrayBuffer.isView(a) && !(a instanceof DataView),
    setTimeoutCustom: (fn: () => void, delay: number) => setTimeout(fn, delay),
  });
  class NoDom {}
  const noDom = () => {
    throw new Error("face-api has no DOM in Deno: pass tensors");
  };
  faceApi.env.setEnv({
    Canvas: NoDom,
    CanvasRenderingContext2D: NoDom,
    Image: NoDom,
    ImageData: NoDom,
    Video: NoDom,
    createCanvasElement: noDom,
    createImageElement: noDom,
    createVideoElement: noDom,
    fetch: (url: string, init?: RequestInit) => fetch(url, init),
    readFile: (path: string) => Deno.readFile(path),
  });
  return faceApi;
}

/**
 * face-api with tfjs on the chosen backend. The module is evaluated once per process; asking for another backend
 * later switches tfjs's global backend.
 *
 * @param backend `wasm` (default) or `cpu`
 * @returns the module
 * @throws {Error} naming the backend when it cannot start
 */
export async function faceApiOn(backend: FaceBackend): Promise<FaceApi> {
  if (backend !== "wasm" && backend !== "cpu") {
    throw new RangeError(`Unknown face backend "${backend}"; backends: wasm, cpu`);
  }
  loading ??= initialise();
  const faceApi = await loading;
  const tf = faceApi.tf;
  if (tf.getBackend() === backend) return faceApi;
  if (backend === "wasm") {
    tf.setWasmPaths(await tfjsWasmFolder(), true);
    tf.env().set("WASM_HAS_MULTITHREAD_SUPPORT", false); // threads need Web Workers with a Node-free bundle
  }
  // Emscripten's loader also takes `process` as a sign of Node (and then needs __dirname).
  const ok = await withoutProcess(async () => {
    const started = await tf.setBackend(backend);
    await tf.ready();
    return started;
  });
  if (!ok || tf.getBackend() !== backend) {
    throw new Error(`The tfjs "${backend}" backend did not start (running on "${tf.getBackend()}")`);
  }
  return faceApi;
}

const netOf = (faceApi: FaceApi, name: FaceNetName): Net =>
  ({
    ssd_mobilenetv1_model: faceApi.nets.ssdMobilenetv1,
    tiny_face_detector_model: faceApi.nets.tinyFaceDetector,
    face_landmark_68_model: faceApi.nets.faceLandmark68Net,
    face_recognition_model: faceApi.nets.faceRecognitionNet,
    age_gender_model: faceApi.nets.ageGenderNet,
  })[name];

/**
 * Reads one of face-api's weight manifests and its shards (decoding the uint8 quantisation as tfjs does).
 *
 * @param name the model's file stem
 * @returns name → tfjs tensor
 */
export async function readFaceApiWeights(tf: Tf, name: FaceNetName): Promise<Record<string, unknown>> {
  const folder = faceApiModelFolder();
  const manifest = JSON.parse(await Deno.readTextFile(new URL(`${name}-weights_manifest.json`, folder))) as {
    paths: string[];
    weights: unknown[];
  }[];
  const shards: Uint8Array[] = [];
  const specs: unknown[] = [];
  for (const group of manifest) {
    for (const path of group.paths) shards.push(await Deno.readFile(new URL(path, folder)));
    specs.push(...group.weights);
  }
  const all = new Uint8Array(shards.reduce((n, s) => n + s.length, 0));
  let offset = 0;
  for (const shard of shards) {
    all.set(shard, offset);
    offset += shard.length;
  }
  return tf.io.decodeWeights(all.buffer, specs);
}

/**
 * face-api on a backend with the named nets loaded (each is loaded once per process).
 *
 * @param backend tfjs backend
 * @param names the nets to load
 * @returns the module
 */
export async function faceApiWith(backend: FaceBackend, names: readonly FaceNetName[]): Promise<FaceApi> {
  const faceApi = await faceApiOn(backend);
  for (const name of names) {
    const net = netOf(faceApi, name);
    if (!net.isLoaded) net.loadFromWeightMap(await readFaceApiWeights(faceApi.tf, name));
  }
  return faceApi;
}
