/**
 * Name lookup shared by the hypernet registries (fusion operators, sharing strategies).
 *
 * @module
 */

/**
 * The entry of a registry by name.
 *
 * @param registry name → entry
 * @param what what an entry is, for the error ("fusion operator")
 * @param name the name asked for
 * @returns the entry
 * @throws {RangeError} for an unknown name; the message lists the valid names in registry order
 */
export function lookupByName<T>(registry: Readonly<Record<string, T>>, what: string, name: string): T {
  if (!Object.hasOwn(registry, name)) {
    throw new RangeError(
      `Unknown ${what} ${JSON.stringify(name)}; valid names are ${Object.keys(registry).join(", ")}`,
    );
  }
  return registry[name];
}
