import { afterEach, describe, expect, it } from 'vitest';
import type { ClientEvent, Connection } from '../../engine-plugin/src/index';
import { BlobToClient, pattern, protocol } from '../support/big-payload-protocol';
import { type Rig, startRig } from '../support/rig';

describe('a tick whose messages exceed one frame is split, not refused', () => {
  let rig: Rig;
  afterEach(() => rig?.close());

  async function connected(): Promise<{ client: ReturnType<Rig['client']>; connection: Connection; events: ClientEvent[] }> {
    const client = rig.client();
    client.connect();
    await rig.until(() => client.state === 'connected');
    const events: ClientEvent[] = [];
    return { client, connection: [...rig.server.connections()][0]!, events };
  }

  it('20 reliable messages of ~59 KB to one connection in one tick (~1.2 MB) all arrive, in order, over real ws', async () => {
    rig = await startRig('ws', protocol);
    const { client, connection, events } = await connected();
    for (let n = 1; n <= 20; n++) expect(rig.server.send(connection, BlobToClient, { n, data: pattern(n, 59_000) })).toBe(true);
    const received: Array<{ n: number; data: Uint8Array }> = [];
    await rig.until(() => {
      events.push(...client.events());
      received.push(...client.messages(BlobToClient));
      return received.length >= 20;
    });
    expect(received.map((m) => m.n)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    for (const m of received) expect(Buffer.from(m.data).equals(pattern(m.n, 59_000)), `message ${m.n} intact`).toBe(true);
    // One tick's messages are handed over together, and the connection never closed.
    expect(client.state).toBe('connected');
    expect(events.filter((e) => e.type === 'disconnected' || e.type === 'error')).toEqual([]);
    expect(rig.server.connection(connection.id)!.stats.framesOut).toBeGreaterThan(2);
  });

  it('more messages in one tick than the client takes per frame are spread over frames too', async () => {
    rig = await startRig('ws', protocol);
    const client = rig.client({ settings: { maxMessagesPerFrame: 100 } });
    client.connect();
    await rig.until(() => client.state === 'connected');
    const connection = [...rig.server.connections()][0]!;
    for (let n = 1; n <= 750; n++) rig.server.send(connection, BlobToClient, { n, data: pattern(n, 8) });
    const received: number[] = [];
    await rig.until(() => {
      for (const m of client.messages(BlobToClient)) received.push(m.n);
      return received.length >= 750;
    });
    expect(received).toEqual(Array.from({ length: 750 }, (_, i) => i + 1));
    expect(client.state).toBe('connected');
  });
});
