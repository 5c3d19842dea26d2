/**
 * The runtime boundary: the only module that talks to ONNX Runtime. A {@linkcode GraphSession} runs one
 * graph on one execution provider, checks every feed against the graph's declared inputs, and reports which
 * provider ran. Sessions are cached per graph, device and baked weights.
 *
 * @module
 */

import { ort } from "../deps.ts";
import type { ConstantData, GraphBuilder } from "../graph/builder.ts";
import { encodeOnnxModel } from "../graph/onnx_writer.ts";
import { formatShape, numel, type Tensor } from "../graph/tensor.ts";
import { type DeviceName, parseDevice, providerCandidates, type ProviderName } from "./devices.ts";
import { dtypeOf, type HostData, type HostTensor, releaseHostData } from "./host_tensor.ts";
import { providerUnavailableReason } from "./provider_probe.ts";
import { autoWebGpuRefusal, probeWebGpuAdapter } from "./gpu_adapter_probe.ts";
import { withWebGpuLock } from "./webgpu_lock.ts";
import { countHostDeviceBytes } from "./transfer_counter.ts";

/** Options of {@linkcode GraphSession.create}. */
export interface GraphSessionOptions {
  /** `cpu`, `cuda`, `webgpu` or `auto` (default `cpu`). */
  device?: DeviceName | string;
  /** Parameter values baked into the model as initializers; the other parameters are fed at each run. */
  initializers?: ReadonlyMap<string, ConstantData>;
  /** Intra-op threads (default: ONNX Runtime's choice, one per core). */
  threads?: number;
  /**
   * Keep ONNX Runtime's CPU memory arena (default true): faster for large activations (no page faults on
   * re-allocation), but the session keeps its peak memory between runs. Turn it off for sessions that run
   * rarely or next to others whose peaks should not add up.
   */
  memoryArena?: boolean;
  /**
   * Pre-plan one memory block for all intermediate tensors (ONNX Runtime's memory pattern; default true). With
   * the arena on and the pattern off, the arena grows only to the tensors actually alive at once: at 1024² the
   * synthesis keeps ≈ 0.8 GB instead of ≈ 1.3 GB, at the same speed.
   */
  memoryPattern?: boolean;
  /**
   * Let ONNX Runtime's intra-op threads keep spinning after a run ends (default false). They spin for a while
   * waiting for more work, which takes the cores from the next session's run and from the host code between
   * runs: the mini training step run right after another session's run took 210–220 ms instead of 195 (2
   * cores). Off, the threads still spin during a run (its many small nodes keep their low latency) and stop at
   * its end (ONNX Runtime's `session.force_spinning_stop`).
   */
  spinAfterRun?: boolean;
}

/** What one run returns: the outputs by name, the provider that ran, and the wall time. */
export interface RunResult {
  /** The outputs by name. */
  readonly outputs: Record<string, HostTensor>;
  /** The execution provider that ran. */
  readonly provider: ProviderName;
  /** Wall time of the run. */
  readonly milliseconds: number;
}

/** Options of {@linkcode GraphSession.run}. */
export interface RunOptions {
  /**
   * Arrays to receive outputs, by output name (each of the output's dtype and size). On the CPU, ONNX Runtime
   * writes these outputs straight into them instead of allocating its own (an array may also be a feed of the
   * same run: the graph then updates it in place, which is safe when every reader of the feed runs before the
   * node that writes the output); elsewhere the outputs are copied into them. The run's `outputs` then hold
   * these arrays. onnxruntime-node still returns a copy of every fetched output; it is released at once.
   */
  outputs?: Readonly<Record<string, HostData>>;
}

/** A feed: a host tensor, or a bare typed array whose length must match the declared shape. */
export type Feed = HostTensor | HostData;

/** Why `auto` skips a provider here (quietly: a missing library, no or only a software GPU), or null. */
async function autoUnavailableReason(provider: ProviderName): Promise<string | null> {
  const reason = providerUnavailableReason(provider);
  if (reason !== null || provider !== "webgpu") return reason;
  return autoWebGpuRefusal(await probeWebGpuAdapter());
}

/**
 * One ONNX Runtime session for one graph.
 *
 * @example
 * ```ts
 * import { GraphBuilder } from "../graph/builder.ts";
 * import { GraphSession } from "./session.ts";
 * const g = new GraphBuilder("double");
 * const x = g.input("x", [3]); // [3]
 * g.output(g.scale(x, 2), "y");
 * const session = await GraphSession.create(g);
 * const { outputs, provider } = await session.run({ x: new Float32Array([1, 2, 3]) });
 * console.log(outputs.y.data, provider); // Float32Array [2, 4, 6] "cpu"
 * ```
 */
export class GraphSession {
  private constructor(
    private readonly session: ort.InferenceSession,
    /** The provider the session runs on. */
    readonly provider: ProviderName,
    /** The inputs each run must feed (data inputs and parameters that are not baked in). */
    readonly feeds: readonly Tensor[],
    /** The graph outputs. */
    readonly outputs: readonly Tensor[],
    /** Graph name, for messages. */
    readonly graphName: string,
    /** The fed parameters (weights), counted apart by runtime/transfer_counter.ts. */
    private readonly parameterNames: ReadonlySet<string> = new Set(),
  ) {}

  /**
   * Builds a session: writes the graph as ONNX and tries the device's providers in order.
   *
   * @param graph the graph
   * @param options device, baked weights, threads
   * @returns the session
   * @throws {RangeError} for an unknown device name
   * @throws {Error} when no provider of the device can run the graph (the message lists each failure)
   */
  static async create(graph: GraphBuilder, options: GraphSessionOptions = {}): Promise<GraphSession> {
    const device = parseDevice(options.device ?? "cpu");
    const initializers = options.initializers ?? new Map();
    const { model } = encodeOnnxModel(graph, { initializers });
    const failures: string[] = [];
    for (const provider of providerCandidates(device)) {
      const absent = unavailableProviders.get(provider) ??
        (device === "auto" ? await autoUnavailableReason(provider) ?? undefined : undefined);
      if (absent && device === "auto") {
        failures.push(`${provider}: ${absent}`);
        continue;
      }
      try {
        const sessionOptions: ort.InferenceSession.SessionOptions = {
          executionProviders: [executionProvider(provider)],
          graphOptimizationLevel: "all",
          logSeverityLevel: 3,
          enableCpuMemArena: options.memoryArena ?? true,
          enableMemPattern: options.memoryPattern ?? true,
        };
        if (options.threads !== undefined) sessionOptions.intraOpNumThreads = options.threads;
        if (!options.spinAfterRun) sessionOptions.extra = { session: { force_spinning_stop: "1" } };
        const profile = Deno.env.get("HYPERINVERTER_ORT_PROFILE");
        if (profile) { // ONNX Runtime's per-node profile, one JSON file per session (a debugging aid)
          sessionOptions.enableProfiling = true;
          sessionOptions.profileFilePrefix = profile;
        }
        const session = await exclusiveOnWebGpu(
          provider,
          () => ort.InferenceSession.create(model, sessionOptions),
        );
        const feeds = [...graph.inputs, ...graph.parameters.filter((p) => !initializers.has(p.name))];
        let initializerBytes = 0;
        for (const value of initializers.values()) initializerBytes += value.byteLength;
        countHostDeviceBytes("initializers", initializerBytes);
        const parameterNames = new Set(
          graph.parameters.map((p) => p.name).filter((n) => !initializers.has(n)),
        );
        return new GraphSession(session, provider, feeds, [...graph.outputs], graph.name, parameterNames);
      } catch (error) {
        const message = firstLine((error as Error).message);
        // Remember providers whose library or adapter is missing, so that `auto` does not retry (and re-log) them.
        if (/Failed to load (shared )?library|Failed to get a WebGPU adapter/.test(message)) {
          unavailableProviders.set(provider, message);
        }
        failures.push(`${provider}: ${message}`);
      }
    }
    throw new Error(
      `No execution provider of device "${device}" could run graph "${graph.name}": ${failures.join("; ")}`,
    );
  }

  /**
   * Runs the graph.
   *
   * @param feeds every data input and every parameter that is not baked in, by name
   * @param options arrays to write outputs into
   * @returns outputs by name, with the provider that ran
   * @throws {TypeError} listing missing or unknown feeds, or naming a feed or output array whose shape or dtype
   *   is wrong, or an output the graph does not have
   * @example
   * ```ts
   * import { GraphBuilder } from "../graph/builder.ts";
   * import { GraphSession } from "./session.ts";
   * const g = new GraphBuilder("halve");
   * g.output(g.scale(g.input("x", [2]), 0.5), "y");
   * const session = await GraphSession.create(g);
   * const x = new Float32Array([2, 4]);
   * await session.run({ x }, { outputs: { y: x } }); // in place
   * console.log(x); // Float32Array [1, 2]
   * ```
   */
  async run(feeds: Readonly<Record<string, Feed>>, options: RunOptions = {}): Promise<RunResult> {
    const ortFeeds: Record<string, ort.Tensor> = {};
    const missing = this.feeds.filter((t) => !(t.name in feeds)).map((t) => t.name);
    if (missing.length) {
      throw new TypeError(
        `Graph "${this.graphName}" is missing ${missing.length} feed(s): ${missing.join(", ")}`,
      );
    }
    const known = new Set(this.feeds.map((t) => t.name));
    const unknown = Object.keys(feeds).filter((name) => !known.has(name));
    if (unknown.length) {
      throw new TypeError(`Graph "${this.graphName}" has no input(s) named: ${unknown.join(", ")}`);
    }
    for (const t of this.feeds) {
      const feed = feeds[t.name];
      const data = isHostTensor(feed) ? feed.data : feed;
      const dtype = dtypeOf(data);
      if (
        isHostTensor(feed) &&
        (feed.shape.length !== t.shape.length || feed.shape.some((d, i) => d !== t.shape[i]))
      ) {
        throw new TypeError(
          `Feed "${t.name}" of graph "${this.graphName}" has shape ${formatShape(feed.shape)}, expected ${
            formatShape(t.shape)
          }`,
        );
      }
      if (data.length !== numel(t.shape)) {
        throw new TypeError(
          `Feed "${t.name}" of graph "${this.graphName}" has ${data.length} values, expected ${
            numel(t.shape)
          } for ${formatShape(t.shape)}`,
        );
      }
      if (dtype !== t.dtype) {
        throw new TypeError(`Feed "${t.name}" of graph "${this.graphName}" is ${dtype}, expected ${t.dtype}`);
      }
      ortFeeds[t.name] = new ort.Tensor(dtype, data, [...t.shape]);
    }
    const given = options.outputs ?? {};
    const targets = this.checkOutputArrays(given);
    // On the CPU, ONNX Runtime fills pre-made output tensors in place (fetches: a tensor per such output, null for
    // the ones it allocates); other providers' outputs are copied into the arrays after the run.
    const inPlace = this.provider === "cpu" && targets.size > 0;
    const fetches: Record<string, ort.Tensor | null> = {};
    for (const t of this.outputs) {
      const target = targets.get(t.name);
      fetches[t.name] = inPlace && target ? new ort.Tensor(dtypeOf(target), target, [...t.shape]) : null;
    }
    let milliseconds = 0;
    const results = await exclusiveOnWebGpu(this.provider, async () => {
      const start = performance.now();
      const results = inPlace ? await this.session.run(ortFeeds, fetches) : await this.session.run(ortFeeds);
      milliseconds = performance.now() - start;
      return results;
    });
    const outputs: Record<string, HostTensor> = {};
    for (const t of this.outputs) {
      const value = results[t.name];
      const target = targets.get(t.name);
      const data = value.data as HostData;
      if (target) {
        // onnxruntime-node returns a copy even of a filled output: free it now rather than at the next GC.
        if (!inPlace) (target as Float32Array).set(data as Float32Array);
        releaseHostData(data);
      }
      outputs[t.name] = { data: target ?? data, shape: [...value.dims], dtype: t.dtype };
    }
    let weightBytes = 0, uploadedBytes = 0;
    for (const [name, tensor] of Object.entries(ortFeeds)) {
      uploadedBytes += byteSize(tensor);
      if (this.parameterNames.has(name)) weightBytes += byteSize(tensor);
    }
    countHostDeviceBytes("uploaded", uploadedBytes);
    countHostDeviceBytes("uploadedWeights", weightBytes);
    countHostDeviceBytes("downloaded", Object.values(outputs).reduce((sum, t) => sum + t.data.byteLength, 0));
    return { outputs, provider: this.provider, milliseconds };
  }

  /** The output arrays by name, checked against the graph's outputs. */
  private checkOutputArrays(given: Readonly<Record<string, HostData>>): Map<string, HostData> {
    const byName = new Map(this.outputs.map((t) => [t.name, t]));
    const targets = new Map<string, HostData>();
    for (const [name, data] of Object.entries(given)) {
      const t = byName.get(name);
      if (!t) throw new TypeError(`Graph "${this.graphName}" has no output named "${name}"`);
      const dtype = dtypeOf(data);
      if (dtype !== t.dtype || data.length !== numel(t.shape)) {
        throw new TypeError(
          `Output array "${name}" of graph "${this.graphName}" holds ${data.length} ${dtype} values, expected ${
            numel(t.shape)
          } ${t.dtype} for ${formatShape(t.shape)}`,
        );
      }
      targets.set(name, data);
    }
    return targets;
  }

  /** Releases the native session. */
  async release(): Promise<void> {
    await exclusiveOnWebGpu(this.provider, () => this.session.release());
  }
}

/** Runs a WebGPU session step under the process's WebGPU lock (runtime/webgpu_lock.ts); others run at once. */
function exclusiveOnWebGpu<T>(provider: ProviderName, work: () => Promise<T>): Promise<T> {
  return provider === "webgpu" ? withWebGpuLock(work) : work();
}

/**
 * The execution-provider entry for a provider. WebGPU gets the NCHW layout: with ONNX Runtime's default (NHWC), a
 * 3×3 Conv whose input channels are a multiple of 3 but not of 4 (6, 9, 15, …) and whose output channels are a
 * multiple of 4 computes wrong values everywhere (measured in onnxruntime-node 1.30 and onnxruntime-web, on
 * SwiftShader and lavapipe); NCHW is also our graphs' own layout, so no transposes are inserted.
 */
function executionProvider(provider: ProviderName): ort.InferenceSession.ExecutionProviderConfig {
  return provider === "webgpu" ? { name: "webgpu", preferredLayout: "NCHW" } : provider;
}

function byteSize(tensor: ort.Tensor): number {
  return (tensor.data as HostData).byteLength;
}

function isHostTensor(feed: Feed): feed is HostTensor {
  return !ArrayBuffer.isView(feed);
}

function firstLine(message: string): string {
  const line = message.split("\n").find((l) => l.trim()) ?? message;
  return line.length > 300 ? `${line.slice(0, 300)}…` : line;
}

/** Providers found unavailable in this process (library or adapter missing), with the reason. */
const unavailableProviders = new Map<ProviderName, string>();

const sessionCache = new WeakMap<GraphBuilder, Map<string, Promise<GraphSession>>>();
const initializerIds = new WeakMap<ReadonlyMap<string, ConstantData>, number>();
let nextInitializerId = 1;

/**
 * A cached session for a graph: the same graph, device, threads and baked-weights map give the same session.
 *
 * @param graph the graph
 * @param options device, baked weights, threads
 * @returns the shared session
 * @example
 * ```ts
 * import { GraphBuilder } from "../graph/builder.ts";
 * import { sessionFor } from "./session.ts";
 * const g = new GraphBuilder("negate");
 * g.output(g.neg(g.input("x", [2])), "y");
 * console.log((await sessionFor(g)) === (await sessionFor(g))); // true
 * ```
 */
export function sessionFor(graph: GraphBuilder, options: GraphSessionOptions = {}): Promise<GraphSession> {
  let perGraph = sessionCache.get(graph);
  if (!perGraph) sessionCache.set(graph, perGraph = new Map());
  let initializerId = 0;
  if (options.initializers) {
    initializerId = initializerIds.get(options.initializers) ?? nextInitializerId++;
    initializerIds.set(options.initializers, initializerId);
  }
  const key = `${parseDevice(options.device ?? "cpu")}|${options.threads ?? 0}|${initializerId}|${
    options.memoryArena ?? true
  }`;
  let session = perGraph.get(key);
  if (!session) {
    session = GraphSession.create(graph, options);
    session.catch(() => perGraph.delete(key));
    perGraph.set(key, session);
  }
  return session;
}
