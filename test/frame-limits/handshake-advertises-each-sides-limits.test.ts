import { addComponent, addEntity } from 'bitecs';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, Networked, PROTOCOL_VERSION } from '../../engine-plugin/src/index';
import { ByteReader, FrameKind, decodeWelcome, encodeHello, readMessages, readTickHeader } from '../../engine-plugin/src/protocol';
import { Body, BlobToClient, pattern, protocol } from '../support/big-payload-protocol';
import { type Rig, openRaw, startRig, waitFor } from '../support/rig';

const binary = (messages: Array<Uint8Array | string>): Uint8Array[] => messages.filter((m): m is Uint8Array => typeof m !== 'string');

describe('each side advertises what it accepts in the handshake, and the other never sends more', () => {
  let rig: Rig;
  afterEach(() => rig?.close());

  it('Welcome carries the server’s frame, message and per-frame limits and its inbound rate limits', async () => {
    rig = await startRig('ws', protocol, { settings: { maxFrameBytes: 200_000, maxMessageBytes: 50_000, maxMessagesPerFrame: 300, bytesPerSecond: 123_456 } });
    const raw = openRaw(rig.rawTransport(), (s) => s.send(encodeHello({ version: PROTOCOL_VERSION, fingerprint: protocol.fingerprint, resumeToken: '', received: 0 })));
    await rig.until(() => raw.messages.length > 0);
    const r = new ByteReader(binary(raw.messages)[0]!);
    expect(r.u8()).toBe(FrameKind.Welcome);
    const welcome = decodeWelcome(r);
    expect(welcome.limits).toEqual({ maxFrameBytes: 200_000, maxMessageBytes: 50_000, maxMessagesPerFrame: 300 });
    expect(welcome.rates).toEqual({
      messagesPerSecond: DEFAULT_SETTINGS.messagesPerSecond,
      messageBurst: DEFAULT_SETTINGS.messageBurst,
      bytesPerSecond: 123_456,
      byteBurst: DEFAULT_SETTINGS.byteBurst,
    });
    expect(r.remaining).toBe(0);
  });

  it('a client that accepts 4 KiB frames of at most 10 messages gets its messages and a big world in frames within that', async () => {
    rig = await startRig('ws', protocol);
    const world = rig.server.world;
    for (let i = 0; i < 300; i++) {
      const eid = addEntity(world);
      addComponent(world, eid, Body);
      Body.a[eid] = i;
      addComponent(world, eid, Networked);
    }
    const limits = { maxFrameBytes: 4096, maxMessageBytes: 3500, maxMessagesPerFrame: 10 };
    const raw = openRaw(rig.rawTransport(), (s) => s.send(encodeHello({ version: PROTOCOL_VERSION, fingerprint: protocol.fingerprint, resumeToken: '', received: 0, limits })));
    await rig.until(() => raw.messages.length > 0);
    const connection = [...rig.server.connections()][0]!;
    expect(() => rig.server.send(connection, BlobToClient, { n: 0, data: pattern(0, 3600) })).toThrow(/over the limit of 3500 bytes/);
    for (let n = 1; n <= 25; n++) rig.server.send(connection, BlobToClient, { n, data: pattern(n, 3000) });
    rig.step();
    const ticks = (): Uint8Array[] => binary(raw.messages).filter((f) => f[0] === FrameKind.Tick || f[0] === FrameKind.TickPart);
    const messagesIn = (frames: Uint8Array[]): number =>
      frames.reduce((sum, frame) => {
        const r = new ByteReader(frame, 1);
        readTickHeader(r);
        return sum + readMessages(r, 10, 3500).messages.length;
      }, 0);
    await waitFor(() => messagesIn(ticks()) === 25 && ticks().at(-1)![0] === FrameKind.Tick);
    const frames = ticks();
    let messages = 0;
    let stateBytes = 0;
    for (const frame of frames) {
      expect(frame.length).toBeLessThanOrEqual(4096);
      const r = new ByteReader(frame, 1);
      readTickHeader(r);
      const section = readMessages(r, 10, 3500);
      messages += section.messages.length;
      stateBytes += r.remaining;
    }
    // Everything: 25 messages and 300 entities' full records (~24 KB), over many frames.
    expect(messages).toBe(25);
    expect(stateBytes).toBeGreaterThan(300 * 8 * 8);
    expect(frames.filter((f) => f[0] === FrameKind.TickPart).length).toBeGreaterThan(5);
    // Each split tick's parts share its header, and the Tick frame ends it.
    let tick = -1;
    for (const frame of frames) {
      const header = readTickHeader(new ByteReader(frame, 1));
      if (tick >= 0) expect(header.tick).toBe(tick);
      tick = frame[0] === FrameKind.TickPart ? header.tick : -1;
    }
    expect(raw.closed).toBeUndefined();
  });

  it('a Hello advertising limits no frame could honour is refused with 1002', async () => {
    rig = await startRig('ws', protocol);
    const limits = { maxFrameBytes: 512, maxMessageBytes: 256, maxMessagesPerFrame: 4 };
    const raw = openRaw(rig.rawTransport(), (s) => s.send(encodeHello({ version: PROTOCOL_VERSION, fingerprint: protocol.fingerprint, resumeToken: '', received: 0, limits })));
    await rig.until(() => raw.closed !== undefined);
    expect(raw.closed!.code).toBe(1002);
    expect(raw.closed!.reason).toContain('maxFrameBytes');
  });
});
