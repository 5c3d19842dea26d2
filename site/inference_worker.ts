/**
 * The worker that runs {@linkcode InferenceRunner} tasks off the server's thread (ONNX Runtime's `run` blocks
 * the thread that calls it). Messages in: `{ id, task }`; out: `{ id, type: "progress", fraction, message }`,
 * then `{ id, type: "result", value }` or `{ id, type: "error", message }`. Started by `worker_pool.ts`.
 *
 * @module
 */

import { InferenceRunner, type InferenceTask } from "./inference_tasks.ts";

/** A request to the worker. */
export interface WorkerRequest {
  id: number;
  task: InferenceTask;
  /** Device of the worker's models (set on the first request). */
  device?: string;
  /** Import the plug-in code a model names (`--allow-plugins`; set on the first request). */
  allowPlugins?: boolean;
}

/** A message from the worker. */
export type WorkerMessage =
  | { id: number; type: "progress"; fraction: number; message: string }
  | { id: number; type: "result"; value: unknown }
  | { id: number; type: "error"; message: string; name: string };

interface WorkerScope {
  onmessage: ((event: MessageEvent<WorkerRequest>) => void) | null;
  postMessage(message: WorkerMessage, transfer?: Transferable[]): void;
}

/** Typed arrays in an answer, moved rather than copied to the server's thread. */
function transferables(value: unknown): Transferable[] {
  if (!value || typeof value !== "object") return [];
  return Object.values(value).filter((v): v is Float32Array => v instanceof Float32Array).map((v) =>
    v.buffer
  );
}

if (import.meta.main || "WorkerGlobalScope" in globalThis) {
  const scope = globalThis as unknown as WorkerScope;
  let runner: InferenceRunner | null = null;
  let chain = Promise.resolve();
  scope.onmessage = ({ data }) => {
    runner ??= new InferenceRunner({ device: data.device, allowPlugins: data.allowPlugins });
    // One task at a time: the pool sends one per worker, and the order of answers follows the requests.
    chain = chain.then(async () => {
      try {
        const value = await runner!.run(
          data.task,
          (fraction, message) => scope.postMessage({ id: data.id, type: "progress", fraction, message }),
        );
        scope.postMessage({ id: data.id, type: "result", value }, transferables(value));
      } catch (error) {
        const e = error as Error;
        scope.postMessage({
          id: data.id,
          type: "error",
          message: e?.message ?? String(e),
          name: e?.name ?? "Error",
        });
      }
    });
  };
}
