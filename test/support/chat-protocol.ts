import { defineComponent, defineMessage, defineProtocol, t } from '../../engine-plugin/src/index';

/** A small protocol for foundation tests. */
export const Chat = defineMessage('chat', { text: t.string({ maxBytes: 256 }) });
export const Shout = defineMessage('shout', { text: t.string({ maxBytes: 256 }), from: t.u32() }, { direction: 'toClient' });
export const Noise = defineMessage('noise', { n: t.u32() }, { direction: 'toClient', droppable: true });
export const Blob = defineMessage('blob', { data: t.bytes({ maxBytes: 60_000 }) });
export const Position = defineComponent('position', { x: t.f32({ precision: 0.01 }), y: t.f32({ precision: 0.01 }) });

export const protocol = defineProtocol({ messages: [Chat, Shout, Noise, Blob], components: [Position] });
