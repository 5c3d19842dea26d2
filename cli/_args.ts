/**
 * The command-line helpers the commands share: the value after `--name`, and the positional arguments.
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

/**
 * The positional arguments: those that neither start with `--` nor follow a `--flag` (read as its value).
 *
 * @param args command-line arguments
 * @returns the positional arguments, in order
 * @example
 * ```ts
 * import { positionals } from "./_args.ts";
 * console.log(positionals(["a.png", "--steps", "4", "b.png"])); // ["a.png", "b.png"]
 * ```
 */
export function positionals(args: readonly string[]): string[] {
  return args.filter((a, i) => !a.startsWith("--") && (i === 0 || !args[i - 1].startsWith("--")));
}
