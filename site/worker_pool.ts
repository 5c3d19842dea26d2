/**
 * A fixed set of inference workers (`inference_worker.ts`). A task goes to an idle worker, or waits for one; a
 * worker that dies is replaced and its task fails with a clear message.
 *
 * @module
 */

import type { InferenceTask, TaskProgress } from "./inference_tasks.ts";
import type { WorkerMessage, WorkerRequest } from "./inference_worker.ts";

/** Options of {@linkcode WorkerPool}. */
export interface WorkerPoolOptions {
  /** Number of workers (default 1). */
  size?: number;
  /** Device of the models (`cpu`, `cuda`, `webgpu`, `auto`; default `cpu`). */
  device?: string;
  /** Import the plug-in code a model names (`--allow-plugins`; hash-checked, model/plugins.ts). Default false. */
  allowPlugins?: boolean;
}

interface Pending {
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
  progress: TaskProgress;
}

interface Slot {
  worker: Worker;
  pending: Map<number, Pending>;
  busy: number;
}

/** Rebuilds an error thrown in a worker with its class (TypeError, RangeError, …). */
function errorFrom(message: { message: string; name: string }): Error {
  const classes: Record<string, ErrorConstructor> = { TypeError, RangeError, SyntaxError };
  return new (classes[message.name] ?? Error)(message.message);
}

/**
 * The pool.
 *
 * @example
 * ```ts
 * import { WorkerPool } from "./worker_pool.ts";
 * const pool = new WorkerPool({ size: 1 });
 * const info = await pool.run({ kind: "info", modelPath: "data/models/default/model.json" }) as { resolution: number };
 * console.log(info.resolution); // 32
 * pool.close();
 * ```
 */
export class WorkerPool {
  readonly size: number;
  private readonly device: string;
  private readonly allowPlugins: boolean;
  private readonly slots: Slot[] = [];
  private readonly waiting: (() => void)[] = [];
  private nextId = 1;
  private closed = false;

  /**
   * @param options size and device
   * @throws {RangeError} when size is not a positive integer
   */
  constructor(options: WorkerPoolOptions = {}) {
    this.size = options.size ?? 1;
    this.device = options.device ?? "cpu";
    this.allowPlugins = options.allowPlugins === true;
    if (!Number.isInteger(this.size) || this.size < 1) {
      throw new RangeError(`Worker pool size must be a positive integer, got ${this.size}`);
    }
    for (let i = 0; i < this.size; i++) this.slots.push(this.start());
  }

  private start(): Slot {
    const worker = new Worker(new URL("./inference_worker.ts", import.meta.url), { type: "module" });
    const slot: Slot = { worker, pending: new Map(), busy: 0 };
    worker.onmessage = ({ data }: MessageEvent<WorkerMessage>) => {
      const pending = slot.pending.get(data.id);
      if (!pending) return;
      if (data.type === "progress") return pending.progress(data.fraction, data.message);
      slot.pending.delete(data.id);
      this.release(slot);
      if (data.type === "result") pending.resolve(data.value);
      else pending.reject(errorFrom(data));
    };
    worker.onerror = (event) => {
      event.preventDefault();
      const error = new Error(`The inference worker stopped: ${event.message}`);
      for (const pending of slot.pending.values()) pending.reject(error);
      slot.pending.clear();
      worker.terminate();
      if (this.closed) return;
      const index = this.slots.indexOf(slot);
      if (index >= 0) this.slots[index] = this.start();
      this.wake();
    };
    return slot;
  }

  private release(slot: Slot) {
    slot.busy--;
    this.wake();
  }

  private wake() {
    this.waiting.shift()?.();
  }

  private async idleSlot(): Promise<Slot> {
    for (;;) {
      if (this.closed) throw new Error("The worker pool is closed");
      const slot = this.slots.find((s) => s.busy === 0);
      if (slot) return slot;
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
  }

  /**
   * Runs a task on an idle worker (waiting for one if all are busy).
   *
   * @param task the task
   * @param progress called as the work advances
   * @returns the task's answer
   * @throws the task's error, with its class
   */
  async run(task: InferenceTask, progress: TaskProgress = () => {}): Promise<unknown> {
    const slot = await this.idleSlot();
    slot.busy++;
    const id = this.nextId++;
    return await new Promise((resolve, reject) => {
      slot.pending.set(id, { resolve, reject, progress });
      const request: WorkerRequest = { id, task, device: this.device, allowPlugins: this.allowPlugins };
      slot.worker.postMessage(request);
    });
  }

  /** Stops every worker; tasks still running fail. */
  close(): void {
    this.closed = true;
    for (const slot of this.slots) {
      for (const pending of slot.pending.values()) pending.reject(new Error("The worker pool was closed"));
      slot.worker.terminate();
    }
    for (const wake of this.waiting.splice(0)) wake();
  }
}
