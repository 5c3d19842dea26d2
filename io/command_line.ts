/**
 * Strict command lines for every command: `node:util` `parseArgs` in strict mode, typed and range-checked
 * values, `--help` that prints usage and does nothing else, an unknown flag as an error that names it, and one
 * exit-code contract.
 *
 * Exit status of every command: {@link EXIT_OK} (0) everything done, {@link EXIT_SOME_FAILED} (1) some inputs
 * failed (the others were done), {@link EXIT_USAGE} (2) bad usage or nothing done.
 *
 * @example
 * ```ts
 * import { parseCommandLine } from "./command_line.ts";
 * const spec = {
 *   name: "demo",
 *   usage: "deno task demo [--steps N]",
 *   flags: { steps: { type: "integer", min: 1, default: 10, description: "training steps" } },
 * } as const;
 * const parsed = parseCommandLine(spec, ["--steps", "5"]);
 * if (parsed.help) throw new Error("unexpected");
 * console.log(parsed.values.steps); // 5
 * ```
 *
 * @module
 */

import { parseArgs } from "node:util";
import { closestName } from "./closest_name.ts";

/** Everything asked was done. */
export const EXIT_OK = 0;
/** Some inputs failed; the others were done. */
export const EXIT_SOME_FAILED = 1;
/** Bad usage (flags, values, outputs, device) or nothing could be done. */
export const EXIT_USAGE = 2;

/** One flag of a command. */
export interface FlagSpec {
  /** `string`, `boolean` (a switch), `integer` or `number` (checked, with `min`/`max`). */
  readonly type: "string" | "boolean" | "integer" | "number";
  /** One line for `--help`. */
  readonly description: string;
  /** The value when the flag is absent (booleans default to false). */
  readonly default?: string | number | boolean;
  /** Smallest allowed value (numbers). */
  readonly min?: number;
  /** Largest allowed value (numbers). */
  readonly max?: number;
  /** The allowed values (strings). */
  readonly choices?: readonly string[];
  /** Name of the value in `--help` (`N`, `DIR`). */
  readonly valueName?: string;
  /** A one-letter alias. */
  readonly short?: string;
  /** The flag must be given (a value flag without a default). */
  readonly required?: boolean;
}

/** A command's flags and positional arguments. */
export interface CommandSpec {
  /** The command's name, used as the prefix of its messages (`invert: …`). */
  readonly name: string;
  /** The usage line. */
  readonly usage: string;
  /** What the command does (printed under the usage by `--help`). */
  readonly description?: string;
  /** The flags, by their long name without dashes. */
  readonly flags: Readonly<Record<string, FlagSpec>>;
  /** How many positional arguments are allowed (default: none). */
  readonly positionals?: { readonly min: number; readonly max: number; readonly names?: string };
}

type ValueType<F extends FlagSpec> = F["type"] extends "boolean" ? boolean
  : F["type"] extends "string" ? string
  : number;

/** The typed values of a command's flags: a flag with a default (or a boolean) is always present. */
export type FlagValues<F extends Readonly<Record<string, FlagSpec>>> = {
  -readonly [K in keyof F]: F[K] extends { readonly default: string | number | boolean } ? ValueType<F[K]>
    : F[K] extends { readonly required: true } ? ValueType<F[K]>
    : F[K]["type"] extends "boolean" ? boolean
    : ValueType<F[K]> | undefined;
};

/** The parsed command line, or a request for help. */
export type ParsedCommandLine<S extends CommandSpec> =
  | { readonly help: true }
  | { readonly help: false; readonly values: FlagValues<S["flags"]>; readonly positionals: string[] };

/** Bad usage: an unknown flag, a missing or malformed value, the wrong number of positional arguments. */
export class UsageError extends Error {
  /** @param message what is wrong, naming the flag or value */
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

function checkNumber(name: string, flag: FlagSpec, text: string): number {
  const trimmed = text.trim();
  const value = trimmed === "" ? NaN : Number(trimmed);
  if (!Number.isFinite(value)) {
    throw new UsageError(
      `--${name} must be a${flag.type === "integer" ? "n integer" : " number"}, got "${text}"`,
    );
  }
  if (flag.type === "integer" && !Number.isInteger(value)) {
    throw new UsageError(`--${name} must be an integer, got "${text}"`);
  }
  if (flag.min !== undefined && value < flag.min) {
    throw new UsageError(`--${name} must be at least ${flag.min}, got ${text}`);
  }
  if (flag.max !== undefined && value > flag.max) {
    throw new UsageError(`--${name} must be at most ${flag.max}, got ${text}`);
  }
  return value;
}

/**
 * Parses a command line strictly against its spec.
 *
 * @param spec the command's flags and positional arguments
 * @param args the arguments after the command name
 * @returns `{ help: true }` when `--help` (or `-h`) was given, else the typed values and the positionals
 * @throws {UsageError} naming an unknown flag, a flag without its value, a missing required flag, a malformed or
 * out-of-range value, or the wrong number of positional arguments
 * @example
 * ```ts
 * import { parseCommandLine, UsageError } from "./command_line.ts";
 * const spec = { name: "x", usage: "x", flags: { steps: { type: "integer", description: "steps" } } } as const;
 * try {
 *   parseCommandLine(spec, ["--step", "5"]);
 *   throw new Error("not refused");
 * } catch (error) {
 *   if (!(error instanceof UsageError)) throw error;
 *   console.log(error.message); // Unknown option --step (did you mean --steps?); ...
 * }
 * ```
 */
export function parseCommandLine<S extends CommandSpec>(
  spec: S,
  args: readonly string[],
): ParsedCommandLine<S> {
  if (args.includes("--help") || args.includes("-h")) return { help: true };
  const options: Record<string, { type: "string" | "boolean"; short?: string }> = {};
  for (const [name, flag] of Object.entries(spec.flags)) {
    options[name] = { type: flag.type === "boolean" ? "boolean" : "string" };
    if (flag.short) options[name].short = flag.short;
  }
  let raw: { values: Record<string, string | boolean | undefined>; positionals: string[] };
  try {
    raw = parseArgs({
      args: joinNegativeValues(spec, args),
      options,
      strict: true,
      allowPositionals: true,
    }) as typeof raw;
  } catch (error) {
    throw new UsageError(describeParseError(spec, error as Error & { code?: string }));
  }
  const values: Record<string, string | number | boolean | undefined> = {};
  for (const [name, flag] of Object.entries(spec.flags)) {
    const given = raw.values[name];
    if (given === undefined) {
      if (flag.required) throw new UsageError(`--${name} is required`);
      values[name] = flag.default ?? (flag.type === "boolean" ? false : undefined);
      continue;
    }
    if (flag.type === "boolean") values[name] = given as boolean;
    else if (flag.type === "string") {
      const text = given as string;
      if (flag.choices && !flag.choices.includes(text)) {
        throw new UsageError(`--${name} must be one of ${flag.choices.join(", ")}; got "${text}"`);
      }
      values[name] = text;
    } else values[name] = checkNumber(name, flag, given as string);
  }
  const allowed = spec.positionals ?? { min: 0, max: 0 };
  const count = raw.positionals.length;
  if (count < allowed.min || count > allowed.max) {
    const want = allowed.min === allowed.max ? `${allowed.min}` : `${allowed.min}..${allowed.max}`;
    const what = allowed.names ? ` (${allowed.names})` : "";
    throw new UsageError(
      count > allowed.max && allowed.max === 0
        ? `Unexpected argument "${raw.positionals[0]}"; this command takes only flags`
        : `Expected ${want} positional argument(s)${what}, got ${count}${
          count ? `: ${raw.positionals.map((p) => `"${p}"`).join(" ")}` : ""
        }`,
    );
  }
  return { help: false, values: values as FlagValues<S["flags"]>, positionals: raw.positionals };
}

/** `--gammas -3,0,3` and `--lr -1`: a value that starts with a dash is joined to its flag (`--lr=-1`). */
function joinNegativeValues(spec: CommandSpec, args: readonly string[]): string[] {
  const joined: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const flag = args[i].startsWith("--") ? spec.flags[args[i].slice(2)] : undefined;
    const next = args[i + 1];
    if (flag && flag.type !== "boolean" && next !== undefined && /^-[\d.]/.test(next)) {
      joined.push(`${args[i]}=${next}`);
      i++;
    } else joined.push(args[i]);
  }
  return joined;
}

function describeParseError(spec: CommandSpec, error: Error & { code?: string }): string {
  const names = Object.keys(spec.flags);
  const valid = `valid options: ${names.map((n) => `--${n}`).join(" ")} --help`;
  const unknown = /Unknown option '([^']+)'/.exec(error.message);
  if (unknown) {
    const flag = unknown[1];
    const guess = flag.startsWith("--") ? closestName(flag.slice(2), names) : undefined;
    return `Unknown option ${flag}${guess ? ` (did you mean --${guess}?)` : ""}; ${valid}`;
  }
  const missing = /Option '(?:-\w, )?--([^ ]+) <value>' argument missing/.exec(error.message);
  if (missing) return `--${missing[1]} needs a value`;
  const boolean = /Option '(?:-\w, )?--([^']+)' does not take an argument/.exec(error.message);
  if (boolean) return `--${boolean[1]} is a switch and takes no value`;
  return error.message;
}

/**
 * The `--help` text: usage, description, flags with their defaults and ranges, and the exit codes.
 *
 * @param spec the command
 * @returns the text
 * @example
 * ```ts
 * import { usageText } from "./command_line.ts";
 * const text = usageText({ name: "x", usage: "deno task x", flags: {} });
 * console.log(text.startsWith("usage: deno task x")); // true
 * ```
 */
export function usageText(spec: CommandSpec): string {
  const lines = [`usage: ${spec.usage}`];
  if (spec.description) lines.push("", spec.description);
  const entries = Object.entries(spec.flags);
  const heads = entries.map(([name, flag]) =>
    `  ${flag.short ? `-${flag.short}, ` : ""}--${name}${
      flag.type === "boolean" ? "" : ` ${flag.valueName ?? (flag.type === "string" ? "VALUE" : "N")}`
    }`
  );
  const helpHead = "  -h, --help";
  const width = Math.max(helpHead.length, ...heads.map((h) => h.length)) + 2;
  lines.push("", "options:");
  entries.forEach(([, flag], i) => {
    const notes: string[] = [];
    if (flag.required) notes.push("required");
    if (flag.choices) notes.push(`one of ${flag.choices.join("|")}`);
    if (flag.min !== undefined || flag.max !== undefined) {
      notes.push(`${flag.min ?? "-∞"}..${flag.max ?? "∞"}`);
    }
    if (flag.default !== undefined && flag.type !== "boolean") notes.push(`default ${flag.default}`);
    lines.push(`${heads[i].padEnd(width)}${flag.description}${notes.length ? ` (${notes.join("; ")})` : ""}`);
  });
  lines.push(`${helpHead.padEnd(width)}print this help and do nothing else`);
  lines.push("", "exit status: 0 done, 1 some inputs failed, 2 bad usage or nothing done");
  return lines.join("\n");
}

/**
 * Runs a command: parses its command line, prints usage for `--help` (exit 0), reports a {@link UsageError}
 * as `name: message` with a hint (exit 2), and otherwise calls `body` with the typed values. Errors thrown by
 * `body` are printed as `name: message` without a stack trace (exit 2); set `HYPERINVERTER_DEBUG=1` for it.
 *
 * @param spec the command
 * @param args the arguments after the command name
 * @param body the work; returns the exit status
 * @returns the exit status
 * @example
 * ```ts
 * import { runCommand } from "./command_line.ts";
 * const spec = { name: "x", usage: "x", flags: { n: { type: "integer", min: 1, default: 1, description: "n" } } } as const;
 * const status = await runCommand(spec, ["--n", "0"], () => Promise.resolve(0));
 * console.log(status); // 2
 * ```
 */
export async function runCommand<S extends CommandSpec>(
  spec: S,
  args: readonly string[],
  body: (values: FlagValues<S["flags"]>, positionals: string[]) => Promise<number>,
): Promise<number> {
  let parsed: ParsedCommandLine<S>;
  try {
    parsed = parseCommandLine(spec, args);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`${spec.name}: ${error.message}\n(run with --help for usage)`);
    return EXIT_USAGE;
  }
  if (parsed.help) {
    console.log(usageText(spec));
    return EXIT_OK;
  }
  try {
    return await body(parsed.values, parsed.positionals);
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`${spec.name}: ${error.message}\n(run with --help for usage)`);
      return EXIT_USAGE;
    }
    const debug = (() => {
      try {
        return Deno.env.get("HYPERINVERTER_DEBUG") === "1";
      } catch {
        return false;
      }
    })();
    console.error(
      `${spec.name}: ${debug ? (error as Error).stack : (error as Error).message ?? String(error)}`,
    );
    return EXIT_USAGE;
  }
}
