import { createWorld } from 'bitecs';
import { afterEach, describe, expect, it } from 'vitest';
import { type Authenticate, type NetworkServer, createServer, silentLogger } from '../../engine-plugin/src/index';
import { webSocketServer } from '../../engine-plugin/src/node';
import { protocol } from '../support/chat-protocol';
import { upgrade } from './support/http-upgrade';

describe('maxConnections', () => {
  let net: NetworkServer | undefined;
  afterEach(async () => {
    await net?.stop();
    net = undefined;
  });

  async function serve(maxConnections: number, authenticate?: Authenticate): Promise<number> {
    const transport = webSocketServer({ host: '127.0.0.1', port: 0 });
    net = createServer(createWorld(), protocol, { transport, maxConnections, authenticate, logger: silentLogger });
    await net.start();
    return transport.port;
  }

  it('answers HTTP 503 before the upgrade once full', async () => {
    const port = await serve(2);
    // Sockets that upgrade and hold a handshake slot count: open two and keep them.
    const { WebSocket } = await import('ws');
    const held = [new WebSocket(`ws://127.0.0.1:${port}/ws`), new WebSocket(`ws://127.0.0.1:${port}/ws`)];
    await Promise.all(held.map((ws) => new Promise((resolve) => ws.once('open', resolve))));
    const third = await upgrade(port, '/ws');
    expect(third.status).toBe(503);
    expect(third.body).toContain('full');
    for (const ws of held) ws.terminate();
  });

  it('counts upgrades still inside a slow authenticate, so a storm cannot slip past the limit', async () => {
    let inside = 0;
    let most = 0;
    const port = await serve(2, async () => {
      inside++;
      most = Math.max(most, inside);
      await new Promise((r) => setTimeout(r, 150));
      inside--;
      return { subject: 'x' };
    });
    const answers = await Promise.all(Array.from({ length: 8 }, () => upgrade(port, '/ws')));
    const statuses = answers.map((a) => a.status).sort();
    expect(statuses.filter((s) => s === 101)).toHaveLength(2);
    expect(statuses.filter((s) => s === 503)).toHaveLength(6);
    expect(most).toBe(2);
  });
});
