/**
 * The sha256 of each weights file, recorded in the manifest (`"sha256": { "<module>": "<64 hex>" }`) by
 * model/model_folder.ts and verified by model/load.ts: a bit flip, an edited header (a BF16 dtype over F16
 * bytes) or a file swapped after the model was written stops the load instead of giving wrong images.
 * Manifests written before the digests were recorded load without the check.
 *
 * @module
 */

/**
 * The hex sha256 of some bytes.
 *
 * @param bytes the bytes (a whole weights file)
 * @returns 64 lower-case hex digits
 * @example
 * ```ts
 * import { sha256Hex } from "./weights_digest.ts";
 * console.log((await sha256Hex(new TextEncoder().encode("abc"))).slice(0, 8)); // "ba7816bf"
 * ```
 */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>));
  return Array.from(digest, (byte) => byte.toString(16).padStart(2, "0")).join("");
}

/** Whether a value is a hex sha256 (64 lower-case hex digits). */
export function isSha256Hex(value: unknown): value is string {
  return typeof value === "string" && /^[0-9a-f]{64}$/.test(value);
}

/**
 * Checks a weights file's bytes against the digest its manifest recorded.
 *
 * @param bytes the file's bytes
 * @param expected the recorded hex sha256
 * @param source the file, for the message
 * @throws {SyntaxError} naming the file and both digests when they differ
 * @example
 * ```ts
 * import { sha256Hex, verifySha256 } from "./weights_digest.ts";
 * const bytes = new Uint8Array([1, 2, 3]);
 * await verifySha256(bytes, await sha256Hex(bytes), "w.safetensors"); // passes
 * ```
 */
export async function verifySha256(bytes: Uint8Array, expected: string, source: string): Promise<void> {
  const actual = await sha256Hex(bytes);
  if (actual !== expected) {
    throw new SyntaxError(
      `${source}: sha256 ${actual} differs from ${expected} recorded in the manifest; the file is damaged ` +
        `or was changed after the model was written`,
    );
  }
}
