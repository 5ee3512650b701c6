import { afterEach, describe, expect, it } from 'vitest';
import { PROTOCOL_VERSION } from '../../engine-plugin/src/index';
import { encodeHello } from '../../engine-plugin/src/protocol';
import { protocol } from '../support/chat-protocol';
import { type Rig, TRANSPORTS, openRaw, startRig } from '../support/rig';

const fast = { heartbeatIntervalMs: 30, idleTimeoutMs: 200 };

describe.each(TRANSPORTS)('over %s: heartbeats', (kind) => {
  let rig: Rig;
  afterEach(() => rig?.close());

  it('measure RTT on both sides', async () => {
    rig = await startRig(kind, protocol, { settings: fast });
    const client = rig.client({ settings: fast });
    client.connect();
    await rig.until(() => client.state === 'connected' && client.connection.rtt > 0 && (rig.server.connection(client.id)?.rtt ?? 0) > 0);
    expect(client.rtt).toBeLessThan(1000);
  });

  it('close a peer that stops answering with 4009, and the server says so', async () => {
    rig = await startRig(kind, protocol, { settings: fast });
    // A client that completes the handshake, then never answers a ping or sends anything.
    const silent = openRaw(rig.rawTransport(), (s) =>
      s.send(encodeHello({ version: PROTOCOL_VERSION, fingerprint: protocol.fingerprint, resumeToken: '', received: 0 })),
    );
    const codes: number[] = [];
    await rig.until(() => {
      for (const e of rig.server.events()) if (e.type === 'disconnected') codes.push(e.code);
      return codes.length === 1;
    }, 3000);
    expect(codes).toEqual([4009]);
    await rig.until(() => silent.closed !== undefined);
    expect(silent.closed!.code).toBe(4009);
  });

  it('a healthy client that keeps answering stays connected past the idle timeout', async () => {
    rig = await startRig(kind, protocol, { settings: fast });
    const client = rig.client({ settings: fast });
    client.connect();
    await rig.until(() => client.state === 'connected');
    const start = Date.now();
    await rig.until(() => Date.now() - start > 600);
    expect(client.state).toBe('connected');
  });
});
