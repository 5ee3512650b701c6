// shared.ts — imported by both the server and the client
import { defineComponent, defineInput, defineMessage, defineProtocol, t } from 'tickwire';

export const Position = defineComponent('position', {
  x: t.f32({ precision: 0.01, interpolate: true }),
  y: t.f32({ precision: 0.01, interpolate: true }),
});
export const Player = defineComponent('player', { name: t.string({ maxBytes: 24 }), score: t.u32() });

export const Chat = defineMessage('chat', { text: t.string({ maxBytes: 200 }) });
export const Move = defineInput('move', { dx: t.i8({ min: -1, max: 1 }), dy: t.i8({ min: -1, max: 1 }) });

export const protocol = defineProtocol({ messages: [Chat, Move], components: [Position, Player] });
