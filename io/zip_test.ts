import assert from "node:assert/strict";
import { crc32, isZip, readZip } from "./zip.ts";
import { fromHex } from "./_test_bytes.ts";
import { deflateBomb, zipOf } from "./_test_zip.ts";

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

// Python zipfile: one stored entry "a.txt" = "hi".
const STORED = fromHex(
  "504b030414000000000000002100ac2a93d8020000000200000005000000612e7478746869504b01021403140000" +
    "00000000002100ac2a93d80200000002000000050000000000000000000000800100000000612e747874504b050600000000" +
    "0100010033000000250000000000",
);
// Python zipfile: one deflated entry "d.txt" = "hello hello hello hello".
const DEFLATED = fromHex(
  "504b030414000000080000002100e3513d8d0a0000001700000005000000642e747874cb48cdc9c957c8402701504b0102" +
    "140314000000080000002100e3513d8d0a00000017000000050000000000000000000000800100000000642e747874504b" +
    "05060000000001000100330000002d0000000000",
);
// Python zipfile with force_zip64: a zip64 extra field in the local header of "big.bin" = "zip64!".
const ZIP64_LOCAL = fromHex(
  "504b03042d0000000000000021002f40c333ffffffffffffffff070014006269672e62696e0100100006000000000000000600" +
    "0000000000007a6970363421504b01022d032d0000000000000021002f40c33306000000060000000700000000000000000000" +
    "008001000000006269672e62696e504b05060000000001000100350000003f0000000000",
);

Deno.test("crc32 of the check string", () => {
  assert.equal(crc32(new TextEncoder().encode("123456789")), 0xcbf43926);
});

Deno.test("readZip reads stored, deflated and zip64-local-header entries", async () => {
  assert.ok(isZip(STORED));
  const stored = readZip(STORED);
  assert.deepEqual([...stored.entries.keys()], ["a.txt"]);
  assert.equal(text(stored.readStored("a.txt")), "hi");
  assert.equal(text(await stored.read("a.txt")), "hi");
  const deflated = readZip(DEFLATED);
  assert.equal(deflated.entries.get("d.txt")!.method, 8);
  assert.equal(text(await deflated.read("d.txt")), "hello hello hello hello");
  assert.throws(
    () => deflated.readStored("d.txt"),
    /compressed \(method 8\); read it with the async read\(\)/,
  );
  assert.equal(text(readZip(ZIP64_LOCAL).readStored("big.bin")), "zip64!");
  assert.throws(() => stored.readStored("nope"), /has no entry "nope"/);
});

Deno.test("readZip follows a zip64 end record and a zip64 offset in the central directory", () => {
  // Rebuild STORED with the directory fields moved to zip64 records.
  const view = new DataView(STORED.buffer);
  const centralAt = view.getUint32(STORED.length - 22 + 16, true); // 0x25
  const local = STORED.subarray(0, centralAt);
  const central = STORED.slice(centralAt, STORED.length - 22);
  const centralView = new DataView(central.buffer);
  centralView.setUint32(42, 0xffffffff, true); // local header offset → zip64 extra
  centralView.setUint16(30, 12, true); // extra length
  const extra = new Uint8Array(12);
  new DataView(extra.buffer).setUint16(0, 1, true);
  new DataView(extra.buffer).setUint16(2, 8, true); // the offset (0)
  const centralWithExtra = new Uint8Array([...central, ...extra]);
  const zip64End = new Uint8Array(56);
  const endView = new DataView(zip64End.buffer);
  endView.setUint32(0, 0x06064b50, true);
  endView.setBigUint64(4, 44n, true);
  endView.setBigUint64(24, 1n, true);
  endView.setBigUint64(32, 1n, true);
  endView.setBigUint64(40, BigInt(centralWithExtra.length), true);
  endView.setBigUint64(48, BigInt(local.length), true);
  const locator = new Uint8Array(20);
  new DataView(locator.buffer).setUint32(0, 0x07064b50, true);
  new DataView(locator.buffer).setBigUint64(8, BigInt(local.length + centralWithExtra.length), true);
  const end = new Uint8Array(22);
  const eocd = new DataView(end.buffer);
  eocd.setUint32(0, 0x06054b50, true);
  eocd.setUint16(8, 0xffff, true);
  eocd.setUint16(10, 0xffff, true);
  eocd.setUint32(12, 0xffffffff, true);
  eocd.setUint32(16, 0xffffffff, true);
  const zip = new Uint8Array([...local, ...centralWithExtra, ...zip64End, ...locator, ...end]);
  assert.equal(text(readZip(zip).readStored("a.txt")), "hi");
});

Deno.test("readZip refuses truncated and corrupt archives, naming the problem", async () => {
  assert.throws(
    () => readZip(new Uint8Array(10), { source: "x.zip" }),
    /x\.zip is not a valid zip archive: only 10 bytes/,
  );
  for (let cut = 1; cut < STORED.length; cut++) {
    assert.throws(() => readZip(STORED.subarray(0, cut)), SyntaxError, `prefix of ${cut} bytes`);
  }
  // Directory offset pointing past the end record.
  const badOffset = STORED.slice();
  new DataView(badOffset.buffer).setUint32(badOffset.length - 6, 1000, true);
  assert.throws(() => readZip(badOffset), /central directory .* runs past/);
  // An entry count larger than the directory can hold.
  const badCount = STORED.slice();
  new DataView(badCount.buffer).setUint16(badCount.length - 12, 50, true);
  assert.throws(() => readZip(badCount), /50 entries cannot fit/);
  // A flipped data byte fails the CRC.
  const flipped = STORED.slice();
  flipped[35] ^= 1;
  assert.throws(() => readZip(flipped).readStored("a.txt"), /CRC-32 .* \(corrupt archive\)/);
  // A deflated entry declaring a huge size is refused before inflating; a lying size is caught.
  const huge = DEFLATED.slice();
  const hugeView = new DataView(huge.buffer);
  const centralAt = hugeView.getUint32(huge.length - 6, true);
  hugeView.setUint32(centralAt + 24, 0xfffffff0, true);
  await assert.rejects(readZip(huge, { maxEntryBytes: 1 << 20 }).read("d.txt"), /over the limit of 1048576/);
  hugeView.setUint32(centralAt + 24, 5, true);
  await assert.rejects(readZip(huge).read("d.txt"), /inflates to more than its declared 5 bytes/);
  // Garbage deflate data.
  const garbage = DEFLATED.slice();
  garbage.fill(0xff, 35, 45);
  await assert.rejects(readZip(garbage).read("d.txt"), SyntaxError);
});

Deno.test("a 3.5 GB deflate bomb costs nothing unread, is refused by its declared size, and stopped when it lies", async () => {
  const bomb = deflateBomb(3500); // 3.5 GiB of zeros in about 3.5 MB
  assert.ok(bomb.length < 4_000_000);
  const archive = zipOf([
    { name: "small.txt", data: new TextEncoder().encode("hi") },
    { name: "bomb", data: bomb, method: 8, uncompressedSize: 3500 * 2 ** 20 },
    { name: "liar", data: bomb, method: 8, uncompressedSize: 1000 },
  ]);
  const zip = readZip(archive, { source: "bomb.zip" });
  assert.equal(text(await zip.read("small.txt")), "hi");
  await assert.rejects(
    zip.read("bomb"),
    new RangeError(`bomb.zip: entry "bomb" declares ${3500 * 2 ** 20} bytes, over the limit of ${2 ** 30}`),
  );
  await assert.rejects(
    readZip(archive, { source: "bomb.zip", maxEntryBytes: 2 ** 32 }).read("bomb", { maxBytes: 4096 }),
    /entry "bomb" declares 3670016000 bytes, over the limit of 4096/,
  );
  // Declaring 1000 bytes: inflation stops at the first chunk past them.
  const before = Deno.memoryUsage().rss;
  await assert.rejects(
    zip.read("liar"),
    /bomb\.zip: entry "liar" inflates to more than its declared 1000 bytes/,
  );
  assert.ok(Deno.memoryUsage().rss - before < 512 * 2 ** 20, "inflation stopped early");
});
