import { describe, expect, it } from 'vitest';
import { defineComponent, defineMessage, defineProtocol, describeMismatch, t } from '../../engine-plugin/src/schema';

const Chat = defineMessage('chat', { text: t.string({ maxBytes: 100 }) });
const Move = defineMessage('move', { dx: t.i8(), dy: t.i8() }, { input: true, direction: 'toServer' });
const Position = defineComponent('position', { x: t.f32({ precision: 0.01 }), y: t.f32({ precision: 0.01 }) });

describe('protocol ids and fingerprint', () => {
  it('ids come from sorted names, so registration order does not matter', () => {
    const a = defineProtocol({ messages: [Chat, Move], components: [Position] });
    const b = defineProtocol({ messages: [Move, Chat], components: [Position] });
    expect(a.fingerprint).toBe(b.fingerprint);
    expect(a.messageId(Chat)).toBe(b.messageId(Chat));
    expect(a.messageId(Move)).toBe(a.messageId(Chat) + 1);
  });

  it('a changed field type, a missing message or a renamed component changes the fingerprint', () => {
    const base = defineProtocol({ messages: [Chat, Move], components: [Position] }).fingerprint;
    const Chat2 = defineMessage('chat', { text: t.string({ maxBytes: 200 }) });
    expect(defineProtocol({ messages: [Chat2, Move], components: [Position] }).fingerprint).not.toBe(base);
    expect(defineProtocol({ messages: [Chat], components: [Position] }).fingerprint).not.toBe(base);
    const Pos2 = defineComponent('pos', { x: t.f32({ precision: 0.01 }), y: t.f32({ precision: 0.01 }) });
    expect(defineProtocol({ messages: [Chat, Move], components: [Pos2] }).fingerprint).not.toBe(base);
  });

  it('explains a mismatch in terms a developer can act on', () => {
    const server = defineProtocol({ messages: [Chat, Move] }).description;
    const client = defineProtocol({ messages: [Chat] }).description;
    expect(describeMismatch(client, server)).toMatch(/only on the server: message move/);
  });

  it('refuses duplicate names and the reserved prefix', () => {
    expect(() => defineProtocol({ messages: [Chat, defineMessage('chat', {})] })).toThrow(/two message types/);
    expect(() => defineProtocol({ messages: [defineMessage('tickwire.x', {})] })).toThrow(/reserved/);
  });

  it('an unregistered type is a clear error, not a silent drop', () => {
    const p = defineProtocol({ messages: [Chat] });
    expect(() => p.messageId(Move)).toThrow(/not registered/);
  });
});
