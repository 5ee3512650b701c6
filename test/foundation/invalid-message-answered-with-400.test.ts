import { encode } from '@msgpack/msgpack';
import { afterEach, describe, expect, it } from 'vitest';
import { ErrorMessage, PROTOCOL_VERSION } from '../../engine-plugin/src/index';
import { ByteWriter, FrameKind, encodeHello, writeMessages } from '../../engine-plugin/src/protocol';
import { Chat, protocol } from '../support/chat-protocol';
import { type Rig, TRANSPORTS, openRaw, startRig } from '../support/rig';

describe.each(TRANSPORTS)('over %s: a schema-invalid message', (kind) => {
  let rig: Rig;
  afterEach(() => rig?.close());

  it('never reaches game code, is answered with error 400, and repeated offences close with 1008', async () => {
    rig = await startRig(kind, protocol, { settings: { maxInvalidMessages: 2 } });
    const raw = openRaw(rig.rawTransport(), (s) =>
      s.send(encodeHello({ version: PROTOCOL_VERSION, fingerprint: protocol.fingerprint, resumeToken: '', received: 0 })),
    );
    await rig.until(() => raw.messages.length > 0);
    let seq = 1;
    const sendChat = (payload: unknown) => {
      const w = new ByteWriter();
      w.u8(FrameKind.Client);
      w.varint(0);
      writeMessages(w, [{ typeId: protocol.messageId(Chat), payload: encode(payload) }], seq++);
      raw.socket.send(w.finish());
    };
    sendChat({ text: 42 });
    let seen = 0;
    await rig.until(() => {
      seen += rig.server.messages(Chat).length;
      return raw.messages.length >= 2;
    });
    expect(seen).toBe(0);
    // The Tick frame after the Welcome carries the error message (type id of tickwire.error is 0).
    const tick = raw.messages[1] as Uint8Array;
    expect(tick[0]).toBe(FrameKind.Tick);
    expect(protocol.messageId(ErrorMessage)).toBe(0);
    expect(new TextDecoder().decode(tick)).toMatch(/data\.text must be a string/);
    sendChat({ text: 'fine' });
    await rig.until(() => rig.server.messages(Chat).length === 1);
    sendChat({ text: 1 });
    sendChat({ text: 2 });
    await rig.until(() => raw.closed !== undefined);
    expect(raw.closed!.code).toBe(1008);
  });
});
