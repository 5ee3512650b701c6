/**
 * Resume soak over real sockets: a TCP proxy between client and server is killed N times during
 * play (both ends see 1006, as with a lost network). Every drop must resume the same session, no
 * reliable message may be lost or duplicated either way, and the client's state must equal the
 * server's at the end. `npm test` runs a short smoke version; `npm run soak` runs SOAK_DROPS drops.
 */
import { createServer as createTcpServer, connect, type Server, type Socket as TcpSocket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { addComponent, addEntity, createWorld } from 'bitecs';
import { describe, expect, it } from 'vitest';
import { type ConnectionEvent, createClient, createServer, Networked, silentLogger } from '../../engine-plugin/src/index';
import { nodeWebSocketClient, webSocketServer } from '../../engine-plugin/src/node';
import { makeGame } from './harness';

const DROPS = Number(process.env.SOAK_DROPS ?? 3);

/** A TCP relay whose connections can all be cut at once. */
async function startProxy(upstreamPort: number): Promise<{ port: number; kill(): number; close(): Promise<void> }> {
  const pairs = new Set<[TcpSocket, TcpSocket]>();
  const server: Server = createTcpServer((down) => {
    const up = connect(upstreamPort, '127.0.0.1');
    const pair: [TcpSocket, TcpSocket] = [down, up];
    pairs.add(pair);
    const end = () => {
      down.destroy();
      up.destroy();
      pairs.delete(pair);
    };
    down.on('error', end).on('close', end);
    up.on('error', end).on('close', end);
    down.pipe(up);
    up.pipe(down);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    kill() {
      const n = pairs.size;
      for (const [a, b] of [...pairs]) {
        a.resetAndDestroy();
        b.resetAndDestroy();
      }
      return n;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function until(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(5);
  }
}

describe('resume soak over ws', () => {
  it(`survives ${DROPS} killed sockets: every drop resumes, nothing lost or duplicated, states equal`, { timeout: 30_000 + DROPS * 3000 }, async () => {
    const s = makeGame();
    const world = createWorld();
    const transport = webSocketServer({ host: '127.0.0.1', port: 0 });
    const server = createServer(world, s.protocol, { transport, logger: silentLogger, tickRate: 50, resumeGraceMs: 10_000 });
    await server.start();
    const proxy = await startProxy(transport.port);
    const npcs: number[] = [];
    for (let i = 0; i < 5; i++) {
      const eid = addEntity(world);
      addComponent(world, eid, s.Position);
      addComponent(world, eid, s.Heading);
      addComponent(world, eid, Networked);
      npcs.push(eid);
    }
    const events: ConnectionEvent['type'][] = [];
    const fromClient: number[] = [];
    let toClient = 0;
    let active = true;
    const tick = setInterval(() => {
      server.receive();
      for (const e of server.events()) events.push(e.type);
      for (const { data } of server.messages(s.Note)) fromClient.push(data.n);
      if (active) {
        server.broadcast(s.Note, { n: ++toClient });
        for (const eid of npcs) {
          s.Position.x[eid] = s.Position.x[eid]! + eid * 0.5;
          s.Heading.angle[eid] = Math.sin(server.tick / 10 + eid);
        }
      }
      server.replicate();
      server.flush();
    }, 20);

    const c = makeGame();
    const net = createClient(createWorld(), c.protocol, {
      transport: nodeWebSocketClient(`ws://127.0.0.1:${proxy.port}/ws`),
      logger: silentLogger,
      reconnect: { initialMs: 30, maxMs: 300 },
    });
    const received: number[] = [];
    let sent = 0;
    const frame = setInterval(() => {
      net.receive();
      for (const m of net.messages(c.Note)) received.push(m.n);
      if (active && net.state === 'connected') net.send(c.Note, { n: ++sent });
      net.flush();
    }, 10);

    try {
      net.connect();
      await until(() => net.state === 'connected' && received.length > 5, 5000);
      const id = net.id;
      for (let drop = 1; drop <= DROPS; drop++) {
        await sleep(150 + Math.random() * 250);
        expect(proxy.kill()).toBeGreaterThan(0);
        await until(() => events.filter((e) => e === 'reconnected').length === drop && net.state === 'connected', 10_000);
        expect(net.id).toBe(id);
      }
      active = false;
      await until(() => received.length > 0 && received.at(-1) === toClient && fromClient.length === sent, 5000);
      await sleep(300);

      expect(events.filter((e) => e === 'disconnected')).toHaveLength(DROPS);
      expect(events.filter((e) => e === 'reconnected')).toHaveLength(DROPS);
      expect(events.filter((e) => e === 'connected' || e === 'expired')).toEqual(['connected']);
      expect(received).toEqual(Array.from({ length: received.length }, (_, i) => i + received[0]!));
      expect(fromClient).toEqual(Array.from({ length: sent }, (_, i) => i + 1));

      net.interpolation.enabled = false;
      await sleep(50);
      expect(net.replication.serverIds().length).toBe(npcs.length);
      for (const eid of npcs) {
        const local = net.localId(eid)!;
        expect(c.Position.x[local]).toBeCloseTo(s.Position.x[eid]!, 1);
        expect(c.Heading.angle[local]).toBeCloseTo(s.Heading.angle[eid]!, 5);
      }
    } finally {
      clearInterval(frame);
      clearInterval(tick);
      net.disconnect();
      await server.stop();
      await proxy.close();
    }
  });
});
