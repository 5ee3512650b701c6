import { describe, expect, it } from 'vitest';
import { BATCH_FORMAT, BatchFull, type BatchItem, BatchWriter, decodeBatch } from '../../engine-plugin/src/cluster/node-batch';

const bytes = (...values: number[]) => Uint8Array.from(values);
/** Payloads as plain arrays: a read payload is a Buffer view, a written one any Uint8Array. */
function plain(value: unknown): unknown {
  if (value instanceof Uint8Array) return [...value];
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, plain(inner)]));
}

// The batch one node writes to another's inbox (docs/protocol.md, "Between cluster nodes"):
// written item by item as messages are queued, read back item by item on the other side.
describe('a batch between cluster nodes', () => {
  it('carries every kind of item, in order, with its run and sequence number', () => {
    const items: BatchItem[] = [
      { kind: 'direct', identity: 'ann', message: { from: 'bob', type: 'chat', data: bytes(1, 2, 3) } },
      { kind: 'publish', topic: 'news.today', message: { type: 'chat', data: bytes() } },
      { kind: 'direct', identity: 'ann', message: { from: 'bob', type: 'chat', data: new Uint8Array(300).fill(7) } },
      { kind: 'request', rid: 2 ** 40 + 5, method: 'session-home', data: bytes(0x91, 0x01) },
      { kind: 'reply', rid: 129, ok: true, data: bytes(0xc3) },
      { kind: 'reply', rid: 3, ok: false, error: 'no handler for x on node ü-1' },
      { kind: 'publish', topic: 'chat.ünïcode', message: { from: 'bob', type: 'chat', data: bytes(9) } },
    ];
    const writer = new BatchWriter(1 << 20, 16);
    for (const item of items) writer.add(item);
    expect(writer.items).toBe(items.length);
    const batch = writer.finish('0123456789ab', 2 ** 47 + 3);
    expect(batch[0]).toBe(BATCH_FORMAT);
    const read = decodeBatch(batch);
    expect(read.run).toBe('0123456789ab');
    expect(read.seq).toBe(2 ** 47 + 3);
    expect(read.items.map(plain)).toEqual(items.map(plain));
    // The writer starts over after finish: the next batch holds only what came after.
    writer.add(items[1]!);
    const next = decodeBatch(writer.finish('0123456789ab', 1));
    expect(next.items).toHaveLength(1);
    expect(next.seq).toBe(1);
  });

  it('writes a string it repeats once', () => {
    const writer = new BatchWriter(1 << 20);
    const message = { from: 'a-rather-long-sender-identity', type: 'a-rather-long-type-name', data: bytes(1) };
    writer.add({ kind: 'direct', identity: 'a-rather-long-recipient', message });
    const one = writer.bytes;
    for (let i = 0; i < 99; i++) writer.add({ kind: 'direct', identity: 'a-rather-long-recipient', message });
    // Each repeat: kind, three one-byte references, length, payload.
    expect(writer.bytes - one).toBe(99 * 6);
  });

  it('refuses an item that would pass its bound and keeps nothing of it', () => {
    const writer = new BatchWriter(64);
    writer.add({ kind: 'direct', identity: 'ann', message: { type: 't', data: new Uint8Array(20) } });
    const before = writer.bytes;
    expect(() => writer.add({ kind: 'direct', identity: 'a-new-identity', message: { from: 'a-new-sender', type: 't', data: new Uint8Array(20) } })).toThrow(BatchFull);
    expect(() => writer.add({ kind: 'direct', identity: 'ann', message: { type: 't', data: new Uint8Array(100) } })).toThrow(BatchFull);
    expect(writer.bytes).toBe(before);
    expect(writer.items).toBe(1);
    // The refused item's strings did not stay in the table: a later item writes them as literals.
    writer.add({ kind: 'direct', identity: 'a-new-identity', message: { type: 't', data: new Uint8Array(0) } });
    const read = decodeBatch(writer.finish('000000000000', 1));
    expect(read.items.map((item) => (item.kind === 'direct' ? item.identity : ''))).toEqual(['ann', 'a-new-identity']);
  });

  it('is refused when it is not a batch of this format', () => {
    expect(() => decodeBatch(bytes(0x93, 0xac))).toThrow(TypeError);
    const writer = new BatchWriter(1 << 20);
    writer.add({ kind: 'direct', identity: 'ann', message: { type: 'chat', data: bytes(1, 2, 3) } });
    const batch = writer.finish('000000000000', 1);
    expect(() => decodeBatch(batch.subarray(0, batch.byteLength - 1))).toThrow(TypeError);
    const unknownReference = Uint8Array.from(batch);
    unknownReference[14] = 9;
    expect(() => decodeBatch(unknownReference)).toThrow(TypeError);
  });
});
