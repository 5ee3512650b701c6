import { createServer as createHttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createWorld } from 'bitecs';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { type Clock, type NetworkServer, PROTOCOL_VERSION, createServer, silentLogger, systemClock } from '../../engine-plugin/src/index';
import { webSocketServer } from '../../engine-plugin/src/node';
import { encodeHello } from '../../engine-plugin/src/protocol';
import type { TimerHandle } from '../../engine-plugin/src/transport/clock';
import { protocol } from '../support/chat-protocol';
import { waitFor } from '../support/rig';

/** The system clock, counting timers that are set and neither fired nor cleared. */
function countingClock(): Clock & { readonly live: number } {
  const live = new Set<TimerHandle>();
  return {
    now: systemClock.now,
    wallTime: systemClock.wallTime,
    setTimeout(callback, ms) {
      const handle: TimerHandle = systemClock.setTimeout(() => {
        live.delete(handle);
        callback();
      }, ms);
      live.add(handle);
      return handle;
    },
    clearTimeout(handle) {
      live.delete(handle);
      systemClock.clearTimeout(handle);
    },
    get live() {
      return live.size;
    },
  };
}

const hello = () => encodeHello({ version: PROTOCOL_VERSION, fingerprint: protocol.fingerprint, resumeToken: '', received: 0 });

describe('a connection storm', () => {
  let net: NetworkServer | undefined;
  let ticking: ReturnType<typeof setInterval> | undefined;
  afterEach(async () => {
    clearInterval(ticking);
    await net?.stop();
  });

  it('of connections opened and dropped at every stage leaks no session, timer, socket or slot', async () => {
    const MAX = 20;
    const clock = countingClock();
    const http = createHttpServer();
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    const port = (http.address() as AddressInfo).port;
    net = createServer(createWorld(), protocol, {
      transport: webSocketServer({ server: http }),
      clock,
      maxConnections: MAX,
      resumeGraceMs: 0,
      // One address storms here on purpose; what is under test is that nothing leaks.
      limits: { maxConnectionsPerAddress: 1000, maxPendingHandshakesPerAddress: 1000, maxPendingHandshakes: 1000 },
      logger: silentLogger,
      // Slow, async auth: drops land while admission is pending too.
      authenticate: async () => {
        await new Promise((r) => setTimeout(r, Math.random() * 10));
        return { subject: 'storm' };
      },
    });
    await net.start();
    const server = net;
    ticking = setInterval(() => {
      server.receive();
      server.replicate();
      server.flush();
    }, 5);
    const url = `ws://127.0.0.1:${port}/ws`;

    /** One connection, dropped at `stage`: 0 before the upgrade answer, 1 after open, 2 right after Hello, 3 after Welcome, 4 closed politely. */
    const storm = (stage: number): Promise<void> =>
      new Promise((resolve) => {
        const ws = new WebSocket(url);
        ws.on('error', () => {});
        ws.on('close', () => resolve());
        ws.on('unexpected-response', () => resolve());
        if (stage === 0) setTimeout(() => ws.terminate(), Math.random() * 3);
        ws.on('open', () => {
          if (stage === 1) return ws.terminate();
          ws.send(hello());
          if (stage === 2) return ws.terminate();
        });
        ws.on('message', () => {
          if (stage === 3) ws.terminate();
          else if (stage === 4) ws.close(1000);
        });
      });
    const N = 200;
    for (let wave = 0; wave < N / 40; wave++) {
      await Promise.all(Array.from({ length: 40 }, (_, i) => storm(i % 5)));
    }

    await waitFor(() => server.endpoint.connections.size === 0, 5000);
    const sockets = () => new Promise<number>((resolve) => http.getConnections((_e, n) => resolve(n)));
    await waitFor(() => clock.live === 0, 5000);
    let open = await sockets();
    for (let i = 0; i < 100 && open > 0; i++) {
      await new Promise((r) => setTimeout(r, 20));
      open = await sockets();
    }
    expect(open).toBe(0);
    expect(server.endpoint.tokenExpiry.size).toBe(0);

    // Every admission slot came back: MAX clients connect at once.
    const clients = Array.from({ length: MAX }, () => new WebSocket(url));
    const welcomed = await Promise.all(
      clients.map(
        (ws) =>
          new Promise<boolean>((resolve) => {
            ws.on('error', () => resolve(false));
            ws.on('unexpected-response', () => resolve(false));
            ws.on('open', () => ws.send(hello()));
            ws.on('message', () => resolve(true));
          }),
      ),
    );
    expect(welcomed.every(Boolean)).toBe(true);
    for (const ws of clients) ws.terminate();
    await waitFor(() => server.endpoint.connections.size === 0, 5000);
    await waitFor(() => clock.live === 0, 5000);
    clearInterval(ticking);
    await server.stop();
    net = undefined;
    await new Promise<void>((resolve) => http.close(() => resolve()));
  });
});
