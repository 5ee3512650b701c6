import { decode, encode } from '@msgpack/msgpack';
import type { CarriedMessage } from '../messaging/bus.js';

/**
 * What one node sends another in one tick, packed into one stream entry (one XADD): the sender's
 * run (random per bus instance) and a sequence number per target that never restarts within a run
 * — not at a new epoch, not across a Redis restart — so a batch retried after a dropped connection
 * is recognised, and a missing one is counted, whatever happened to Redis meanwhile; then the
 * items in the order they were queued.
 */
export type BatchItem =
  | { readonly kind: 'direct'; readonly identity: string; readonly message: CarriedMessage }
  | { readonly kind: 'publish'; readonly topic: string; readonly message: CarriedMessage }
  | { readonly kind: 'request'; readonly rid: number; readonly method: string; readonly data: unknown }
  | { readonly kind: 'reply'; readonly rid: number; readonly ok: boolean; readonly data: unknown };

const DIRECT = 0;
const PUBLISH = 1;
const REQUEST = 2;
const REPLY = 3;

type Packed = [number, string | number, string | number | boolean | null, unknown, unknown?];

/** Bytes an item adds to its batch, near enough to bound batches without encoding twice. */
export function itemBytes(item: BatchItem): number {
  switch (item.kind) {
    case 'direct':
      return 16 + item.identity.length + (item.message.from?.length ?? 0) + item.message.type.length + item.message.data.byteLength;
    case 'publish':
      return 16 + item.topic.length + (item.message.from?.length ?? 0) + item.message.type.length + item.message.data.byteLength;
    default:
      return 64;
  }
}

function pack(item: BatchItem): Packed {
  switch (item.kind) {
    case 'direct':
      return [DIRECT, item.identity, item.message.from ?? null, item.message.type, item.message.data];
    case 'publish':
      return [PUBLISH, item.topic, item.message.from ?? null, item.message.type, item.message.data];
    case 'request':
      return [REQUEST, item.rid, item.method, item.data];
    case 'reply':
      return [REPLY, item.rid, item.ok, item.data];
  }
}

function carried(from: unknown, type: unknown, data: unknown): CarriedMessage {
  if (typeof type !== 'string' || !(data instanceof Uint8Array)) throw new TypeError('malformed carried message');
  return typeof from === 'string' ? { from, type, data } : { type, data };
}

function unpack(packed: unknown): BatchItem {
  if (!Array.isArray(packed)) throw new TypeError('malformed batch item');
  const [kind, a, b, c, d] = packed as Packed;
  switch (kind) {
    case DIRECT:
      return { kind: 'direct', identity: String(a), message: carried(b, c, d) };
    case PUBLISH:
      return { kind: 'publish', topic: String(a), message: carried(b, c, d) };
    case REQUEST:
      return { kind: 'request', rid: Number(a), method: String(b), data: c };
    case REPLY:
      return { kind: 'reply', rid: Number(a), ok: b === true, data: c };
    default:
      throw new TypeError(`unknown batch item kind ${String(kind)}`);
  }
}

/** Encode one batch: the sender's run, its sequence number to this target, and the items. */
export function encodeBatch(run: string, seq: number, items: readonly BatchItem[]): Uint8Array {
  return encode([run, seq, items.map(pack)]);
}

/** Decode a batch; throws TypeError on anything another tickwire node would not have written. */
export function decodeBatch(bytes: Uint8Array): { readonly run: string; readonly seq: number; readonly items: BatchItem[] } {
  const decoded = decode(bytes);
  if (!Array.isArray(decoded) || typeof decoded[0] !== 'string' || typeof decoded[1] !== 'number' || !Array.isArray(decoded[2])) throw new TypeError('malformed batch');
  return { run: decoded[0], seq: decoded[1], items: (decoded[2] as unknown[]).map(unpack) };
}
