import { createWorld } from 'bitecs';
import { afterEach, describe, expect, it } from 'vitest';
import { type NetworkServer, createServer, silentLogger } from '../../engine-plugin/src/index';
import { webSocketServer } from '../../engine-plugin/src/node';
import { encodePong } from '../../engine-plugin/src/protocol';
import { protocol } from '../support/chat-protocol';
import { type RawSession, eventually, rawSession } from './support/raw-session';

describe('Pong frames from a client', () => {
  let net: NetworkServer | undefined;
  let ticking: ReturnType<typeof setInterval> | undefined;
  let session: RawSession | undefined;
  afterEach(async () => {
    clearInterval(ticking);
    session?.ws.terminate();
    await net?.stop();
    net = undefined;
  });

  it('spend the message budget, and an unsolicited one never sets the RTT', async () => {
    const transport = webSocketServer({ host: '127.0.0.1', port: 0 });
    net = createServer(createWorld(), protocol, {
      transport,
      logger: silentLogger,
      settings: { messagesPerSecond: 50, messageBurst: 50, heartbeatIntervalMs: 60_000 },
    });
    await net.start();
    const server = net;
    ticking = setInterval(() => {
      server.receive();
      server.flush();
    }, 10);
    session = await rawSession(transport.port, protocol);
    await eventually(() => session!.welcome !== undefined);
    const connection = server.endpoint.connections.get(session.welcome!.connectionId)!;
    // Claims of a 5-second round trip, none of them an answer to a ping of ours.
    for (let i = 0; i < 500; i++) session.ws.send(encodePong({ echo: performance.now() - 5000, time: Date.now(), tick: 0 }));
    await eventually(() => connection.stats.framesIn >= 500);
    expect(connection.stats.limited).toBeGreaterThanOrEqual(400);
    expect(connection.rtt).toBeLessThan(1000);
  });
});
