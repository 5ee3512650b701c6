/** The 64-byte payload both sides of the throughput benchmark carry. */
import { encode } from '@msgpack/msgpack';

/** Payload size on the wire, bytes. */
export const PAYLOAD_BYTES = 64;

/** The Bulk message's bytes field: 59 bytes, so `{ b: … }` is 64 bytes of MessagePack (map 1 + key 2 + bin8 header 2 + 59). */
export const BULK_DATA = new Uint8Array(PAYLOAD_BYTES - 5).map((_, i) => (i * 37) & 0xff);

/** What raw `ws` sends: the same 64 bytes tickwire's Bulk message encodes to. */
export const RAW_PAYLOAD = encode({ b: BULK_DATA });

if (RAW_PAYLOAD.length !== PAYLOAD_BYTES) throw new Error(`bench payload is ${RAW_PAYLOAD.length} bytes, expected ${PAYLOAD_BYTES}`);
