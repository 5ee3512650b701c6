import { createWorld } from 'bitecs';
import { afterEach, describe, expect, it } from 'vitest';
import { type NetworkServer, createServer, silentLogger } from '../../engine-plugin/src/index';
import { webSocketServer } from '../../engine-plugin/src/node';
import { protocol } from '../support/chat-protocol';
import { type RawSession, eventually, rawSession } from './support/raw-session';

describe('a resume with a stolen token under another identity', () => {
  let net: NetworkServer | undefined;
  let ticking: ReturnType<typeof setInterval> | undefined;
  const sockets: RawSession[] = [];
  afterEach(async () => {
    clearInterval(ticking);
    for (const s of sockets) s.ws.terminate();
    await net?.stop();
    net = undefined;
  });

  it('is refused with 4001 and the victim resumes its held session afterwards', async () => {
    const transport = webSocketServer({ host: '127.0.0.1', port: 0 });
    // Whoever ?user= names: enough to tell two identities apart.
    const authenticate = (request: { url: string }) => ({ subject: new URL(request.url, 'http://x').searchParams.get('user') ?? 'nobody' });
    net = createServer(createWorld(), protocol, { transport, authenticate, resumeGraceMs: 10_000, logger: silentLogger });
    await net.start();
    const server = net;
    ticking = setInterval(() => {
      server.receive();
      server.flush();
    }, 10);
    const open = async (user: string, resumeToken = ''): Promise<RawSession> => {
      const s = await rawSession(transport.port, protocol, { path: `/ws?user=${user}`, resumeToken });
      sockets.push(s);
      await eventually(() => s.welcome !== undefined || s.closed !== undefined || s.refused !== undefined);
      return s;
    };

    const alice = await open('alice');
    expect(alice.refused).toBeUndefined();
    const token = alice.welcome!.sessionToken;
    alice.ws.terminate();
    await eventually(() => net!.endpoint.connections.get(alice.welcome!.connectionId)?.state === 'suspended');

    const mallory = await open('mallory', token);
    await eventually(() => mallory.closed !== undefined);
    expect(mallory.welcome).toBeUndefined();
    expect(mallory.closed!.code).toBe(4001);
    expect(net.endpoint.connections.get(alice.welcome!.connectionId)?.state).toBe('suspended');

    const back = await open('alice', token);
    expect(back.welcome).toMatchObject({ resumed: true, connectionId: alice.welcome!.connectionId });
  });
});
