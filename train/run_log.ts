/**
 * The run log: one JSON record per line (JSONL), appended and written through to the file per record, so a
 * crash loses at most the record being written.
 *
 * A record is complete only with its final newline (record and newline go out in one write). A last line
 * without one is what a crash leaves: {@linkcode readRunLog} ignores it and counts it, and
 * {@linkcode RunLog.open} cuts it off, so a resumed run appends after the last complete record. A malformed
 * line anywhere else is an error naming the file and line.
 *
 * Non-finite numbers (a NaN loss) are written as the strings `"NaN"`, `"Infinity"` and `"-Infinity"`, since
 * JSON would turn them into `null`; they read back as those strings.
 *
 * @module
 */

import { writeFileAtomic } from "../io/atomic_write.ts";

/** One log record: the step, the wall-clock time (added when absent), the losses and anything else. */
export interface RunRecord {
  step: number;
  /** ISO 8601 time; {@linkcode RunLog.append} sets it when absent. */
  time?: string;
  losses?: Record<string, number | string>;
  [key: string]: unknown;
}

/** A run log read back. */
export interface RunLogContents {
  records: RunRecord[];
  /** 1 when the file ended in a partial line (ignored), else 0. */
  ignoredPartialLines: number;
  /** Byte length of the complete records (where an append continues). */
  completeBytes: number;
}

function parse(bytes: Uint8Array, path: string): RunLogContents {
  const end = bytes.lastIndexOf(0x0a) + 1;
  const text = new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(0, end));
  const records: RunRecord[] = [];
  const lines = text.split("\n");
  lines.pop(); // The empty string after the last newline.
  lines.forEach((line, i) => {
    if (!line.trim()) return;
    let record: unknown;
    try {
      record = JSON.parse(line);
    } catch (error) {
      throw new SyntaxError(`${path}:${i + 1}: not valid JSON (${(error as Error).message})`);
    }
    if (typeof record !== "object" || record === null || typeof (record as RunRecord).step !== "number") {
      throw new SyntaxError(`${path}:${i + 1}: a record must be an object with a numeric "step"`);
    }
    records.push(record as RunRecord);
  });
  return { records, ignoredPartialLines: end < bytes.byteLength ? 1 : 0, completeBytes: end };
}

/**
 * Reads a run log, ignoring a partial last line.
 *
 * @param path log file
 * @returns the complete records, and whether a partial line was ignored
 * @throws {Deno.errors.NotFound} when the file is missing
 * @throws {SyntaxError} naming `path:line` for a malformed complete line
 * @example
 * ```ts
 * import { readRunLog } from "./run_log.ts";
 * const path = await Deno.makeTempFile({ suffix: ".jsonl" });
 * await Deno.writeTextFile(path, '{"step":1}\n{"step":2,"los');
 * const { records, ignoredPartialLines } = await readRunLog(path);
 * console.log(records.length, ignoredPartialLines); // 1 1
 * ```
 */
export async function readRunLog(path: string): Promise<RunLogContents> {
  return parse(await Deno.readFile(path), path);
}

function replacer(_key: string, value: unknown): unknown {
  return typeof value === "number" && !Number.isFinite(value) ? String(value) : value;
}

/** Options of {@linkcode RunLog.open}. */
export interface RunLogOptions {
  /**
   * Drop records with a step above this one (resuming from a checkpoint taken at this step, so the log does
   * not hold two versions of the steps after it). The file is rewritten atomically.
   */
  dropAfterStep?: number;
  /** fsync after every record, surviving power loss too (default false: survives a process crash). */
  sync?: boolean;
}

/**
 * Appends records to a JSONL run log.
 *
 * @example
 * ```ts
 * import { readRunLog, RunLog } from "./run_log.ts";
 * const path = `${await Deno.makeTempDir()}/run.jsonl`;
 * const log = await RunLog.open(path);
 * await log.append({ step: 1, losses: { l2: 0.5 } });
 * await log.close();
 * console.log((await readRunLog(path)).records[0].losses); // { l2: 0.5 }
 * ```
 */
export class RunLog {
  private pending: Promise<void> = Promise.resolve();
  private closed = false;

  private constructor(
    private readonly file: Deno.FsFile,
    /** The log file. */
    readonly path: string,
    /** Records already in the file when it was opened. */
    readonly existingRecords: number,
    /** 1 when a partial last line (a crash) was cut off on opening, else 0. */
    readonly droppedPartialLines: number,
    private readonly sync: boolean,
  ) {}

  /**
   * Opens (or creates) a log for appending, cutting off a partial last line left by a crash.
   *
   * @param path log file
   * @param options `dropAfterStep`, `sync`
   * @returns the log
   * @throws {SyntaxError} when a complete line of the existing file is malformed
   */
  static async open(path: string, options: RunLogOptions = {}): Promise<RunLog> {
    let existing = 0, dropped = 0;
    let bytes: Uint8Array | undefined;
    try {
      bytes = await Deno.readFile(path);
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    }
    if (bytes) {
      const contents = parse(bytes, path);
      dropped = contents.ignoredPartialLines;
      existing = contents.records.length;
      if (options.dropAfterStep !== undefined) {
        const kept = contents.records.filter((r) => r.step <= options.dropAfterStep!);
        if (kept.length !== existing) {
          await writeFileAtomic(path, kept.map((r) => JSON.stringify(r) + "\n").join(""));
          existing = kept.length;
        } else if (dropped) await Deno.truncate(path, contents.completeBytes);
      } else if (dropped) await Deno.truncate(path, contents.completeBytes);
    }
    const file = await Deno.open(path, { append: true, create: true });
    return new RunLog(file, path, existing, dropped, options.sync ?? false);
  }

  /**
   * Appends one record (adding `time` when absent) and writes it through to the file. Appends run in call
   * order even when not awaited.
   *
   * @param record the record; must have a numeric `step`
   * @returns when the record is in the file
   * @throws {TypeError} when `step` is not a number or the log is closed
   */
  append(record: RunRecord): Promise<void> {
    if (this.closed) return Promise.reject(new TypeError(`Run log ${this.path} is closed`));
    if (typeof record?.step !== "number") {
      return Promise.reject(new TypeError(`A run log record needs a numeric "step", got ${record?.step}`));
    }
    const line = JSON.stringify({ ...record, time: record.time ?? new Date().toISOString() }, replacer) +
      "\n";
    const bytes = new TextEncoder().encode(line);
    const write = async () => {
      let written = 0;
      while (written < bytes.byteLength) written += await this.file.write(bytes.subarray(written));
      if (this.sync) await this.file.sync();
    };
    const result = this.pending.then(write);
    this.pending = result.catch(() => {});
    return result;
  }

  /** Waits for pending appends. */
  async flush(): Promise<void> {
    await this.pending;
  }

  /** Waits for pending appends, then closes the file. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pending;
    this.file.close();
  }
}
