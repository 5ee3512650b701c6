import { afterEach, describe, expect, it } from 'vitest';
import type { ClientEvent, Connection, ConnectionEvent, NetworkClient } from '../../engine-plugin/src/index';
import { nodeWebSocketClient } from '../../engine-plugin/src/node';
import { Blob, BlobToClient, pattern, protocol } from '../support/big-payload-protocol';
import { type Rig, startRig } from '../support/rig';
import { type CuttableProxy, startCuttableProxy } from '../demo/cuttable-proxy';

describe('messages queued for a held session, more than one frame of them', () => {
  let rig: Rig;
  let proxy: CuttableProxy;
  afterEach(async () => {
    await rig?.close();
    await proxy?.close();
  });

  /** A connected client behind a relay the test can cut, on a server that holds sessions. */
  async function resumableClient(): Promise<{ client: NetworkClient; connection: Connection }> {
    rig = await startRig('ws', protocol, { resumeGraceMs: 10_000 });
    proxy = await startCuttableProxy(rig.port!);
    const client = rig.client({ transport: nodeWebSocketClient(`ws://127.0.0.1:${proxy.port}/ws`), reconnect: { initialMs: 100, random: () => 0.5 } });
    client.connect();
    await rig.until(() => client.state === 'connected');
    return { client, connection: rig.server.connection(client.id)! };
  }

  it('arrive on resume, each exactly once and in order, both ways, over real ws', async () => {
    const { client, connection } = await resumableClient();
    const serverEvents: ConnectionEvent[] = [];
    const clientEvents: ClientEvent[] = [];
    const toClient: Array<{ n: number; data: Uint8Array }> = [];
    const toServer: Array<{ n: number; data: Uint8Array }> = [];
    const collect = (): void => {
      serverEvents.push(...rig.server.events());
      clientEvents.push(...client.events());
      toClient.push(...client.messages(BlobToClient));
      for (const m of rig.server.messages(Blob)) toServer.push(m.data);
    };

    // Events are visible for one tick: step past the connection's own before watching for the drop.
    rig.step();
    proxy.cut();
    await rig.until(() => {
      collect();
      return serverEvents.some((e) => e.type === 'disconnected') && client.state !== 'connected';
    });
    expect(serverEvents.find((e) => e.type === 'disconnected')).toMatchObject({ resumable: true });
    // Held: ~1.2 MB for it, and ~1.2 MB queued by the client while it is away.
    for (let n = 1; n <= 20; n++) {
      expect(rig.server.send(connection, BlobToClient, { n, data: pattern(n, 59_000) })).toBe(true);
      expect(client.send(Blob, { n, data: pattern(n + 100, 59_000) })).toBe(true);
    }
    rig.step();
    await rig.until(() => {
      collect();
      return toClient.length >= 20 && toServer.length >= 20;
    }, 10_000);
    for (let i = 0; i < 20; i++) rig.step();
    collect();

    expect(clientEvents.filter((e) => e.type === 'connected').map((e) => e.type === 'connected' && e.resumed)).toEqual([true]);
    expect(serverEvents.map((e) => e.type)).toEqual(['disconnected', 'reconnected']);
    expect(toClient.map((m) => m.n)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(toServer.map((m) => m.n)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    for (const m of toClient) expect(Buffer.from(m.data).equals(pattern(m.n, 59_000))).toBe(true);
    for (const m of toServer) expect(Buffer.from(m.data).equals(pattern(m.n + 100, 59_000))).toBe(true);
    expect(client.state).toBe('connected');
  });

  it('sent but unacknowledged when the socket dropped are replayed whole, though more than a frame', async () => {
    const { client, connection } = await resumableClient();
    // Written to the socket, then cut before the client can acknowledge: all of it is replayed.
    for (let n = 1; n <= 20; n++) rig.server.send(connection, BlobToClient, { n, data: pattern(n, 59_000) });
    rig.server.receive();
    rig.server.replicate();
    rig.server.flush();
    proxy.cut();
    const received: number[] = [];
    await rig.until(() => {
      for (const m of client.messages(BlobToClient)) received.push(m.n);
      return received.length >= 20 && client.state === 'connected';
    }, 10_000);
    for (let i = 0; i < 20; i++) rig.step();
    for (const m of client.messages(BlobToClient)) received.push(m.n);
    expect(received).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
  });
});
