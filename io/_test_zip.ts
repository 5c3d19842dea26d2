/**
 * Zip-building helpers for the tests of the zip and torch readers: archives with stored or deflated entries whose
 * declared sizes may lie, and a deflate bomb that is small to build.
 *
 * @module
 */

import { constants, deflateRawSync } from "node:zlib";
import { crc32 } from "./zip.ts";

/** One entry of {@linkcode zipOf}. */
export interface TestZipEntry {
  /** Entry name. */
  name: string;
  /** The bytes stored in the archive (already deflated when `method` is 8). */
  data: Uint8Array;
  /** 0 = stored (default), 8 = deflated. */
  method?: 0 | 8;
  /** Uncompressed size written in the headers (default: `data.length` when stored). */
  uncompressedSize?: number;
  /** CRC-32 written in the headers (default: that of `data` when stored, else 0). */
  crc?: number;
}

/**
 * A zip archive of the given entries, in order (no zip64: sizes must fit 32 bits).
 *
 * @param entries the entries
 * @returns the archive's bytes
 *
 * @example
 * ```ts
 * import { zipOf } from "./_test_zip.ts";
 * import { readZip } from "./zip.ts";
 * const zip = readZip(zipOf([{ name: "a", data: new Uint8Array([7]) }]));
 * console.log(zip.readStored("a")); // Uint8Array(1) [ 7 ]
 * ```
 */
export function zipOf(entries: readonly TestZipEntry[]): Uint8Array {
  const parts: Uint8Array[] = [];
  const centrals: Uint8Array[] = [];
  let offset = 0;
  const header = (bytes: number) => {
    const out = new Uint8Array(bytes);
    return { out, view: new DataView(out.buffer) };
  };
  for (const entry of entries) {
    const name = new TextEncoder().encode(entry.name);
    const method = entry.method ?? 0;
    const size = entry.uncompressedSize ?? entry.data.length;
    const crc = entry.crc ?? (method === 0 ? crc32(entry.data) : 0);
    const local = header(30);
    local.view.setUint32(0, 0x04034b50, true);
    local.view.setUint16(4, 20, true);
    local.view.setUint16(8, method, true);
    local.view.setUint32(14, crc, true);
    local.view.setUint32(18, entry.data.length, true);
    local.view.setUint32(22, size, true);
    local.view.setUint16(26, name.length, true);
    const central = header(46);
    central.view.setUint32(0, 0x02014b50, true);
    central.view.setUint16(4, 20, true);
    central.view.setUint16(6, 20, true);
    central.view.setUint16(10, method, true);
    central.view.setUint32(16, crc, true);
    central.view.setUint32(20, entry.data.length, true);
    central.view.setUint32(24, size, true);
    central.view.setUint16(28, name.length, true);
    central.view.setUint32(42, offset, true);
    parts.push(local.out, name, entry.data);
    centrals.push(central.out, name);
    offset += 30 + name.length + entry.data.length;
  }
  const directoryBytes = centrals.reduce((n, c) => n + c.length, 0);
  const end = header(22);
  end.view.setUint32(0, 0x06054b50, true);
  end.view.setUint16(8, entries.length, true);
  end.view.setUint16(10, entries.length, true);
  end.view.setUint32(12, directoryBytes, true);
  end.view.setUint32(16, offset, true);
  const all = [...parts, ...centrals, end.out];
  const out = new Uint8Array(all.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const chunk of all) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}

/**
 * A raw deflate stream of `mebibytes` MiB of zeros, about 1 KiB per MiB, built from one compressed MiB repeated
 * (each copy ends in a sync flush, so copies concatenate) and a final empty block.
 *
 * @param mebibytes inflated size in MiB
 * @returns the deflate stream
 *
 * @example
 * ```ts
 * import { inflateRawSync } from "node:zlib";
 * import { deflateBomb } from "./_test_zip.ts";
 * const bomb = deflateBomb(3);
 * console.log(bomb.length < 4096, inflateRawSync(bomb).length); // true 3145728
 * ```
 */
export function deflateBomb(mebibytes: number): Uint8Array {
  const chunk = deflateRawSync(new Uint8Array(2 ** 20), { finishFlush: constants.Z_SYNC_FLUSH, level: 9 });
  const out = new Uint8Array(chunk.length * mebibytes + 2);
  for (let i = 0; i < mebibytes; i++) out.set(chunk, i * chunk.length);
  out.set([0x03, 0x00], chunk.length * mebibytes); // a final fixed-Huffman block holding only end-of-block
  return out;
}
