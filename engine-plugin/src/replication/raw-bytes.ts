import { ProtocolError } from '../protocol/protocol-error.js';

/**
 * Unchecked byte primitives for the replication hot paths. The encoders reserve a record's
 * worst-case size once ({@link ByteWriter.ensure}) and the decoder checks once per record that its
 * worst case is still inside the section, so the per-value calls here need no bounds checks of
 * their own. The encodings are exactly {@link ByteWriter}'s and {@link ByteReader}'s
 * (docs/protocol.md, "Primitive types"), including which malformed varints are refused.
 */

/** The most bytes a varint may take on the wire (longer ones are malformed). */
export const MAX_VARINT_BYTES = 8;

/** Bytes of `varint(value)`. */
export function varintSize(value: number): number {
  let size = 1;
  for (let v = value; v >= 0x80; v = Math.floor(v / 0x80)) size++;
  return size;
}

/** Write `value` (a safe non-negative integer) as a varint at `pos`; returns the position after it. */
export function putVarint(buf: Uint8Array, pos: number, value: number): number {
  if (value < 0x80) {
    buf[pos] = value;
    return pos + 1;
  }
  if (value < 0x4000) {
    buf[pos] = (value & 0x7f) | 0x80;
    buf[pos + 1] = value >>> 7;
    return pos + 2;
  }
  return putVarintLong(buf, pos, value);
}

function putVarintLong(buf: Uint8Array, pos: number, value: number): number {
  let v = value;
  let p = pos;
  // Bit operations are exact below 2^31; above, fall back to division (up to 2^53).
  while (v >= 0x80000000) {
    buf[p++] = (v % 0x80) | 0x80;
    v = Math.floor(v / 0x80);
  }
  while (v >= 0x80) {
    buf[p++] = (v & 0x7f) | 0x80;
    v >>>= 7;
  }
  buf[p] = v;
  return p + 1;
}

/** Write a signed integer as a zigzag varint at `pos`; returns the position after it. */
export function putZigzag(buf: Uint8Array, pos: number, value: number): number {
  return putVarint(buf, pos, value >= 0 ? value * 2 : -value * 2 - 1);
}

const scratch = new DataView(new ArrayBuffer(8));

/** Little-endian f32 at `pos` (DataView keeps it right on any host byte order). */
export function putF32(buf: Uint8Array, pos: number, value: number): number {
  scratch.setFloat32(0, value, true);
  buf[pos] = scratch.getUint8(0);
  buf[pos + 1] = scratch.getUint8(1);
  buf[pos + 2] = scratch.getUint8(2);
  buf[pos + 3] = scratch.getUint8(3);
  return pos + 4;
}

/** Little-endian f64 at `pos`. */
export function putF64(buf: Uint8Array, pos: number, value: number): number {
  scratch.setFloat64(0, value, true);
  for (let i = 0; i < 8; i++) buf[pos + i] = scratch.getUint8(i);
  return pos + 8;
}

/** Little-endian f32 at `pos`. */
export function getF32(buf: Uint8Array, pos: number): number {
  for (let i = 0; i < 4; i++) scratch.setUint8(i, buf[pos + i]!);
  return scratch.getFloat32(0, true);
}

/** Little-endian f64 at `pos`. */
export function getF64(buf: Uint8Array, pos: number): number {
  for (let i = 0; i < 8; i++) scratch.setUint8(i, buf[pos + i]!);
  return scratch.getFloat64(0, true);
}

const textEncoder = new TextEncoder();

/** Worst-case bytes of a bounded string: its length varint and `maxBytes` of UTF-8. */
export function boundedStringSize(maxBytes: number): number {
  return varintSize(maxBytes) + maxBytes;
}

/**
 * Length-prefixed UTF-8 at `pos`, cut at a character boundary to `maxBytes` so the client never
 * refuses it (`encodeInto` stops before a character that does not fit, which is exactly that cut).
 * Needs {@link boundedStringSize} bytes of room.
 */
export function putBoundedString(buf: Uint8Array, pos: number, value: string, maxBytes: number): number {
  const prefix = varintSize(maxBytes);
  const { written } = textEncoder.encodeInto(value, buf.subarray(pos + prefix, pos + prefix + maxBytes));
  const actual = varintSize(written);
  // The real length may need a shorter prefix than the worst case: slide the text back.
  if (actual !== prefix) buf.copyWithin(pos + actual, pos + prefix, pos + prefix + written);
  putVarint(buf, pos, written);
  return pos + actual + written;
}

/**
 * Read a varint at `pos` whose first byte is ≥ 0x80 (callers inline the one-byte case). The value
 * goes to `out[0]`; returns the position after it. The caller guarantees
 * {@link MAX_VARINT_BYTES} readable bytes from `pos`, so only malformed varints can fail here.
 */
export function getVarintLong(buf: Uint8Array, pos: number, out: Float64Array): number {
  let result = 0;
  let scale = 1;
  for (let i = 0; i < MAX_VARINT_BYTES; i++) {
    const byte = buf[pos + i]!;
    result += (byte & 0x7f) * scale;
    if (byte < 0x80) {
      if (result > Number.MAX_SAFE_INTEGER) throw new ProtocolError('varint exceeds 2^53');
      out[0] = result;
      return pos + i + 1;
    }
    scale *= 0x80;
  }
  throw new ProtocolError('varint longer than 8 bytes');
}

/** The signed value of zigzag varint `v`. */
export function unzigzag(v: number): number {
  return v % 2 === 0 ? v / 2 : -(v + 1) / 2;
}
