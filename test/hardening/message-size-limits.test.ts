import { afterEach, describe, expect, it } from 'vitest';
import { PROTOCOL_VERSION } from '../../engine-plugin/src/index';
import { ByteWriter, FrameKind, encodeHello, writeMessages } from '../../engine-plugin/src/protocol';
import { Chat, Shout, protocol } from '../support/chat-protocol';
import { type Rig, TRANSPORTS, openRaw, startRig, waitFor } from '../support/rig';

const hello = () => encodeHello({ version: PROTOCOL_VERSION, fingerprint: protocol.fingerprint, resumeToken: '', received: 0 });

describe.each(TRANSPORTS)('over %s: max message size', (kind) => {
  let rig: Rig;
  afterEach(() => rig?.close());

  it('a message payload over maxMessageBytes inside an acceptable frame closes with 1009; a neighbour is untouched', async () => {
    rig = await startRig(kind, protocol, { settings: { maxFrameBytes: 16_384, maxMessageBytes: 1024 } });
    const healthy = rig.client();
    healthy.connect();
    await rig.until(() => healthy.state === 'connected');
    const raw = openRaw(rig.rawTransport(), (s) => s.send(hello()));
    await waitFor(() => raw.messages.length > 0);
    const w = new ByteWriter();
    w.u8(FrameKind.Client);
    w.varint(0);
    writeMessages(w, [{ typeId: protocol.messageId(Chat), payload: new Uint8Array(2048) }], 1);
    raw.socket.send(w.finish());
    await rig.until(() => raw.closed !== undefined);
    expect(raw.closed!.code).toBe(1009);
    rig.server.broadcast(Shout, { text: 'ok', from: 0 });
    await rig.until(() => healthy.messages(Shout).length === 1);
  });

  it('a frame over maxFrameBytes closes with 1009 before it is parsed', async () => {
    rig = await startRig(kind, protocol, { settings: { maxFrameBytes: 4096, maxMessageBytes: 1024 } });
    const raw = openRaw(rig.rawTransport(), (s) => s.send(hello()));
    await waitFor(() => raw.messages.length > 0);
    raw.socket.send(new Uint8Array(5000).fill(FrameKind.Client));
    await rig.until(() => raw.closed !== undefined);
    expect(raw.closed!.code).toBe(1009);
  });
});
