import { createWorld } from 'bitecs';
import { afterEach, describe, expect, it } from 'vitest';
import { type NetworkServer, createServer, silentLogger } from '../../engine-plugin/src/index';
import { webSocketServer } from '../../engine-plugin/src/node';
import { protocol } from '../support/chat-protocol';
import { type RawSession, eventually, rawSession } from './support/raw-session';

describe('a resume of a session that is still attached', () => {
  let net: NetworkServer | undefined;
  let ticking: ReturnType<typeof setInterval> | undefined;
  const sockets: RawSession[] = [];
  afterEach(async () => {
    clearInterval(ticking);
    for (const s of sockets) s.ws.terminate();
    sockets.length = 0;
    await net?.stop();
    net = undefined;
  });

  async function serve(): Promise<number> {
    const transport = webSocketServer({ host: '127.0.0.1', port: 0 });
    net = createServer(createWorld(), protocol, { transport, resumeGraceMs: 10_000, logger: silentLogger });
    await net.start();
    const server = net;
    ticking = setInterval(() => {
      server.receive();
      server.flush();
    }, 10);
    return transport.port;
  }

  async function join(port: number, resumeToken = ''): Promise<RawSession> {
    const session = await rawSession(port, protocol, { resumeToken });
    sockets.push(session);
    await eventually(() => session.welcome !== undefined || session.closed !== undefined || session.refused !== undefined);
    return session;
  }

  it('takes the session over: the old socket is closed with 4003 "resumed elsewhere", the token rotates', async () => {
    const port = await serve();
    const first = await join(port);
    const second = await join(port, first.welcome!.sessionToken);
    expect(second.welcome).toMatchObject({ resumed: true, connectionId: first.welcome!.connectionId });
    expect(second.welcome!.sessionToken).not.toBe(first.welcome!.sessionToken);
    await eventually(() => first.closed !== undefined);
    expect(first.closed).toEqual({ code: 4003, reason: 'resumed elsewhere' });
    expect(net!.endpoint.connections.size).toBe(1);
    expect([...net!.endpoint.active()]).toHaveLength(1);

    // The rotated-away token no longer resumes anything: it gets a fresh session.
    const stale = await join(port, first.welcome!.sessionToken);
    expect(stale.welcome!.resumed).toBe(false);
    expect(stale.welcome!.connectionId).not.toBe(first.welcome!.connectionId);
    expect(second.closed).toBeUndefined();
  });

  it('replayed again and again leaves exactly one session per live socket, never a ghost', async () => {
    const port = await serve();
    let current = await join(port);
    const id = current.welcome!.connectionId;
    for (let i = 0; i < 30; i++) {
      const next = await join(port, current.welcome!.sessionToken);
      expect(next.welcome).toMatchObject({ resumed: true, connectionId: id });
      current = next;
    }
    await eventually(() => sockets.filter((s) => s.closed === undefined).length === 1);
    const live = sockets.filter((s) => s.closed === undefined);
    expect(live).toEqual([current]);
    expect(sockets.slice(0, -1).every((s) => s.closed?.code === 4003)).toBe(true);
    expect(net!.endpoint.connections.size).toBe(1);
    expect([...net!.endpoint.active()].map((c) => c.id)).toEqual([id]);
  });
});
