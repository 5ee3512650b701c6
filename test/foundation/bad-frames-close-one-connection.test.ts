import { afterEach, describe, expect, it } from 'vitest';
import { PROTOCOL_VERSION } from '../../engine-plugin/src/index';
import { ByteWriter, FrameKind, encodeHello } from '../../engine-plugin/src/protocol';
import type { Socket } from '../../engine-plugin/src/transport/transport';
import { Shout, protocol } from '../support/chat-protocol';
import { type Rig, TRANSPORTS, openRaw, startRig, waitFor } from '../support/rig';

/** Send a text frame: the memory and WebSocket client sockets both offer `sendText` for exactly this. */
function sendText(socket: Socket, text: string): void {
  const s = socket as Socket & { sendText?: (text: string) => void };
  if (!s.sendText) throw new Error('this transport cannot send text frames');
  s.sendText(text);
}

const hello = () => encodeHello({ version: PROTOCOL_VERSION, fingerprint: protocol.fingerprint, resumeToken: '', received: 0 });

describe.each(TRANSPORTS)('over %s: a bad frame closes only its own connection', (kind) => {
  let rig: Rig;
  afterEach(() => rig?.close());

  async function withHealthyNeighbour() {
    const healthy = rig.client();
    healthy.connect();
    await rig.until(() => healthy.state === 'connected');
    return healthy;
  }

  async function expectNeighbourUnaffected(healthy: ReturnType<Rig['client']>) {
    rig.server.broadcast(Shout, { text: 'ok', from: 0 });
    await rig.until(() => healthy.messages(Shout).length === 1);
    expect(healthy.state).toBe('connected');
  }

  it('a text frame → 1003', async () => {
    rig = await startRig(kind, protocol);
    const healthy = await withHealthyNeighbour();
    const raw = openRaw(rig.rawTransport(), (s) => {
      s.send(hello());
    });
    await waitFor(() => raw.messages.length > 0);
    sendText(raw.socket, '{"type":"chat"}');
    await rig.until(() => raw.closed !== undefined);
    expect(raw.closed!.code).toBe(1003);
    await expectNeighbourUnaffected(healthy);
  });

  it('a frame over maxFrameBytes → 1009', async () => {
    rig = await startRig(kind, protocol, { settings: { maxFrameBytes: 4096, maxMessageBytes: 2048 } });
    const healthy = await withHealthyNeighbour();
    const raw = openRaw(rig.rawTransport(), (s) => s.send(hello()));
    await waitFor(() => raw.messages.length > 0);
    raw.socket.send(new Uint8Array(8192));
    await rig.until(() => raw.closed !== undefined);
    expect(raw.closed!.code).toBe(1009);
    await expectNeighbourUnaffected(healthy);
  });

  it('garbage after the handshake → 1002; a wrong first frame → 1002', async () => {
    rig = await startRig(kind, protocol);
    const healthy = await withHealthyNeighbour();
    const raw = openRaw(rig.rawTransport(), (s) => s.send(hello()));
    await waitFor(() => raw.messages.length > 0);
    const w = new ByteWriter();
    w.u8(FrameKind.Client);
    w.varint(0);
    w.varint(1); // one message…
    w.varint(1); // …seq 1…
    w.varint(999 * 2); // …a lone message of an unknown type id…
    w.varint(0); // …with an empty payload
    raw.socket.send(w.finish());
    await rig.until(() => raw.closed !== undefined);
    expect(raw.closed!.code).toBe(1002);
    const wrongFirst = openRaw(rig.rawTransport(), (s) => s.send(new Uint8Array([FrameKind.Tick, 1, 2, 3])));
    await rig.until(() => wrongFirst.closed !== undefined);
    expect(wrongFirst.closed!.code).toBe(1002);
    await expectNeighbourUnaffected(healthy);
  });

  it('no Hello within the handshake timeout → 4007', async () => {
    rig = await startRig(kind, protocol, { settings: { handshakeTimeoutMs: 100 } });
    const raw = openRaw(rig.rawTransport());
    await rig.until(() => raw.closed !== undefined);
    expect(raw.closed!.code).toBe(4007);
  });
});
