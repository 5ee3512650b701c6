import { createWorld } from 'bitecs';
import { afterEach, describe, expect, it } from 'vitest';
import { type NetworkServer, type ServerOptions, createServer, silentLogger } from '../../engine-plugin/src/index';
import { webSocketServer } from '../../engine-plugin/src/node';
import { protocol } from '../support/chat-protocol';
import { type RawSession, eventually, rawSession } from './support/raw-session';

describe('per-identity and per-address accounting', () => {
  let net: NetworkServer | undefined;
  let ticking: ReturnType<typeof setInterval> | undefined;
  const sockets: RawSession[] = [];
  afterEach(async () => {
    clearInterval(ticking);
    for (const s of sockets) s.ws.terminate();
    await net?.stop();
    net = undefined;
  });

  async function serve(options: Partial<ServerOptions>): Promise<number> {
    const transport = webSocketServer({ host: '0.0.0.0', port: 0 });
    net = createServer(createWorld(), protocol, { transport, resumeGraceMs: 15_000, logger: silentLogger, ...options });
    await net.start();
    const server = net;
    ticking = setInterval(() => {
      server.receive();
      server.flush();
    }, 10);
    return transport.port;
  }

  const held = () => [...net!.endpoint.connections.values()].filter((c) => c.state === 'suspended').length;

  it('holds at most maxHeldSessionsPerIdentity sessions of one subject, from any addresses', async () => {
    const port = await serve({ authenticate: () => ({ subject: 'same-player' }), limits: { maxHeldSessionsPerIdentity: 2 } });
    for (const localAddress of ['127.0.0.2', '127.0.0.3', '127.0.0.4', '127.0.0.5']) {
      const s = await rawSession(port, protocol, { localAddress });
      sockets.push(s);
      await eventually(() => s.welcome !== undefined);
      s.ws.terminate();
      await eventually(() => net!.endpoint.connections.get(s.welcome!.connectionId)?.state !== 'active');
    }
    expect(held()).toBe(2);
  });

  it('ignores X-Forwarded-For unless trustProxy says so', async () => {
    const forwardedFrom = (i: number) => ({ 'X-Forwarded-For': `203.0.113.${i}` });
    let port = await serve({ limits: { maxPendingHandshakesPerAddress: 2 } });
    const direct: RawSession[] = [];
    for (const i of [0, 1, 2, 3]) direct.push(await rawSession(port, protocol, { silent: true, headers: forwardedFrom(i) }));
    sockets.push(...direct);
    // Without trust, the header is the client's own claim: all four count against 127.0.0.1.
    expect(direct.filter((s) => s.refused === 429).length).toBe(2);
    for (const s of sockets) s.ws.terminate();
    clearInterval(ticking);
    await net!.stop();

    port = await serve({ trustProxy: true, limits: { maxPendingHandshakesPerAddress: 2 } });
    const proxied: RawSession[] = [];
    for (const i of [0, 1, 2, 3]) proxied.push(await rawSession(port, protocol, { silent: true, headers: forwardedFrom(i) }));
    sockets.push(...proxied);
    expect(proxied.filter((s) => s.refused !== undefined)).toHaveLength(0);
  });
});
