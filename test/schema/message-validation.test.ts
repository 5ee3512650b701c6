import { encode } from '@msgpack/msgpack';
import { describe, expect, it } from 'vitest';
import { ProtocolError } from '../../engine-plugin/src/protocol';
import { InvalidMessageError, MessageCodec, defineMessage, t } from '../../engine-plugin/src/schema';

const Order = defineMessage('order', {
  item: t.enum(['sword', 'shield']),
  count: t.u8({ min: 1 }),
  note: t.optional(t.string({ maxBytes: 8 })),
  tags: t.array(t.string({ maxBytes: 4 }), { maxLength: 2 }),
  at: t.object({ x: t.f32(), y: t.f32() }),
});
const codec = new MessageCodec(1024);
const valid = { item: 'sword', count: 3, tags: ['a'], at: { x: 1.5, y: -2 } } as const;

describe('received payloads are validated against their schema', () => {
  it('a valid payload round-trips', () => {
    expect(codec.decode(Order, codec.encode(Order, valid))).toEqual(valid);
  });

  it.each([
    ['wrong enum value', { ...valid, item: 'bow' }, /one of/],
    ['integer out of range', { ...valid, count: 0 }, /within/],
    ['non-integer for an integer kind', { ...valid, count: 1.5 }, /integer/],
    ['string over its byte limit', { ...valid, note: 'ééééé' }, /longer than 8 bytes/],
    ['array too long', { ...valid, tags: ['a', 'b', 'c'] }, /more than 2 items/],
    ['unknown key', { ...valid, admin: true }, /not in the schema/],
    ['missing required field', { item: 'sword', count: 1, tags: [] }, /data.at is missing/],
    ['not an object', [1, 2], /must be an object/],
  ])('%s → InvalidMessageError', (_name, payload, pattern) => {
    expect(() => codec.decode(Order, encode(payload))).toThrow(InvalidMessageError);
    expect(() => codec.decode(Order, encode(payload))).toThrow(pattern);
  });

  it('bytes that are not MessagePack → ProtocolError 1007', () => {
    try {
      codec.decode(Order, new Uint8Array([0xc1]));
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ProtocolError);
      expect((error as ProtocolError).code).toBe(1007);
    }
  });

  it('a deeply nested MessagePack bomb is refused without crashing', () => {
    const depth = 100_000;
    const bomb = new Uint8Array(depth + 1).fill(0x91); // fixarray of 1, nested
    bomb[depth] = 0xc0;
    expect(() => codec.decode(Order, bomb)).toThrow();
  });

  it('sending an invalid payload throws at the sender, before it reaches the wire', () => {
    expect(() => codec.encode(Order, { ...valid, count: 999 })).toThrow(InvalidMessageError);
  });
});
