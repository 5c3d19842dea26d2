/**
 * A bounded job queue: at most `capacity` jobs waiting or running at once (a submission beyond that is refused
 * with {@linkcode QueueFullError}, the site's "busy" answer), `concurrency` of them running. Each job reports
 * progress to its listeners (the SSE stream of the page) and keeps its result for a while after it ends.
 *
 * @module
 */

/** What a job says while it runs and when it ends. */
export type JobEvent =
  | { type: "queued"; position: number }
  | { type: "progress"; fraction: number; message: string }
  | { type: "done"; result: unknown }
  | { type: "error"; message: string };

/** A job's state. */
export type JobStatus = "queued" | "running" | "done" | "failed";

/** One job of the queue. */
export interface Job<T = unknown> {
  id: string;
  kind: string;
  status: JobStatus;
  /** Every event so far (a late listener replays them). */
  events: JobEvent[];
  /** The value of the job's work once `status` is `done`. */
  result?: T;
  /** Settles when the job ends (rejects when it fails). */
  finished: Promise<T>;
}

/** Reports a job's progress: fraction in [0, 1] and a short message. */
export type ReportProgress = (fraction: number, message: string) => void;

/** Options of {@linkcode JobQueue}. */
export interface JobQueueOptions {
  /** Jobs waiting or running at once (default 8); a submission beyond it throws {@linkcode QueueFullError}. */
  capacity?: number;
  /** Jobs running at once (default 1). */
  concurrency?: number;
  /** Finished jobs kept for their results and late listeners (default 100; the oldest are dropped). */
  keep?: number;
}

/** The queue is full: the caller should answer "busy" (HTTP 503) and try again later. */
export class QueueFullError extends Error {
  /**
   * @param capacity the bound that was reached
   */
  constructor(readonly capacity: number) {
    super(`The job queue is full (${capacity} jobs waiting or running); try again later`);
    this.name = "QueueFullError";
  }
}

interface Entry {
  job: Job;
  work: (report: ReportProgress) => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
  listeners: Set<(event: JobEvent) => void>;
}

/**
 * The bounded queue.
 *
 * @example
 * ```ts
 * import { JobQueue } from "./job_queue.ts";
 * const queue = new JobQueue({ capacity: 1 });
 * const job = queue.submit("square", async (report) => {
 *   report(0.5, "halfway");
 *   return 3 * 3;
 * });
 * console.log(await job.finished, job.status); // 9 "done"
 * ```
 */
export class JobQueue {
  readonly capacity: number;
  readonly concurrency: number;
  readonly keep: number;
  private readonly entries = new Map<string, Entry>();
  private readonly waiting: Entry[] = [];
  private running = 0;
  private active = 0; // queued + running
  private paused = false;
  private nextId = 1;

  /**
   * @param options capacity, concurrency, keep
   * @throws {RangeError} when a bound is not a positive integer
   */
  constructor(options: JobQueueOptions = {}) {
    this.capacity = options.capacity ?? 8;
    this.concurrency = options.concurrency ?? 1;
    this.keep = options.keep ?? 100;
    for (const [name, value] of Object.entries({ capacity: this.capacity, concurrency: this.concurrency })) {
      if (!Number.isInteger(value) || value < 1) {
        throw new RangeError(`Job queue ${name} must be a positive integer, got ${value}`);
      }
    }
    if (!Number.isInteger(this.keep) || this.keep < 0) {
      throw new RangeError(`Job queue keep must be a non-negative integer, got ${this.keep}`);
    }
  }

  /** Jobs waiting or running. */
  get size(): number {
    return this.active;
  }

  /**
   * Throws when a submission now would be refused, so that a caller can refuse before costly preparation.
   *
   * @throws {QueueFullError} when the queue is full
   */
  checkRoom(): void {
    if (this.active >= this.capacity) throw new QueueFullError(this.capacity);
  }

  /**
   * Adds a job, or refuses it when `capacity` jobs are already waiting or running.
   *
   * @param kind what the job does (e.g. `invert`), for listings
   * @param work the job's work; it reports progress through its argument
   * @returns the job (its `finished` promise settles when the work ends)
   * @throws {QueueFullError} when the queue is full
   */
  submit<T>(kind: string, work: (report: ReportProgress) => Promise<T>): Job<T> {
    this.checkRoom();
    const id = `${Date.now().toString(36)}-${(this.nextId++).toString(36)}-${
      crypto.getRandomValues(new Uint32Array(1))[0].toString(36)
    }`;
    let resolve!: (value: unknown) => void, reject!: (error: unknown) => void;
    const finished = new Promise<unknown>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    finished.catch(() => {}); // a failure is reported through events; awaiting it is optional
    const job: Job = { id, kind, status: "queued", events: [], finished };
    const entry: Entry = { job, work, resolve, reject, listeners: new Set() };
    this.entries.set(id, entry);
    this.active++;
    this.waiting.push(entry);
    this.emit(entry, { type: "queued", position: this.waiting.length });
    this.pump();
    return job as Job<T>;
  }

  /**
   * A job by id (a running one, or a finished one still kept).
   *
   * @param id job id
   * @returns the job or undefined
   */
  get(id: string): Job | undefined {
    return this.entries.get(id)?.job;
  }

  /**
   * Listens to a job's events: the past ones are replayed first.
   *
   * @param id job id
   * @param listener called with each event
   * @returns a function that stops listening, or null when there is no such job
   */
  listen(id: string, listener: (event: JobEvent) => void): (() => void) | null {
    const entry = this.entries.get(id);
    if (!entry) return null;
    for (const event of entry.job.events) listener(event);
    entry.listeners.add(listener);
    return () => entry.listeners.delete(listener);
  }

  /** Stops starting jobs (submissions are still accepted up to the capacity), e.g. while workers restart. */
  pause(): void {
    this.paused = true;
  }

  /** Starts jobs again after {@linkcode JobQueue.pause}. */
  resume(): void {
    this.paused = false;
    this.pump();
  }

  private emit(entry: Entry, event: JobEvent) {
    entry.job.events.push(event);
    for (const listener of entry.listeners) listener(event);
  }

  private pump() {
    while (!this.paused && this.running < this.concurrency && this.waiting.length) {
      const entry = this.waiting.shift()!;
      this.running++;
      entry.job.status = "running";
      this.waiting.forEach((e, i) => this.emit(e, { type: "queued", position: i + 1 }));
      this.run(entry);
    }
  }

  private async run(entry: Entry) {
    const report: ReportProgress = (fraction, message) => {
      if (entry.job.status !== "running") return;
      this.emit(entry, { type: "progress", fraction: Math.min(1, Math.max(0, fraction)), message });
    };
    try {
      const result = await entry.work(report);
      entry.job.status = "done";
      entry.job.result = result;
      this.emit(entry, { type: "done", result });
      entry.resolve(result);
    } catch (error) {
      entry.job.status = "failed";
      this.emit(entry, { type: "error", message: (error as Error)?.message ?? String(error) });
      entry.reject(error);
    } finally {
      entry.listeners.clear();
      this.running--;
      this.active--;
      this.forgetOldJobs();
      this.pump();
    }
  }

  private forgetOldJobs() {
    const finished = [...this.entries.values()].filter((e) =>
      e.job.status === "done" || e.job.status === "failed"
    );
    for (const entry of finished.slice(0, Math.max(0, finished.length - this.keep))) {
      this.entries.delete(entry.job.id);
    }
  }
}
