/**
 * The shape check shared by the hypernet's component contracts (fusion operators, sharing strategies).
 *
 * @module
 */

/**
 * What is wrong with a component `{ name, description, <method> }`.
 *
 * @param value anything
 * @param method the method it must have ("build")
 * @param signature the method's signature, for the message
 * @returns the first member that is wrong, or undefined
 */
export function checkComponent(value: unknown, method: string, signature: string): string | undefined {
  if (typeof value !== "object" || value === null) {
    return `it is ${
      value === null ? "null" : `a ${typeof value}`
    }, not an object with name, description and ${method}`;
  }
  const record = value as Record<string, unknown>;
  if (typeof record.name !== "string" || record.name === "") {
    return `name must be a non-empty string, got ${JSON.stringify(record.name) ?? "undefined"}`;
  }
  if (typeof record.description !== "string") {
    return `description must be a string, got ${JSON.stringify(record.description) ?? "undefined"}`;
  }
  if (typeof record[method] !== "function") {
    return `${method} must be a function ${signature}, got ${typeof record[method]}`;
  }
  return undefined;
}
