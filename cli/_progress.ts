/**
 * A small progress bar on stderr: redrawn in place on a terminal; elsewhere (logs, CI) one line for the first
 * item, then at most one line every `intervalSeconds`, and one for the last, so a 20 000-step run does not
 * write 20 000 lines.
 *
 * @module
 */

const encoder = new TextEncoder();

/** Options of a {@link ProgressBar}; all optional. */
export interface ProgressOptions {
  /** Items already done before this run (a resumed training at step 45 of 60 shows `46/60` next). */
  readonly start?: number;
  /** When the work began, on the `now` clock (default: now); a bar made at the first item passes its start. */
  readonly startedAt?: number;
  /** Off a terminal: the least number of seconds between two lines (default 10). */
  readonly intervalSeconds?: number;
  /** Redraw in place (default: whether stderr is a terminal). */
  readonly interactive?: boolean;
  /** Where the text goes (default: stderr). */
  readonly write?: (text: string) => void;
  /** The clock in milliseconds (default `performance.now`), for tests. */
  readonly now?: () => number;
}

/**
 * Progress of a loop over `total` items.
 *
 * @example
 * ```ts
 * import { ProgressBar } from "./_progress.ts";
 * const lines: string[] = [];
 * const bar = new ProgressBar(60, "train", { start: 45, interactive: false, write: (t) => lines.push(t) });
 * bar.tick("step 46");
 * console.log(lines[0].includes("46/60")); // true
 * ```
 */
export class ProgressBar {
  private done: number;
  private readonly start: number;
  private readonly started: number;
  private readonly interactive: boolean;
  private readonly intervalMs: number;
  private readonly write: (text: string) => void;
  private readonly now: () => number;
  private lastPrinted = -Infinity;
  private pending = "";

  /**
   * @param total number of items (the end, counting the `start` items done before)
   * @param label what is being done
   * @param options `start`, `startedAt`, `intervalSeconds`, `interactive`, `write`, `now`
   */
  constructor(readonly total: number, readonly label: string, options: ProgressOptions = {}) {
    this.start = options.start ?? 0;
    this.done = this.start;
    this.now = options.now ?? (() => performance.now());
    this.started = options.startedAt ?? this.now();
    this.interactive = options.interactive ?? Deno.stderr.isTerminal();
    this.intervalMs = (options.intervalSeconds ?? 10) * 1000;
    this.write = options.write ?? ((text) => Deno.stderr.writeSync(encoder.encode(text)));
  }

  /**
   * Marks `count` more items as done.
   *
   * @param detail what was just finished (a file name)
   * @param count how many items (default 1)
   */
  tick(detail = "", count = 1): void {
    const first = this.done === this.start;
    this.done += count;
    const now = this.now();
    const line = this.line(now, detail);
    if (this.interactive) {
      this.write(`\r\x1b[2K${line}`);
      return;
    }
    if (first || this.done >= this.total || now - this.lastPrinted >= this.intervalMs) {
      this.write(`${line}\n`);
      this.lastPrinted = now;
      this.pending = "";
    } else this.pending = line;
  }

  /** Ends the bar: a newline on a terminal; elsewhere the last line, when it was not printed. */
  finish(): void {
    if (this.interactive) this.write("\n");
    else if (this.pending) this.write(`${this.pending}\n`);
    this.pending = "";
  }

  private line(now: number, detail: string): string {
    const elapsed = (now - this.started) / 1000;
    // Speed from this run's items only, so a resumed run's eta is not inflated by the items done before.
    const rate = (this.done - this.start) / Math.max(elapsed, 1e-9);
    const eta = rate > 0 ? Math.max(this.total - this.done, 0) / rate : 0;
    const width = 24;
    const filled = Math.min(width, Math.round((this.done / Math.max(this.total, 1)) * width));
    const bar = `${"█".repeat(filled)}${"░".repeat(width - filled)}`;
    return `${this.label} ${bar} ${this.done}/${this.total} ${elapsed.toFixed(1)}s eta ${
      eta.toFixed(1)
    }s ${detail}`;
  }
}

/**
 * A training run's progress, shared by the trainer commands: a {@linkcode ProgressBar} made when the run starts
 * (a resumed run counts from its checkpoint's step, 46/60, not 1/60, and says so), a line per step with the time
 * since the previous one, and notes (validation) that do not count as step time.
 *
 * @example
 * ```ts
 * import { TrainingProgress } from "./_progress.ts";
 * const lines: string[] = [];
 * const progress = new TrainingProgress(60, "train", { interactive: false, write: (t) => lines.push(t), log: () => {} });
 * progress.onStart(45);
 * progress.step((perStep) => `loss 0.5 ${perStep}`);
 * console.log(lines[0].includes("46/60") && lines[0].includes("ms/step")); // true
 * ```
 */
export class TrainingProgress {
  private bar?: ProgressBar;
  private last = performance.now();
  private readonly log: (line: string) => void;

  /**
   * @param steps the run's last step
   * @param label what is trained ("train E1")
   * @param options the bar's options (`interactive`, `write`, …) and where the lines of `onStart` and `note` go
   *   (default `console.log`)
   */
  constructor(
    readonly steps: number,
    readonly label: string,
    private readonly options: Omit<ProgressOptions, "start" | "startedAt"> & {
      log?: (line: string) => void;
    } = {},
  ) {
    this.log = options.log ?? ((line) => console.log(line));
  }

  /** The trainer's `onStart`: the step the run continues from (0 for a fresh run). */
  readonly onStart = (step: number): void => {
    this.bar = new ProgressBar(this.steps, this.label, { ...this.options, start: step });
    if (step > 0) this.log(`resuming from step ${step}`);
    this.last = performance.now();
  };

  /**
   * One step done.
   *
   * @param describe the step's line, given the time since the previous step (`"123 ms/step"`)
   */
  step(describe: (perStep: string) => string): void {
    const now = performance.now();
    this.bar?.tick(describe(`${(now - this.last).toFixed(0)} ms/step`));
    this.last = now;
  }

  /**
   * A line of its own between steps (a validation result); its time is not the next step's.
   *
   * @param line the text
   */
  note(line: string): void {
    this.log(`\n${line}`);
    this.last = performance.now();
  }

  /** Ends the bar (see {@linkcode ProgressBar.finish}). */
  finish(): void {
    this.bar?.finish();
  }
}
