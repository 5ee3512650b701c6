import { defineComponent, defineMessage, defineProtocol, defineRequest, t } from '../../engine-plugin/src/index';

/** A small protocol for the messaging tests: plain messages, two request types, one component. */
export const Chat = defineMessage('chat', { text: t.string({ maxBytes: 256 }) });
/** Server → client only, with a bytes field (base64 on the JSON wire). */
export const Note = defineMessage('note', { text: t.string({ maxBytes: 256 }), blob: t.optional(t.bytes({ maxBytes: 64 })) }, { direction: 'toClient' });
export const Position = defineComponent('position', { x: t.f32({ precision: 0.01 }), y: t.f32({ precision: 0.01 }) });
/** Clients ask the server. */
export const GetScore = defineRequest('getScore', { player: t.string({ maxBytes: 64 }) }, { score: t.u32() });
/** The server asks a client. */
export const AskName = defineRequest('askName', { why: t.string({ maxBytes: 64 }) }, { name: t.string({ maxBytes: 64 }) }, { direction: 'toClient' });

export const protocol = defineProtocol({ messages: [Chat, Note], components: [Position], requests: [GetScore, AskName] });
