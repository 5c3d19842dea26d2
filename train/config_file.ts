/**
 * Training configuration files: a JSON object overriding documented defaults. The defaults object is the
 * schema: a key it lacks is rejected (the message lists the valid keys with their defaults), and a value must
 * have its default's type (number, string, boolean, array, or a nested object checked the same way, key by
 * key). A default of `null` accepts any JSON value. Ranges and cross-field rules go in `validate`.
 *
 * @module
 */

/** Options of {@linkcode readTrainingConfig} and {@linkcode parseTrainingConfig}. */
export interface TrainingConfigOptions<T> {
  /** Checks ranges and cross-field rules of the merged config; throws to reject it (the file is named). */
  validate?: (config: T) => void;
  /** Name of the source in error messages (default `"config"`; the path for {@linkcode readTrainingConfig}). */
  source?: string;
}

function kindOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  return typeof value;
}

function describe(value: unknown): string {
  const text = JSON.stringify(value);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

/** Merges `value` over `defaults`, collecting every unknown key and wrong type into `errors`. */
function merge(defaults: unknown, value: unknown, path: string, errors: string[]): unknown {
  if (defaults === null) return value;
  const expected = kindOf(defaults), actual = kindOf(value);
  if (expected !== actual) {
    errors.push(
      `"${path}" must be a ${expected} (default ${describe(defaults)}), got ${actual} ${describe(value)}`,
    );
    return defaults;
  }
  if (expected === "array") {
    const sample = (defaults as unknown[])[0];
    if (sample !== undefined && sample !== null) {
      (value as unknown[]).forEach((item, i) => {
        if (kindOf(item) !== kindOf(sample)) {
          errors.push(`"${path}[${i}]" must be a ${kindOf(sample)}, got ${kindOf(item)} ${describe(item)}`);
        }
      });
    }
    return value;
  }
  if (expected !== "object") return value;
  const base = defaults as Record<string, unknown>, given = value as Record<string, unknown>;
  const out: Record<string, unknown> = { ...base };
  const unknown = Object.keys(given).filter((key) => !Object.hasOwn(base, key));
  if (unknown.length) {
    const where = path ? ` in "${path}"` : "";
    const valid = Object.entries(base).map(([key, v]) => `${key} (default ${describe(v)})`).join(", ");
    errors.push(`Unknown key(s)${where}: ${unknown.join(", ")}. Valid keys: ${valid}`);
  }
  for (const key of Object.keys(given)) {
    if (Object.hasOwn(base, key)) {
      out[key] = merge(base[key], given[key], path ? `${path}.${key}` : key, errors);
    }
  }
  return out;
}

/**
 * Parses a JSON config text over defaults.
 *
 * @param text JSON text (an object)
 * @param defaults every valid key with its default value
 * @param options `validate`, `source`
 * @returns the defaults with the file's values merged in (nested objects merged key by key)
 * @throws {SyntaxError} when the text is not JSON or not an object
 * @throws {TypeError} listing every unknown key (with the valid ones) and every wrongly typed value
 * @throws whatever `validate` throws, with the source prefixed to its message
 * @example
 * ```ts
 * import { parseTrainingConfig } from "./config_file.ts";
 * const config = parseTrainingConfig('{"lr": 0.001}', { lr: 1e-4, batchSize: 8 });
 * console.log(config); // { lr: 0.001, batchSize: 8 }
 * ```
 */
export function parseTrainingConfig<T extends object>(
  text: string,
  defaults: T,
  options: TrainingConfigOptions<T> = {},
): T {
  const source = options.source ?? "config";
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new SyntaxError(`${source}: not valid JSON (${(error as Error).message})`);
  }
  if (kindOf(value) !== "object") {
    throw new SyntaxError(`${source}: must be a JSON object, got ${kindOf(value)}`);
  }
  const errors: string[] = [];
  const config = merge(defaults, value, "", errors) as T;
  if (errors.length) throw new TypeError(`${source}: ${errors.join("; ")}`);
  if (options.validate) {
    try {
      options.validate(config);
    } catch (error) {
      if (error instanceof Error) {
        const Kind = error.constructor as new (message: string, options?: ErrorOptions) => Error;
        throw new Kind(`${source}: ${error.message}`, { cause: error });
      }
      throw error;
    }
  }
  return config;
}

/**
 * Reads a JSON training config over defaults (see {@linkcode parseTrainingConfig}).
 *
 * @param path config file
 * @param defaults every valid key with its default value
 * @param options `validate`
 * @returns the merged config
 * @throws {Deno.errors.NotFound} when the file is missing; the errors of {@linkcode parseTrainingConfig}, naming
 *   the path
 * @example
 * ```ts
 * import { readTrainingConfig } from "./config_file.ts";
 * const path = await Deno.makeTempFile({ suffix: ".json" });
 * await Deno.writeTextFile(path, '{"batchSize": 4}');
 * const config = await readTrainingConfig(path, { lr: 1e-4, batchSize: 8 }, {
 *   validate: (c) => { if (c.batchSize < 1) throw new RangeError(`batchSize must be ≥ 1, got ${c.batchSize}`); },
 * });
 * console.log(config.batchSize); // 4
 * ```
 */
export async function readTrainingConfig<T extends object>(
  path: string,
  defaults: T,
  options: Omit<TrainingConfigOptions<T>, "source"> = {},
): Promise<T> {
  return parseTrainingConfig(await Deno.readTextFile(path), defaults, { ...options, source: path });
}
