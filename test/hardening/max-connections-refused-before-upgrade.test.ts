import { createWorld } from 'bitecs';
import { afterEach, describe, expect, it } from 'vitest';
import { type AdmissionLimits, type Authenticate, type NetworkServer, PROTOCOL_VERSION, createServer, silentLogger } from '../../engine-plugin/src/index';
import { encodeHello } from '../../engine-plugin/src/protocol';
import { webSocketServer } from '../../engine-plugin/src/node';
import { protocol } from '../support/chat-protocol';
import { upgrade } from './support/http-upgrade';

describe('maxConnections', () => {
  let net: NetworkServer | undefined;
  afterEach(async () => {
    await net?.stop();
    net = undefined;
  });

  async function serve(maxConnections: number, authenticate?: Authenticate, limits?: Partial<AdmissionLimits>): Promise<number> {
    const transport = webSocketServer({ host: '127.0.0.1', port: 0 });
    net = createServer(createWorld(), protocol, { transport, maxConnections, authenticate, limits, logger: silentLogger });
    await net.start();
    return transport.port;
  }

  it('answers HTTP 503 before the upgrade once full', async () => {
    const port = await serve(2);
    // Sessions take the places (sockets still handshaking do not: they have their own pool).
    const { WebSocket } = await import('ws');
    const held = [new WebSocket(`ws://127.0.0.1:${port}/ws`), new WebSocket(`ws://127.0.0.1:${port}/ws`)];
    await Promise.all(held.map((ws) => new Promise((resolve) => ws.once('open', resolve))));
    for (const ws of held) ws.send(encodeHello({ version: PROTOCOL_VERSION, fingerprint: protocol.fingerprint, resumeToken: '', received: 0 }));
    await Promise.all(held.map((ws) => new Promise((resolve) => ws.once('message', resolve))));
    const third = await upgrade(port, '/ws');
    expect(third.status).toBe(503);
    expect(third.body).toContain('full');
    for (const ws of held) ws.terminate();
  });

  it('counts upgrades still inside a slow authenticate against the pending-handshake pool, so a storm cannot slip past it', async () => {
    let inside = 0;
    let most = 0;
    const port = await serve(10, async () => {
      inside++;
      most = Math.max(most, inside);
      await new Promise((r) => setTimeout(r, 150));
      inside--;
      return { subject: 'x' };
    }, { maxPendingHandshakes: 2 });
    const answers = await Promise.all(Array.from({ length: 8 }, () => upgrade(port, '/ws')));
    const statuses = answers.map((a) => a.status).sort();
    expect(statuses.filter((s) => s === 101)).toHaveLength(2);
    expect(statuses.filter((s) => s === 503)).toHaveLength(6);
    expect(most).toBe(2);
  });
});
