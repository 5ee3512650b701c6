/** What the latency and throughput benchmarks send through tickwire: a request, its reply, and a bulk message. */
import { defineMessage, defineProtocol, t } from '../engine-plugin/src/index';

/** Client → server: a small request carrying its sample number. */
export const Echo = defineMessage('bench.echo', { n: t.u32(), body: t.string({ maxBytes: 16 }) }, { direction: 'toServer' });

/** Server → client: the answer to an {@link Echo}, same data. */
export const EchoReply = defineMessage('bench.echo-reply', { n: t.u32(), body: t.string({ maxBytes: 16 }) }, { direction: 'toClient' });

/** Server → client: an opaque payload, for messages-per-second and bytes-overhead figures. */
export const Bulk = defineMessage('bench.bulk', { b: t.bytes({ maxBytes: 256 }) }, { direction: 'toClient' });

/** The benchmarks' protocol (both ends import this one value, so fingerprints agree). */
export const benchProtocol = defineProtocol({ messages: [Echo, EchoReply, Bulk] });

/** Settings for benchmark servers and clients: the per-connection rate limits would cap a bench that sends thousands of messages a second, which no game does. */
export const UNLIMITED = { messagesPerSecond: 0, bytesPerSecond: 0, maxInputsPerTick: 0 } as const;

/** The request body: 8 characters, so an Echo is 19 bytes of MessagePack. */
export const ECHO_BODY = 'abcdefgh';
