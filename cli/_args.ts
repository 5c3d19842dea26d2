/**
 * The value after `--name`, for the commands not yet on `runCommand` (io/command_line.ts); the others parse
 * strictly.
 *
 * @module
 */

/**
 * The value that follows `--name` in the arguments, or undefined when the flag is absent.
 *
 * @param args command-line arguments
 * @param name flag name without the dashes
 * @returns the value, or undefined
 * @example
 * ```ts
 * import { option } from "./_args.ts";
 * console.log(option(["--out", "a.png"], "out")); // "a.png"
 * ```
 */
export function option(args: readonly string[], name: string): string | undefined {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
}
