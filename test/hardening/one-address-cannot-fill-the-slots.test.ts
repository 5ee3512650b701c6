import { createWorld } from 'bitecs';
import { afterEach, describe, expect, it } from 'vitest';
import { type NetworkServer, createServer, silentLogger } from '../../engine-plugin/src/index';
import { webSocketServer } from '../../engine-plugin/src/node';
import { FrameKind } from '../../engine-plugin/src/protocol';
import { protocol } from '../support/chat-protocol';
import { type RawSession, eventually, rawSession } from './support/raw-session';

const ATTACKER = '127.0.0.1';
const HONEST = '127.0.0.2';

describe('one address holding silent sockets and cycling connect-resets', () => {
  let net: NetworkServer | undefined;
  let ticking: ReturnType<typeof setInterval> | undefined;
  const sockets: RawSession[] = [];
  afterEach(async () => {
    clearInterval(ticking);
    for (const s of sockets) s.ws.terminate();
    await net?.stop();
    net = undefined;
  });

  it('leaves every honest join from another address in, and gets documented refusals', async () => {
    const transport = webSocketServer({ host: '0.0.0.0', port: 0 });
    // The demo's shape: 32 places, a full server says so with 4002, dropped players are held 15 s.
    net = createServer(createWorld(), protocol, { transport, maxConnections: 32, whenFull: 'close', resumeGraceMs: 15_000, logger: silentLogger });
    await net.start();
    const server = net;
    ticking = setInterval(() => {
      server.receive();
      server.flush();
    }, 10);
    const port = transport.port;
    const open = async (localAddress: string, silent: boolean): Promise<RawSession> => {
      const s = await rawSession(port, protocol, { localAddress, silent });
      sockets.push(s);
      return s;
    };

    const silent = await Promise.all(Array.from({ length: 64 }, () => open(ATTACKER, true)));
    for (let i = 0; i < 32; i++) {
      const reset = await open(ATTACKER, false);
      await eventually(() => reset.welcome !== undefined || reset.closed !== undefined || reset.refused !== undefined);
      reset.ws.terminate();
    }

    const honest: RawSession[] = [];
    for (let i = 0; i < 15; i++) {
      const s = await open(HONEST, false);
      await eventually(() => s.welcome !== undefined || s.closed !== undefined || s.refused !== undefined);
      honest.push(s);
    }
    // Playing: each honest client hears ticks after its Welcome.
    await eventually(() => honest.every((s) => s.frames.includes(FrameKind.Tick) || s.closed !== undefined));
    expect(honest.filter((s) => s.welcome !== undefined && s.closed === undefined && s.frames.includes(FrameKind.Tick))).toHaveLength(15);

    // The attacker was told no: HTTP 429 before the upgrade (or 4005 for a burst that raced past).
    const refusedSilent = silent.filter((s) => s.refused === 429 || s.closed?.code === 4005);
    expect(refusedSilent.length).toBeGreaterThanOrEqual(64 - 8);
    const held = [...server.endpoint.connections.values()].filter((c) => c.state === 'suspended');
    expect(held.length).toBeLessThanOrEqual(4);
  });
});
