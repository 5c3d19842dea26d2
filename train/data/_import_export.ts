/**
 * Imports the export named by `"<module>#<export>"` (the one small function to swap for `io/plugin_loader.ts`
 * once the generic plug-in loader exists).
 *
 * @module
 */

/**
 * The URL relative specifiers resolve against: the file that names them, or a folder when it ends with `/`.
 *
 * @param base a path or URL (default: the current directory)
 * @returns an absolute URL
 */
export function resolveModuleBase(base?: string | URL): URL {
  if (base === undefined) return new URL(`file://${encodePath(Deno.cwd())}/`);
  if (base instanceof URL) return base;
  if (/^[a-z][a-z0-9+.-]*:/i.test(base) && !/^[a-z]:[\\/]/i.test(base)) return new URL(base);
  const absolute = base.startsWith("/") ? base : `${Deno.cwd()}/${base}`;
  return new URL(`file://${encodePath(absolute)}`);
}

function encodePath(path: string): string {
  return path.split("/").map(encodeURIComponent).join("/");
}

/**
 * Imports `<module>#<export>`: the module is a relative path (against `base`), an absolute path, or a `file:` or
 * `http(s):` URL.
 *
 * @param specifier `<module>#<export>`
 * @param base what relative modules resolve against
 * @param kind what the export is, for messages ("Data source")
 * @returns the export and the module's absolute URL with the export (`url#name`)
 * @throws {TypeError} naming the specifier when it is malformed or the module lacks the export
 * @throws {Error} naming the specifier when the module cannot be imported
 */
export async function importExport(
  specifier: string,
  base: URL,
  kind: string,
): Promise<{ value: unknown; url: string }> {
  const hash = specifier.lastIndexOf("#");
  const modulePart = specifier.slice(0, hash), exportName = specifier.slice(hash + 1);
  if (hash <= 0 || !exportName) {
    throw new TypeError(`${kind} ${specifier} is not "<module>#<export>"`);
  }
  let url: URL;
  if (modulePart.startsWith("./") || modulePart.startsWith("../")) url = new URL(modulePart, base);
  else if (modulePart.startsWith("/")) url = new URL(`file://${encodePath(modulePart)}`);
  else if (/^(file|https?):/.test(modulePart)) url = new URL(modulePart);
  else {
    throw new TypeError(
      `${kind} ${specifier}: the module must be a relative path (./, ../), an absolute path, or a file: or ` +
        "http(s): URL",
    );
  }
  let module: Record<string, unknown>;
  try {
    module = await import(url.href);
  } catch (error) {
    throw new Error(`${kind} ${specifier}: cannot import ${url.href}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  if (!(exportName in module)) {
    const names = Object.keys(module);
    throw new TypeError(
      `${kind} ${specifier}: ${url.href} has no export "${exportName}" (it exports ${
        names.join(", ") || "nothing"
      })`,
    );
  }
  return { value: module[exportName], url: `${url.href}#${exportName}` };
}
