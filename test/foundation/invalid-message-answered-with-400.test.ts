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
    const errorFrame = () =>
      raw.messages.slice(1).find((m) => typeof m !== 'string' && new TextDecoder().decode(m).includes('data.text must be a string'));
    await rig.until(() => {
      seen += rig.server.messages(Chat).length;
      return errorFrame() !== undefined;
    });
    expect(seen).toBe(0);
    // A Tick frame carries the error as message type 0 (tickwire.error) with code 400.
    const frame = errorFrame() as Uint8Array;
    expect(frame[0]).toBe(FrameKind.Tick);
    expect(protocol.messageId(ErrorMessage)).toBe(0);
    expect(new TextDecoder().decode(frame)).toMatch(/code.{1,3}400|about/);
    sendChat({ text: 'fine' });
    await rig.until(() => rig.server.messages(Chat).length === 1);
    sendChat({ text: 1 });
    sendChat({ text: 2 });
    await rig.until(() => raw.closed !== undefined);
    expect(raw.closed!.code).toBe(1008);
  });
});
