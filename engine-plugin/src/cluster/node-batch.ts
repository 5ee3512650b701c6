import type { CarriedMessage } from '../messaging/bus.js';

/**
 * What one node sends another in one tick, packed into one stream entry (one XADD): the sender's
 * run (random per bus instance) and a sequence number per target that never restarts within a run
 * — not at a new epoch, not across a Redis restart — so a batch retried after a dropped connection
 * is recognised, and a missing one is counted, whatever happened to Redis meanwhile; then the
 * items in the order they were queued.
 *
 * The format is tickwire's own (docs/protocol.md, "Between cluster nodes"), not MessagePack: items
 * are written into the target's buffer as they are queued, so the flush only stamps the header,
 * and a string a batch repeats (the identity, the sender, the type of every message of a busy
 * tick) is written once and referred to by its index after that — the reader allocates it once.
 * At 500 items per tick that took encode + decode from ≈ 0.4 ms to a few tens of µs (the profile
 * is in docs/architecture.md).
 */
export type BatchItem =
  | { readonly kind: 'direct'; readonly identity: string; readonly message: CarriedMessage }
  | { readonly kind: 'publish'; readonly topic: string; readonly message: CarriedMessage }
  | { readonly kind: 'request'; readonly rid: number; readonly method: string; readonly data: Uint8Array }
  | { readonly kind: 'reply'; readonly rid: number; readonly ok: true; readonly data: Uint8Array }
  | { readonly kind: 'reply'; readonly rid: number; readonly ok: false; readonly error: string };

/** First byte of every batch: the format's version (a MessagePack batch of old began with 0x93). */
export const BATCH_FORMAT = 0x01;
/** Format byte, run (6 bytes), sequence number (48-bit little-endian). */
export const BATCH_HEADER_BYTES = 13;

const DIRECT = 0;
const PUBLISH = 1;
const REQUEST = 2;
const REPLY = 3;

/** String references: absent, a literal that follows (and joins the table), or table entry `ref - 2`. */
const ABSENT = 0;
const LITERAL = 1;

/**
 * Bytes every item may write besides its string literals and payload: kind, request id (≤ 8),
 * reply flag, three string references (≤ 3 each while a batch has < 2M strings) and a length (≤ 8).
 */
const SLACK = 40;

/** The batch would pass the byte bound of its target: nothing of the item was kept. */
export class BatchFull extends Error {}

/**
 * One target's batch under construction. {@link add} writes an item at once (and takes it back
 * whole if the batch would pass `maxBytes`); {@link finish} stamps run and sequence number and
 * hands the bytes over — the writer starts an empty batch after it.
 */
export class BatchWriter {
  private buffer: Buffer;
  private length = BATCH_HEADER_BYTES;
  private readonly table = new Map<string, number>();
  private readonly order: string[] = [];
  /** Items in the batch so far. */
  items = 0;

  constructor(
    private readonly maxBytes: number,
    private capacity = 1024,
  ) {
    this.buffer = Buffer.allocUnsafe(capacity);
  }

  /** Bytes of the batch so far, header included. */
  get bytes(): number {
    return this.length;
  }

  /** Whether nothing was added since the last {@link finish}. */
  get empty(): boolean {
    return this.items === 0;
  }

  /** Append `item`; throws {@link BatchFull} (and keeps nothing of it) when it would pass the bound. */
  add(item: BatchItem): void {
    const length = this.length;
    const strings = this.order.length;
    const payload = item.kind === 'reply' && !item.ok ? 0 : item.kind === 'direct' || item.kind === 'publish' ? item.message.data.byteLength : item.data.byteLength;
    if (length + payload > this.maxBytes) throw new BatchFull();
    // Room for every fixed-size field of the item; a string literal or payload reserves its own bytes.
    this.reserve(SLACK);
    switch (item.kind) {
      case 'direct':
      case 'publish':
        this.u8(item.kind === 'direct' ? DIRECT : PUBLISH);
        this.string(item.kind === 'direct' ? item.identity : item.topic);
        this.string(item.message.from);
        this.string(item.message.type);
        this.bytesField(item.message.data);
        break;
      case 'request':
        this.u8(REQUEST);
        this.varint(item.rid);
        this.string(item.method);
        this.bytesField(item.data);
        break;
      case 'reply':
        this.u8(REPLY);
        this.varint(item.rid);
        this.u8(item.ok ? 1 : 0);
        if (item.ok) this.bytesField(item.data);
        else this.string(item.error);
        break;
    }
    if (this.length > this.maxBytes) {
      this.length = length;
      while (this.order.length > strings) this.table.delete(this.order.pop()!);
      throw new BatchFull();
    }
    this.items++;
  }

  /** The batch as bytes, numbered `seq` of `run` (12 hex digits); the writer is empty after. */
  finish(run: string, seq: number): Uint8Array {
    const buffer = this.buffer;
    buffer[0] = BATCH_FORMAT;
    buffer.write(run, 1, 6, 'hex');
    buffer.writeUIntLE(seq, 7, 6);
    const batch = buffer.subarray(0, this.length);
    // The next batch starts at this one's size: a steady sender never grows its buffer again.
    this.capacity = Math.max(this.capacity, this.length);
    this.buffer = Buffer.allocUnsafe(this.capacity);
    this.length = BATCH_HEADER_BYTES;
    this.table.clear();
    this.order.length = 0;
    this.items = 0;
    return batch;
  }

  private reserve(more: number): void {
    if (this.length + more <= this.buffer.byteLength) return;
    let size = this.buffer.byteLength * 2;
    while (size < this.length + more) size *= 2;
    const grown = Buffer.allocUnsafe(size);
    this.buffer.copy(grown, 0, 0, this.length);
    this.buffer = grown;
  }

  private u8(value: number): void {
    this.buffer[this.length++] = value;
  }

  private varint(value: number): void {
    if (value < 0x80) {
      this.buffer[this.length++] = value;
      return;
    }
    let v = value;
    while (v >= 0x80) {
      this.buffer[this.length++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    this.buffer[this.length++] = v;
  }

  private string(value: string | undefined): void {
    if (value === undefined) {
      this.u8(ABSENT);
      return;
    }
    const index = this.table.get(value);
    if (index !== undefined) {
      this.varint(index + 2);
      return;
    }
    this.table.set(value, this.order.length);
    this.order.push(value);
    this.u8(LITERAL);
    const bytes = Buffer.byteLength(value);
    this.reserve(bytes + SLACK);
    this.varint(bytes);
    this.buffer.write(value, this.length, bytes, 'utf8');
    this.length += bytes;
  }

  private bytesField(value: Uint8Array): void {
    const length = value.byteLength;
    this.reserve(length + 8);
    this.varint(length);
    const buffer = this.buffer;
    const at = this.length;
    // TypedArray#set costs more than a short loop for the few bytes of a typical message.
    if (length <= 32) for (let i = 0; i < length; i++) buffer[at + i] = value[i]!;
    else buffer.set(value, at);
    this.length = at + length;
  }
}

/** A batch as read: its header, and its items in order (payloads are views into `bytes`). */
export interface ReadBatch {
  readonly run: string;
  readonly seq: number;
  readonly items: BatchItem[];
}

/** Read a batch; throws TypeError on anything a tickwire node of this format would not have written. */
export function decodeBatch(bytes: Uint8Array): ReadBatch {
  const buffer = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buffer.byteLength < BATCH_HEADER_BYTES || buffer[0] !== BATCH_FORMAT) throw new TypeError(`malformed batch (format byte ${String(buffer[0])})`);
  const run = buffer.toString('hex', 1, 7);
  const seq = buffer.readUIntLE(7, 6);
  const end = buffer.byteLength;
  const table: string[] = [];
  let at = BATCH_HEADER_BYTES;

  const varint = (): number => {
    let value = 0;
    let scale = 1;
    for (;;) {
      if (at >= end) throw new TypeError('malformed batch (truncated number)');
      const byte = buffer[at++]!;
      value += (byte & 0x7f) * scale;
      if (byte < 0x80) return value;
      scale *= 0x80;
      if (scale > 2 ** 49) throw new TypeError('malformed batch (number too long)');
    }
  };
  const string = (): string | undefined => {
    const ref = varint();
    if (ref === ABSENT) return undefined;
    if (ref === LITERAL) {
      const length = varint();
      if (at + length > end) throw new TypeError('malformed batch (truncated string)');
      const value = buffer.toString('utf8', at, at + length);
      at += length;
      table.push(value);
      return value;
    }
    const value = table[ref - 2];
    if (value === undefined) throw new TypeError('malformed batch (unknown string reference)');
    return value;
  };
  const required = (): string => {
    const value = string();
    if (value === undefined) throw new TypeError('malformed batch (missing string)');
    return value;
  };
  const payload = (): Uint8Array => {
    const length = varint();
    if (at + length > end) throw new TypeError('malformed batch (truncated payload)');
    const value = buffer.subarray(at, at + length);
    at += length;
    return value;
  };
  const carried = (): CarriedMessage => {
    const from = string();
    const type = required();
    const data = payload();
    return from === undefined ? { type, data } : { from, type, data };
  };

  const items: BatchItem[] = [];
  while (at < end) {
    const kind = buffer[at++];
    switch (kind) {
      case DIRECT: {
        const identity = required();
        items.push({ kind: 'direct', identity, message: carried() });
        break;
      }
      case PUBLISH: {
        const topic = required();
        items.push({ kind: 'publish', topic, message: carried() });
        break;
      }
      case REQUEST: {
        const rid = varint();
        const method = required();
        items.push({ kind: 'request', rid, method, data: payload() });
        break;
      }
      case REPLY: {
        const rid = varint();
        const ok = buffer[at++];
        if (ok === 1) items.push({ kind: 'reply', rid, ok: true, data: payload() });
        else if (ok === 0) items.push({ kind: 'reply', rid, ok: false, error: required() });
        else throw new TypeError('malformed batch (reply flag)');
        break;
      }
      default:
        throw new TypeError(`malformed batch (unknown item kind ${String(kind)})`);
    }
  }
  return { run, seq, items };
}
