/**
 * Byte-building helpers shared by the tests of the binary readers (pickle, zip, torch files).
 *
 * @module
 */

/** Bytes from a mix of numbers (single bytes), strings (Latin-1) and byte arrays. */
export function bytesOf(...parts: Array<number | string | Uint8Array>): Uint8Array {
  const chunks = parts.map((part) =>
    typeof part === "number"
      ? Uint8Array.of(part)
      : typeof part === "string"
      ? Uint8Array.from(part, (c) => c.charCodeAt(0))
      : part
  );
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}

/** Bytes from a hex string (`"0a1b"`). */
export const fromHex = (hex: string): Uint8Array =>
  Uint8Array.from(hex.match(/../g)!, (h) => parseInt(h, 16));
