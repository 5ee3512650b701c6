import { encode } from '@msgpack/msgpack';
import { describe, expect, it } from 'vitest';
import { InvalidMessageError, defineMessage, t } from '../../engine-plugin/src/index';
import { MessageCodec } from '../../engine-plugin/src/schema/message-codec';
import { msgpackDepthWithin, shapeDepth } from '../../engine-plugin/src/schema/msgpack-depth';

const Order = defineMessage('order', { items: t.array(t.object({ sku: t.string(), qty: t.u8() })), note: t.string({ maxBytes: 1000 }) });

function arrayBomb(depth: number): Uint8Array {
  const bytes = new Uint8Array(depth + 1).fill(0x91);
  bytes[depth] = 0xc0;
  return bytes;
}

describe('MessagePack nesting bombs', () => {
  it('are refused as schema-invalid (error 400) before the decoder spends a stack frame per byte', () => {
    const codec = new MessageCodec(64 * 1024);
    const bomb = arrayBomb(64 * 1024 - 1);
    codec.decode(Order, encode({ items: [], note: '' })); // warm up
    const start = performance.now();
    for (let i = 0; i < 20; i++) expect(() => codec.decode(Order, bomb)).toThrow(InvalidMessageError);
    // Decoding 64 KB of nesting takes tens of ms each; the depth scan stops at the fourth level.
    expect((performance.now() - start) / 20).toBeLessThan(2);
  });

  it('lets payloads as deep as their schema through, and measures maps, arrays and scalars of every width', () => {
    expect(shapeDepth(Order.shape)).toBe(3);
    const codec = new MessageCodec(64 * 1024);
    const valid = { items: [{ sku: 'a'.repeat(40), qty: 3 }], note: 'x'.repeat(300) };
    expect(codec.decode(Order, encode(valid))).toEqual(valid);
    expect(msgpackDepthWithin(encode({ a: [[1]] }), 2)).toBe(false);
    expect(msgpackDepthWithin(encode({ a: [[1]] }), 3)).toBe(true);
    const wide = encode({ s: 'x'.repeat(70_000), b: new Uint8Array(300), n: [1.5, -1, 2 ** 40, -(2 ** 40), 300, -300, 70_000], m: {} });
    expect(msgpackDepthWithin(wide, 2)).toBe(true);
    expect(msgpackDepthWithin(wide, 1)).toBe(false);
    expect(msgpackDepthWithin(encode({ deep: { deeper: {} } }), 2)).toBe(false);
  });
});
