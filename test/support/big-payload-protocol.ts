import { defineComponent, defineMessage, defineProtocol, defineRequest, t } from '../../engine-plugin/src/index';

/** A protocol whose messages can be bigger than a frame and whose entities fill a big world: for frame-limit tests. */
export const Blob = defineMessage('blob', { n: t.u32(), data: t.bytes({ maxBytes: 2 << 20 }) });
export const BlobToClient = defineMessage('blob.down', { n: t.u32(), data: t.bytes({ maxBytes: 2 << 20 }) }, { direction: 'toClient' });
export const Ask = defineRequest('ask', { data: t.bytes({ maxBytes: 2 << 20 }) }, { ok: t.bool() }, { direction: 'both' });
/** Eight f64 fields: 20,000 of these are a ~1.3 MB snapshot. */
export const Body = defineComponent(
  'body',
  { a: t.f64(), b: t.f64(), c: t.f64(), d: t.f64(), e: t.f64(), f: t.f64(), g: t.f64(), h: t.f64() },
  { capacity: 32_768 },
);

export const protocol = defineProtocol({ messages: [Blob, BlobToClient], requests: [Ask], components: [Body] });

/** `bytes` bytes of a recognisable pattern, different per `n`. */
export function pattern(n: number, bytes: number): Uint8Array {
  const data = new Uint8Array(bytes);
  for (let i = 0; i < bytes; i++) data[i] = (i * 31 + n) & 0xff;
  return data;
}
