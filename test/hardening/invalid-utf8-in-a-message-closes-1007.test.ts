import { afterEach, describe, expect, it } from 'vitest';
import { InvalidMessageError, PROTOCOL_VERSION } from '../../engine-plugin/src/index';
import { ByteWriter, FrameKind, encodeHello } from '../../engine-plugin/src/protocol';
import { Chat, protocol } from '../support/chat-protocol';
import { type Rig, TRANSPORTS, openRaw, startRig, waitFor } from '../support/rig';

const hello = () => encodeHello({ version: PROTOCOL_VERSION, fingerprint: protocol.fingerprint, resumeToken: '', received: 0 });
const ascii = (text: string) => [...text].map((c) => c.charCodeAt(0));

/** A Client frame carrying one `chat` message whose MessagePack payload is `payload`, byte for byte. */
function chatFrame(payload: number[]): Uint8Array {
  const w = new ByteWriter();
  w.u8(FrameKind.Client);
  w.varint(0); // ack
  w.varint(1); // one message
  w.varint(1); // seq 1
  w.varint(protocol.messageId(Chat) * 2); // a lone message of type chat
  w.varint(payload.length);
  for (const b of payload) w.u8(b);
  return w.finish();
}

/** `{ text: <these bytes as a str> }`, the str header chosen by the caller (fixstr, str8 …). */
const withText = (header: number[], bytes: number[]) => [0x81, 0xa4, ...ascii('text'), ...header, ...bytes];

const BAD: Array<[string, number[]]> = [
  ['a broken 2-byte sequence', withText([0xa2], [0xc3, 0x28])],
  ['an encoded lone surrogate (U+D800)', withText([0xd9, 3], [0xed, 0xa0, 0x80])],
  ['an overlong "/"', withText([0xa2], [0xc0, 0xaf])],
  ['a code point past U+10FFFF', withText([0xa4], [0xf4, 0x90, 0x80, 0x80])],
  ['a sequence cut off by the string’s end', withText([0xa3], [0x61, 0xe2, 0x82])],
  ['a stray continuation byte in a map key', [0x81, 0xa4, 0x74, 0x65, 0x78, 0x80, 0xa1, 0x61]],
];

describe.each(TRANSPORTS)('over %s: strings inside MessagePack payloads must be UTF-8', (kind) => {
  let rig: Rig;
  afterEach(() => rig?.close());

  it.each(BAD)('%s closes the sender with 1007, and the server carries on', async (_, payload) => {
    rig = await startRig(kind, protocol);
    const healthy = rig.client();
    healthy.connect();
    await rig.until(() => healthy.state === 'connected');
    const raw = openRaw(rig.rawTransport(), (s) => s.send(hello()));
    await waitFor(() => raw.messages.length > 0);
    raw.socket.send(chatFrame(payload));
    await rig.until(() => raw.closed !== undefined);
    expect(raw.closed!.code).toBe(1007);
    expect(rig.server.messages(Chat)).toEqual([]);
    healthy.send(Chat, { text: 'still here' });
    await rig.until(() => rig.server.messages(Chat).length === 1);
    expect(healthy.state).toBe('connected');
  });

  it('well-formed multi-byte UTF-8 arrives intact', async () => {
    rig = await startRig(kind, protocol);
    const raw = openRaw(rig.rawTransport(), (s) => s.send(hello()));
    await waitFor(() => raw.messages.length > 0);
    const text = 'é€😀';
    const bytes = [...new TextEncoder().encode(text)];
    raw.socket.send(chatFrame(withText([0xa0 | bytes.length], bytes)));
    const got: string[] = [];
    await rig.until(() => {
      got.push(...rig.server.messages(Chat).map((m) => m.data.text));
      return got.length === 1;
    });
    expect(got).toEqual([text]);
    expect(raw.closed).toBeUndefined();
  });

  it('a string with a lone surrogate is refused at send(), never put on the wire', async () => {
    rig = await startRig(kind, protocol);
    const client = rig.client();
    client.connect();
    await rig.until(() => client.state === 'connected');
    expect(() => client.send(Chat, { text: 'cut emoji \ud83d' })).toThrow(InvalidMessageError);
    expect(() => client.send(Chat, { text: 'cut emoji \ud83d' })).toThrow(/lone surrogate/);
    expect(client.send(Chat, { text: 'whole emoji 😀' })).toBe(true);
  });
});
