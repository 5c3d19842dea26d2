/**
 * A minimal protocol-buffers encoder: just what the ONNX writer needs (varints, fixed32 floats, nested
 * messages, byte fields). Large byte fields are referenced, not copied, until {@linkcode ProtoWriter.finish}.
 *
 * @module
 */

const WIRE_VARINT = 0;
const WIRE_LENGTH_DELIMITED = 2;
const WIRE_FIXED32 = 5;

/** Accumulates the parts of one message. */
export class ProtoWriter {
  private readonly parts: Uint8Array[] = [];
  /** Encoded length in bytes so far. */
  length = 0;

  /** Appends encoded bytes. */
  private push(part: Uint8Array): void {
    this.parts.push(part);
    this.length += part.length;
  }

  /** Appends a field's tag: its number and wire type. */
  private tag(field: number, wire: number): void {
    this.push(encodeVarint(BigInt(field * 8 + wire)));
  }

  /** An int32/int64/enum field (negative values use 10-byte two's complement, as protobuf requires). */
  int(field: number, value: number | bigint): this {
    this.tag(field, WIRE_VARINT);
    this.push(encodeVarint(BigInt(value)));
    return this;
  }

  /** A float field (fixed32). */
  float(field: number, value: number): this {
    this.tag(field, WIRE_FIXED32);
    const bytes = new Uint8Array(4);
    new DataView(bytes.buffer).setFloat32(0, value, true);
    this.push(bytes);
    return this;
  }

  /** A bytes field; the array is referenced until finish(). */
  bytes(field: number, value: Uint8Array): this {
    this.tag(field, WIRE_LENGTH_DELIMITED);
    this.push(encodeVarint(BigInt(value.length)));
    this.push(value);
    return this;
  }

  /** A string field (UTF-8). */
  string(field: number, value: string): this {
    return this.bytes(field, new TextEncoder().encode(value));
  }

  /** A nested message field. */
  message(field: number, message: ProtoWriter): this {
    this.tag(field, WIRE_LENGTH_DELIMITED);
    this.push(encodeVarint(BigInt(message.length)));
    for (const part of message.parts) this.push(part);
    return this;
  }

  /** A packed repeated int64 field. */
  packedInts(field: number, values: readonly number[]): this {
    const inner = new ProtoWriter();
    for (const v of values) inner.push(encodeVarint(BigInt(v)));
    this.tag(field, WIRE_LENGTH_DELIMITED);
    this.push(encodeVarint(BigInt(inner.length)));
    for (const part of inner.parts) this.push(part);
    return this;
  }

  /** A packed repeated float field. */
  packedFloats(field: number, values: readonly number[]): this {
    const bytes = new Uint8Array(values.length * 4);
    const view = new DataView(bytes.buffer);
    values.forEach((v, i) => view.setFloat32(i * 4, v, true));
    return this.bytes(field, bytes);
  }

  /** Concatenates every part into one buffer. */
  finish(): Uint8Array {
    const out = new Uint8Array(this.length);
    let offset = 0;
    for (const part of this.parts) {
      out.set(part, offset);
      offset += part.length;
    }
    return out;
  }
}

function encodeVarint(value: bigint): Uint8Array {
  let v = value < 0n ? BigInt.asUintN(64, value) : value;
  const bytes: number[] = [];
  do {
    let byte = Number(v & 0x7fn);
    v >>= 7n;
    if (v !== 0n) byte |= 0x80;
    bytes.push(byte);
  } while (v !== 0n);
  return new Uint8Array(bytes);
}
