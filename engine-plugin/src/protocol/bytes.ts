import { CloseCode } from './close-codes.js';
import { ProtocolError } from './protocol-error.js';

const textEncoder = new TextEncoder();
const textDecoder = new TextDecoder('utf-8', { fatal: true });

/**
 * Frames up to {@link SLAB_COPY_MAX} bytes are copied out of a shared slab rather than each into
 * an ArrayBuffer of its own. A server sends one small frame per client per tick (tens of bytes,
 * tens of thousands a second), and each own ArrayBuffer is a backing-store allocation, a tracked
 * extension for the collector to sweep, and — for V8's on-heap arrays of ≤ 64 bytes — a second
 * copy the moment a socket asks for `.buffer`. Views into a slab cost one small object each; a
 * slab lives while any frame cut from it is still queued somewhere, so it is kept small.
 */
const SLAB_BYTES = 16 * 1024;
const SLAB_COPY_MAX = 2 * 1024;
let slab = new ArrayBuffer(0);
let slabUsed = 0;

function frameCopy(source: Uint8Array, length: number): Uint8Array {
  if (length > SLAB_COPY_MAX) return source.slice(0, length);
  if (slabUsed + length > slab.byteLength) {
    slab = new ArrayBuffer(SLAB_BYTES);
    slabUsed = 0;
  }
  const copy = new Uint8Array(slab, slabUsed, length);
  slabUsed += length;
  // A short loop beats making a subarray view to `set` from.
  if (length <= 64) for (let i = 0; i < length; i++) copy[i] = source[i]!;
  else copy.set(source.subarray(0, length));
  return copy;
}

/**
 * An append-only byte buffer that grows by doubling. Reused across ticks: `reset()` keeps the
 * memory, so the steady state allocates nothing but the exact-size copies handed to sockets.
 */
export class ByteWriter {
  private buffer: Uint8Array;
  private view: DataView;
  /** Bytes written so far. */
  length = 0;

  constructor(initialCapacity = 1024) {
    this.buffer = new Uint8Array(initialCapacity);
    this.view = new DataView(this.buffer.buffer);
  }

  /** Forget the contents, keep the memory. */
  reset(): void {
    this.length = 0;
  }

  private reserve(extra: number): void {
    const needed = this.length + extra;
    if (needed <= this.buffer.length) return;
    let capacity = this.buffer.length * 2;
    while (capacity < needed) capacity *= 2;
    const next = new Uint8Array(capacity);
    next.set(this.buffer.subarray(0, this.length));
    this.buffer = next;
    this.view = new DataView(next.buffer);
  }

  /**
   * Make room for `extra` more bytes and return the backing buffer, for encoders that write a
   * whole record with one capacity check: they write from {@link ByteWriter.length} on, then
   * advance `length` past what they wrote. The buffer is only valid until the next call that grows.
   */
  ensure(extra: number): Uint8Array {
    this.reserve(extra);
    return this.buffer;
  }

  /** One byte. */
  u8(value: number): void {
    this.reserve(1);
    this.buffer[this.length++] = value;
  }

  /** Unsigned LEB128 varint, up to 2^53 - 1 (JavaScript's safe integers). */
  varint(value: number): void {
    this.reserve(8);
    let v = value;
    while (v >= 0x80) {
      this.buffer[this.length++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    this.buffer[this.length++] = v;
  }

  /** Signed integer as a zigzag varint: small magnitudes of either sign take one byte. */
  zigzag(value: number): void {
    this.varint(value >= 0 ? value * 2 : -value * 2 - 1);
  }

  /** 4 bytes, little-endian. */
  u32(value: number): void {
    this.reserve(4);
    this.view.setUint32(this.length, value, true);
    this.length += 4;
  }

  /** IEEE 754 single, little-endian. */
  f32(value: number): void {
    this.reserve(4);
    this.view.setFloat32(this.length, value, true);
    this.length += 4;
  }

  /** IEEE 754 double, little-endian. */
  f64(value: number): void {
    this.reserve(8);
    this.view.setFloat64(this.length, value, true);
    this.length += 8;
  }

  /** Raw bytes, no length prefix. */
  bytes(data: Uint8Array): void {
    this.reserve(data.length);
    this.buffer.set(data, this.length);
    this.length += data.length;
  }

  /** Length-prefixed UTF-8. */
  string(value: string): void {
    const encoded = textEncoder.encode(value);
    this.varint(encoded.length);
    this.bytes(encoded);
  }

  /** Everything another writer holds, appended (no view of it is made). */
  append(other: ByteWriter): void {
    const length = other.length;
    this.reserve(length);
    if (length <= 16) for (let i = 0; i < length; i++) this.buffer[this.length + i] = other.buffer[i]!;
    else this.buffer.set(other.buffer.subarray(0, length), this.length);
    this.length += length;
  }

  /** The byte written at `index` (below {@link ByteWriter.length}). */
  at(index: number): number {
    return this.buffer[index]!;
  }

  /** A view of the bytes written so far; valid until the next write or reset. */
  written(): Uint8Array {
    return this.buffer.subarray(0, this.length);
  }

  /**
   * An exact-size copy of the bytes written so far, safe to hand to a socket. A small one is a
   * view into a shared slab (its `byteOffset` is not 0, and its `buffer` holds other frames too):
   * pass it on as a view, never as `.buffer`.
   */
  finish(): Uint8Array {
    return frameCopy(this.buffer, this.length);
  }
}

/**
 * A bounds-checked cursor over received bytes. Every read that would pass the end throws a
 * {@link ProtocolError}, so a truncated or lying frame can never read out of range.
 */
export class ByteReader {
  private readonly data: Uint8Array;
  // Created on first use: most readers (state sections) never read a float, and a DataView is
  // a costly allocation per frame.
  private view: DataView | undefined = undefined;
  /** Read position. */
  offset: number;
  private readonly end: number;

  constructor(data: Uint8Array, offset = 0, end = data.length) {
    this.data = data;
    this.offset = offset;
    this.end = end;
  }

  private get dataView(): DataView {
    if (this.view === undefined) this.view = new DataView(this.data.buffer, this.data.byteOffset, this.data.byteLength);
    return this.view;
  }

  /**
   * The bytes being read, for decoders with their own bounds-checked fast path: they may read
   * `source[offset .. limit)` only, then set {@link ByteReader.offset} past what they consumed.
   */
  get source(): Uint8Array {
    return this.data;
  }

  /** The read limit: one past the last readable byte of {@link ByteReader.source}. */
  get limit(): number {
    return this.end;
  }

  /** Bytes left to read. */
  get remaining(): number {
    return this.end - this.offset;
  }

  private need(count: number, what: string): void {
    if (this.offset + count > this.end) throw new ProtocolError(`truncated frame: ${what} needs ${count} bytes`);
  }

  /** One byte. */
  u8(): number {
    this.need(1, 'u8');
    return this.data[this.offset++]!;
  }

  /** Unsigned LEB128 varint; more than 8 bytes (past 2^56) is rejected as malformed. */
  varint(): number {
    let result = 0;
    let scale = 1;
    for (let i = 0; i < 8; i++) {
      this.need(1, 'varint');
      const byte = this.data[this.offset++]!;
      result += (byte & 0x7f) * scale;
      if (byte < 0x80) {
        if (result > Number.MAX_SAFE_INTEGER) throw new ProtocolError('varint exceeds 2^53');
        return result;
      }
      scale *= 0x80;
    }
    throw new ProtocolError('varint longer than 8 bytes');
  }

  /** A zigzag varint back to a signed integer. */
  zigzag(): number {
    const v = this.varint();
    return v % 2 === 0 ? v / 2 : -(v + 1) / 2;
  }

  /** 4 bytes, little-endian. */
  u32(): number {
    this.need(4, 'u32');
    const v = this.dataView.getUint32(this.offset, true);
    this.offset += 4;
    return v;
  }

  /** IEEE 754 single, little-endian. */
  f32(): number {
    this.need(4, 'f32');
    const v = this.dataView.getFloat32(this.offset, true);
    this.offset += 4;
    return v;
  }

  /** IEEE 754 double, little-endian. */
  f64(): number {
    this.need(8, 'f64');
    const v = this.dataView.getFloat64(this.offset, true);
    this.offset += 8;
    return v;
  }

  /** A view (not a copy) of the next `length` bytes. */
  bytes(length: number): Uint8Array {
    this.need(length, 'bytes');
    const out = this.data.subarray(this.offset, this.offset + length);
    this.offset += length;
    return out;
  }

  /** Length-prefixed UTF-8; invalid UTF-8 closes with 1007. */
  string(maxBytes = 65_536): string {
    const length = this.varint();
    if (length > maxBytes) throw new ProtocolError(`string of ${length} bytes over its limit of ${maxBytes}`);
    const raw = this.bytes(length);
    try {
      return textDecoder.decode(raw);
    } catch {
      throw new ProtocolError('string is not valid UTF-8', CloseCode.InvalidPayload);
    }
  }
}
