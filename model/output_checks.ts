/**
 * Checks of what a model computes before anyone writes it: a non-finite value in an inversion (damaged or
 * mis-read weights, an overflow) would otherwise become a black image saved with exit 0. The error names the
 * stage and the input (batch row), so a command can report that input as failed.
 *
 * @module
 */

/** The stages an inversion's outputs come from, as messages name them. */
export type OutputStage = "W codes" | "phase-I images" | "residuals" | "final images" | "synthesis";

/**
 * A non-finite value in a model's output.
 *
 * @example
 * ```ts
 * import { NonFiniteOutputError } from "./output_checks.ts";
 * const error = new NonFiniteOutputError("final images", 1, NaN, "");
 * console.log(error instanceof RangeError, error.stage, error.index); // true "final images" 1
 * ```
 */
export class NonFiniteOutputError extends RangeError {
  /**
   * @param stage the output that holds the value
   * @param index the input's row in the batch (0-based)
   * @param value the first non-finite value
   * @param detail more about where (a ΔW target), or ""
   */
  /** Names the stage, the image index and the bad value. */
  constructor(readonly stage: OutputStage, readonly index: number, readonly value: number, detail: string) {
    super(
      `The ${stage}${detail ? ` (${detail})` : ""} of input ${index} of the batch hold a non-finite value ` +
        `(${value}); the model's weights may be damaged`,
    );
    this.name = "NonFiniteOutputError";
  }
}

/**
 * Throws for the first non-finite value of a batched output.
 *
 * @param data the output, row-major with the batch first ([B, …])
 * @param batch B
 * @param stage which output, for the message
 * @param detail more about where (a ΔW target), or ""
 * @throws {NonFiniteOutputError} naming the stage and the batch row of the first non-finite value
 * @example
 * ```ts
 * import { checkFiniteOutput } from "./output_checks.ts";
 * checkFiniteOutput(new Float32Array([0, 1, 2, 3]), 2, "final images"); // passes
 * ```
 */
export function checkFiniteOutput(data: Float32Array, batch: number, stage: OutputStage, detail = ""): void {
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i])) {
      throw new NonFiniteOutputError(stage, Math.floor(i / (data.length / batch)), data[i], detail);
    }
  }
}
