/**
 * A small progress bar on stderr: redrawn in place on a terminal, one line per step otherwise (logs, CI).
 *
 * @module
 */

const encoder = new TextEncoder();

/** Progress of a loop over `total` items. */
export class ProgressBar {
  private done = 0;
  private readonly started = performance.now();
  private readonly interactive: boolean;

  /**
   * @param total number of items
   * @param label what is being done
   */
  constructor(readonly total: number, readonly label: string) {
    this.interactive = Deno.stderr.isTerminal();
  }

  /**
   * Marks `count` more items as done.
   *
   * @param detail what was just finished (a file name)
   * @param count how many items (default 1)
   */
  tick(detail = "", count = 1): void {
    this.done += count;
    const elapsed = (performance.now() - this.started) / 1000;
    const rate = this.done / Math.max(elapsed, 1e-9);
    const eta = rate > 0 ? (this.total - this.done) / rate : 0;
    const width = 24;
    const filled = Math.round((this.done / Math.max(this.total, 1)) * width);
    const bar = `${"█".repeat(filled)}${"░".repeat(width - filled)}`;
    const line = `${this.label} ${bar} ${this.done}/${this.total} ${elapsed.toFixed(1)}s eta ${
      eta.toFixed(1)
    }s ${detail}`;
    if (this.interactive) Deno.stderr.writeSync(encoder.encode(`\r\x1b[2K${line}`));
    else Deno.stderr.writeSync(encoder.encode(`${line}\n`));
  }

  /** Ends the bar (a newline on a terminal). */
  finish(): void {
    if (this.interactive) Deno.stderr.writeSync(encoder.encode("\n"));
  }
}
