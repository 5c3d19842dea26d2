/**
 * A minimal, defensive zip reader: the end-of-central-directory record (zip64 too), the central directory and
 * the local headers, with stored and deflated entries. It is enough for the zip format of PyTorch's
 * `torch.save` (stored entries, data descriptors, 64-byte aligned data) and for ordinary archives.
 *
 * Every offset and size is checked against the file before it is used: a truncated or corrupt archive is a
 * `SyntaxError` that names the problem, and a declared size larger than the file (or than
 * {@linkcode ReadZipOptions.maxEntryBytes} for a deflated entry) is refused before anything is allocated.
 * Nothing is inflated until an entry is read, and then only that entry, streamed and stopped at its declared
 * size: a deflate bomb costs nothing unless it is read, and then at most its (capped) declared size.
 *
 * @module
 */

import { inflateRawSync } from "node:zlib";

/** One file of a {@linkcode ZipArchive}. */
export interface ZipEntry {
  /** Name as stored (UTF-8 or CP437 read as Latin-1), with `/` separators. */
  name: string;
  /** 0 = stored, 8 = deflate. */
  method: number;
  /** CRC-32 of the uncompressed data, from the central directory. */
  crc32: number;
  /** Bytes of the entry in the archive. */
  compressedSize: number;
  /** Bytes once uncompressed. */
  uncompressedSize: number;
  /** Offset of the entry's data (past its local header) in the archive. */
  dataOffset: number;
}

/** Options of {@linkcode readZip}. */
export interface ReadZipOptions {
  /** Name of the archive in error messages (default "zip archive"). */
  source?: string;
  /** Largest uncompressed size accepted for a deflated entry (default 1 GiB). */
  maxEntryBytes?: number;
  /** Largest number of entries accepted (default 1,000,000). */
  maxEntries?: number;
}

const EOCD_SIGNATURE = 0x06054b50;
const ZIP64_LOCATOR_SIGNATURE = 0x07064b50;
const ZIP64_EOCD_SIGNATURE = 0x06064b50;
const CENTRAL_SIGNATURE = 0x02014b50;
const LOCAL_SIGNATURE = 0x04034b50;
const EOCD_BYTES = 22;
const MAX_COMMENT_BYTES = 0xffff;

let crcTable: Uint32Array | undefined;

/**
 * CRC-32 (IEEE 802.3, the zip checksum) of some bytes.
 *
 * @param bytes data to checksum
 * @returns the unsigned 32-bit CRC
 *
 * @example
 * ```ts
 * import { crc32 } from "./zip.ts";
 * console.log(crc32(new TextEncoder().encode("123456789")).toString(16)); // cbf43926
 * ```
 */
export function crc32(bytes: Uint8Array): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let crc = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) crc = crcTable[(crc ^ bytes[i]) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

/** The entries of a zip file held in memory; see {@linkcode readZip}. */
export class ZipArchive {
  /** Entries by name, in central-directory order. */
  readonly entries: ReadonlyMap<string, ZipEntry>;
  readonly #bytes: Uint8Array;
  readonly #source: string;
  readonly #maxEntryBytes: number;

  /**
   * Wraps an already parsed directory; use {@linkcode readZip} instead.
   *
   * @param bytes the whole archive
   * @param entries its parsed entries
   * @param options `source` for messages, `maxEntryBytes` for inflation
   */
  constructor(
    bytes: Uint8Array,
    entries: ReadonlyMap<string, ZipEntry>,
    options: { source: string; maxEntryBytes: number },
  ) {
    this.#bytes = bytes;
    this.entries = entries;
    this.#source = options.source;
    this.#maxEntryBytes = options.maxEntryBytes;
  }

  /** The entry of that name, or an Error naming the archive and the missing name. */
  #entry(name: string): ZipEntry {
    const entry = this.entries.get(name);
    if (!entry) throw new Error(`${this.#source} has no entry "${name}"`);
    return entry;
  }

  /**
   * The data of a stored (uncompressed) entry, as a view into the archive (no copy); checks its CRC-32.
   *
   * @param name entry name
   * @returns the entry's bytes
   * @throws {Error} when the entry is missing or deflated (use {@linkcode ZipArchive.read})
   * @throws {SyntaxError} when the CRC-32 does not match
   */
  readStored(name: string): Uint8Array {
    const entry = this.#entry(name);
    if (entry.method !== 0) {
      throw new Error(
        `${this.#source}: entry "${name}" is compressed (method ${entry.method}); read it with the async read()`,
      );
    }
    const data = this.#bytes.subarray(entry.dataOffset, entry.dataOffset + entry.compressedSize);
    this.#checkCrc(entry, data);
    return data;
  }

  /**
   * The data of any entry (stored or deflated), checking its size and CRC-32; the same as
   * {@linkcode ZipArchive.readSync}, kept for callers that await it.
   *
   * @param name entry name
   * @param options `maxBytes`: a tighter limit on the inflated size of a deflated entry than the archive's
   *   `maxEntryBytes`
   * @returns the uncompressed bytes
   *
   * @example
   * ```ts
   * import { readZip } from "./zip.ts";
   * // An archive with one deflated entry "d.txt" = "hello hello hello hello" (made by Python's zipfile).
   * const hex = "504b030414000000080000002100e3513d8d0a0000001700000005000000642e747874cb48cdc9c957c8402701504b0102" +
   *   "140314000000080000002100e3513d8d0a00000017000000050000000000000000000000800100000000642e747874504b" +
   *   "05060000000001000100330000002d0000000000";
   * const zip = readZip(Uint8Array.from(hex.match(/../g)!, (h) => parseInt(h, 16)), { source: "a.zip" });
   * console.log(new TextDecoder().decode(await zip.read("d.txt"))); // hello hello hello hello
   * ```
   */
  read(name: string, options: { maxBytes?: number } = {}): Promise<Uint8Array> {
    try {
      return Promise.resolve(this.readSync(name, options));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * The data of any entry (stored or deflated), checking its size and CRC-32. A stored entry is a view into the
   * archive. A deflated entry is refused before inflating when its declared size is over the limit, and inflation
   * stops as soon as the output passes the declared size, so a deflate bomb costs at most the (capped) size it
   * declares.
   *
   * @param name entry name
   * @param options `maxBytes`: a tighter limit on the inflated size of a deflated entry than the archive's
   *   `maxEntryBytes` (for example the bytes the reader needs from it)
   * @returns the uncompressed bytes
   * @throws {RangeError} when a deflated entry declares more bytes than the limit, naming the entry
   * @throws {SyntaxError} when it inflates to more (or fewer) bytes than declared, or is not deflate data
   *
   * @example
   * ```ts
   * import { readZip } from "./zip.ts";
   * // An archive with one deflated entry "d.txt" = "hello hello hello hello" (made by Python's zipfile).
   * const hex = "504b030414000000080000002100e3513d8d0a0000001700000005000000642e747874cb48cdc9c957c8402701504b0102" +
   *   "140314000000080000002100e3513d8d0a00000017000000050000000000000000000000800100000000642e747874504b" +
   *   "05060000000001000100330000002d0000000000";
   * const zip = readZip(Uint8Array.from(hex.match(/../g)!, (h) => parseInt(h, 16)), { source: "a.zip" });
   * console.log(new TextDecoder().decode(zip.readSync("d.txt"))); // hello hello hello hello
   * try {
   *   zip.readSync("d.txt", { maxBytes: 10 });
   * } catch (error) {
   *   console.log((error as Error).message); // a.zip: entry "d.txt" declares 23 bytes, over the limit of 10
   * }
   * ```
   */
  readSync(name: string, options: { maxBytes?: number } = {}): Uint8Array {
    const entry = this.#entry(name);
    if (entry.method === 0) return this.readStored(name);
    if (entry.method !== 8) {
      throw new Error(
        `${this.#source}: entry "${name}" uses compression method ${entry.method} (only 0 and 8)`,
      );
    }
    const limit = Math.min(this.#maxEntryBytes, options.maxBytes ?? Infinity);
    if (entry.uncompressedSize > limit) {
      throw new RangeError(
        `${this.#source}: entry "${name}" declares ${entry.uncompressedSize} bytes, over the limit of ${limit}`,
      );
    }
    const compressed = this.#bytes.subarray(entry.dataOffset, entry.dataOffset + entry.compressedSize);
    let out: Uint8Array;
    try {
      // maxOutputLength makes zlib stop as soon as the output would pass the declared size.
      out = inflateRawSync(compressed, { maxOutputLength: Math.max(1, entry.uncompressedSize) });
    } catch (error) {
      if ((error as { code?: string }).code === "ERR_BUFFER_TOO_LARGE") {
        throw new SyntaxError(
          `${this.#source}: entry "${name}" inflates to more than its declared ${entry.uncompressedSize} bytes`,
        );
      }
      throw new SyntaxError(`${this.#source}: entry "${name}" is not valid deflate data (${error})`);
    }
    if (out.length !== entry.uncompressedSize) {
      throw new SyntaxError(
        `${this.#source}: entry "${name}" inflates to ${out.length} bytes, not the declared ${entry.uncompressedSize}`,
      );
    }
    const data = new Uint8Array(out.buffer, out.byteOffset, out.length);
    this.#checkCrc(entry, data);
    return data;
  }

  #checkCrc(entry: ZipEntry, data: Uint8Array): void {
    const actual = crc32(data);
    if (actual !== entry.crc32) {
      throw new SyntaxError(
        `${this.#source}: entry "${entry.name}" has CRC-32 ${actual.toString(16)}, the directory says ${
          entry.crc32.toString(16)
        } (corrupt archive)`,
      );
    }
  }
}

/** Whether the bytes start like a zip archive (a local file header, or an empty archive's EOCD). */
export function isZip(bytes: Uint8Array): boolean {
  if (bytes.length < 4) return false;
  const signature = new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0, true);
  return signature === LOCAL_SIGNATURE || signature === EOCD_SIGNATURE;
}

/**
 * Parses the directory of a zip archive held in memory.
 *
 * @param bytes the whole archive
 * @param options `source` (name in messages), `maxEntryBytes`, `maxEntries`
 * @returns a {@linkcode ZipArchive} whose entries can then be read
 * @throws {SyntaxError} for a truncated or corrupt archive, naming what is wrong
 *
 * @example
 * ```ts
 * import { readZip } from "./zip.ts";
 * // An archive with one stored entry "a.txt" = "hi" (made by Python's zipfile).
 * const hex = "504b030414000000000000002100ac2a93d8020000000200000005000000612e7478746869504b01021403140000" +
 *   "00000000002100ac2a93d80200000002000000050000000000000000000000800100000000612e747874504b050600000000" +
 *   "0100010033000000250000000000";
 * const zip = readZip(Uint8Array.from(hex.match(/../g)!, (h) => parseInt(h, 16)));
 * console.log([...zip.entries.keys()], new TextDecoder().decode(zip.readStored("a.txt"))); // [ "a.txt" ] hi
 * ```
 */
export function readZip(bytes: Uint8Array, options: ReadZipOptions = {}): ZipArchive {
  const source = options.source ?? "zip archive";
  const maxEntryBytes = options.maxEntryBytes ?? 2 ** 30;
  const maxEntries = options.maxEntries ?? 1_000_000;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const fail = (what: string): never => {
    throw new SyntaxError(`${source} is not a valid zip archive: ${what}`);
  };
  if (bytes.length < EOCD_BYTES) fail(`only ${bytes.length} bytes (truncated)`);

  // The end-of-central-directory record is the last 22 bytes plus a comment of up to 65535 bytes.
  let eocd = -1;
  const lowest = Math.max(0, bytes.length - EOCD_BYTES - MAX_COMMENT_BYTES);
  for (let at = bytes.length - EOCD_BYTES; at >= lowest; at--) {
    if (
      view.getUint32(at, true) === EOCD_SIGNATURE &&
      at + EOCD_BYTES + view.getUint16(at + 20, true) <= bytes.length
    ) {
      eocd = at;
      break;
    }
  }
  if (eocd < 0) fail("no end-of-central-directory record (truncated or not a zip)");
  let entryCount = view.getUint16(eocd + 10, true);
  let directoryBytes = view.getUint32(eocd + 12, true);
  let directoryOffset = view.getUint32(eocd + 16, true);

  if (entryCount === 0xffff || directoryBytes === 0xffffffff || directoryOffset === 0xffffffff) {
    const locator = eocd - 20;
    if (locator < 0 || view.getUint32(locator, true) !== ZIP64_LOCATOR_SIGNATURE) {
      fail("the end record needs zip64 but there is no zip64 locator");
    }
    const record = readU64(view, locator + 8, fail, "zip64 end record offset");
    if (record + 56 > bytes.length || view.getUint32(record, true) !== ZIP64_EOCD_SIGNATURE) {
      fail(`no zip64 end record at offset ${record}`);
    }
    entryCount = readU64(view, record + 32, fail, "zip64 entry count");
    directoryBytes = readU64(view, record + 40, fail, "zip64 directory size");
    directoryOffset = readU64(view, record + 48, fail, "zip64 directory offset");
  }
  if (directoryOffset + directoryBytes > eocd) {
    fail(
      `the central directory (offset ${directoryOffset}, ${directoryBytes} bytes) runs past its end record`,
    );
  }
  if (entryCount > maxEntries) fail(`${entryCount} entries, over the limit of ${maxEntries}`);
  if (entryCount * 46 > directoryBytes) {
    fail(`${entryCount} entries cannot fit in ${directoryBytes} directory bytes`);
  }

  const decoderUtf8 = new TextDecoder("utf-8", { fatal: true });
  const decoderLatin1 = new TextDecoder("latin1");
  const entries = new Map<string, ZipEntry>();
  let at = directoryOffset;
  const directoryEnd = directoryOffset + directoryBytes;
  for (let i = 0; i < entryCount; i++) {
    if (at + 46 > directoryEnd || view.getUint32(at, true) !== CENTRAL_SIGNATURE) {
      fail(`central directory entry ${i} at offset ${at} is missing or corrupt`);
    }
    const flags = view.getUint16(at + 8, true);
    const method = view.getUint16(at + 10, true);
    const crc = view.getUint32(at + 16, true);
    let compressedSize = view.getUint32(at + 20, true);
    let uncompressedSize = view.getUint32(at + 24, true);
    const nameBytes = view.getUint16(at + 28, true);
    const extraBytes = view.getUint16(at + 30, true);
    const commentBytes = view.getUint16(at + 32, true);
    let localOffset = view.getUint32(at + 42, true);
    const next = at + 46 + nameBytes + extraBytes + commentBytes;
    if (next > directoryEnd) fail(`central directory entry ${i} runs past the directory`);
    const rawName = bytes.subarray(at + 46, at + 46 + nameBytes);
    let name: string;
    try {
      name = flags & 0x800 ? decoderUtf8.decode(rawName) : decoderLatin1.decode(rawName);
    } catch {
      fail(`central directory entry ${i} has a name that is not UTF-8`);
    }
    // zip64 extended information: the 64-bit values of the fields that read 0xFFFFFFFF, in this order.
    let extra = at + 46 + nameBytes;
    const extraEnd = extra + extraBytes;
    while (extra + 4 <= extraEnd) {
      const id = view.getUint16(extra, true);
      const size = view.getUint16(extra + 2, true);
      if (extra + 4 + size > extraEnd) fail(`entry "${name!}" has a truncated extra field`);
      if (id === 0x0001) {
        let field = extra + 4;
        const take = (what: string): number => {
          if (field + 8 > extra + 4 + size) fail(`entry "${name!}" has a short zip64 extra field`);
          const value = readU64(view, field, fail, what);
          field += 8;
          return value;
        };
        if (uncompressedSize === 0xffffffff) uncompressedSize = take("zip64 size");
        if (compressedSize === 0xffffffff) compressedSize = take("zip64 compressed size");
        if (localOffset === 0xffffffff) localOffset = take("zip64 offset");
      }
      extra += 4 + size;
    }
    if (localOffset + 30 > bytes.length || view.getUint32(localOffset, true) !== LOCAL_SIGNATURE) {
      fail(`entry "${name!}" has no local header at offset ${localOffset}`);
    }
    const dataOffset = localOffset + 30 + view.getUint16(localOffset + 26, true) +
      view.getUint16(localOffset + 28, true);
    if (dataOffset + compressedSize > bytes.length) {
      fail(
        `entry "${name!}" needs bytes ${dataOffset}..${
          dataOffset + compressedSize
        } but the file has ${bytes.length} (truncated)`,
      );
    }
    if (method === 0 && compressedSize !== uncompressedSize) {
      fail(`stored entry "${name!}" has sizes ${compressedSize} and ${uncompressedSize}`);
    }
    if (flags & 1) fail(`entry "${name!}" is encrypted`);
    if (entries.has(name!)) fail(`entry "${name!}" appears twice`);
    entries.set(name!, { name: name!, method, crc32: crc, compressedSize, uncompressedSize, dataOffset });
    at = next;
  }
  return new ZipArchive(bytes, entries, { source, maxEntryBytes });
}

function readU64(view: DataView, at: number, fail: (what: string) => never, what: string): number {
  const value = view.getBigUint64(at, true);
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) fail(`${what} ${value} is too large`);
  return Number(value);
}
