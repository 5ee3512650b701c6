/**
 * The server side of `bench/throughput.ts`, run as a child process. Argument: one mode.
 *
 *   raw            a bare `ws` server sending each 64-byte payload as its own WebSocket message
 *   batch:<n>      tickwire: each tick queues <n> Bulk messages per connection with `net.send`
 *                  and flushes them as one frame
 *
 * Both send as fast as the client takes it: raw `ws` while the socket's `bufferedAmount` is under
 * 1 MiB, tickwire whenever the previous batch has left (its flush holds a frame back while the
 * socket is over its high-water mark, so the batch waits in the channel). Ticks run back to back
 * (`setImmediate`), not at a game's rate: this measures how many messages one connection can carry.
 */
import { createWorld } from 'bitecs';
import { WebSocketServer } from 'ws';
import { createServer, silentLogger } from '../engine-plugin/src/index';
import { webSocketServer } from '../engine-plugin/src/node';
import { announceReady, exitWithParent } from './child-process';
import { Bulk, UNLIMITED, benchProtocol } from './latency-protocol';
import { BULK_DATA, RAW_PAYLOAD } from './throughput-payload';

const MAX_LIFETIME_MS = 10 * 60_000;
const RAW_HIGH_WATER = 1 << 20;

async function startRaw(): Promise<number> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
  await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
  wss.on('connection', (ws) => {
    let open = true;
    ws.on('close', () => {
      open = false;
    });
    const pump = (): void => {
      if (!open) return;
      // Bounded per turn so the socket gets to write and the close event can arrive.
      for (let i = 0; i < 4096 && ws.bufferedAmount < RAW_HIGH_WATER; i++) ws.send(RAW_PAYLOAD);
      setImmediate(pump);
    };
    pump();
  });
  exitWithParent(() => new Promise<void>((resolve) => wss.close(() => resolve())), MAX_LIFETIME_MS);
  const address = wss.address();
  return typeof address === 'object' && address !== null ? address.port : 0;
}

async function startTickwire(batch: number): Promise<number> {
  const transport = webSocketServer({ host: '127.0.0.1', port: 0 });
  const net = createServer(createWorld(), benchProtocol, {
    transport,
    tickRate: 60,
    settings: { ...UNLIMITED, channelCapacity: Math.max(1000, batch * 4), maxMessagesPerFrame: Math.max(4096, batch), replayCapacity: Math.max(1024, batch * 2) },
    logger: silentLogger,
  });
  await net.start();
  const data = { b: BULK_DATA };
  let stopped = false;
  const tick = (): void => {
    if (stopped) return;
    net.receive();
    for (const connection of net.endpoint.active()) {
      if (connection.channel.depth > 0) continue;
      for (let i = 0; i < batch; i++) net.send(connection, Bulk, data);
    }
    net.replicate();
    net.flush();
    setImmediate(tick);
  };
  tick();
  exitWithParent(async () => {
    stopped = true;
    await net.stop();
  }, MAX_LIFETIME_MS);
  return transport.port;
}

const mode = process.argv[2] ?? 'raw';
const batch = /^batch:(\d+)$/.exec(mode);
if (mode !== 'raw' && !batch) throw new Error(`unknown mode ${mode}`);
const port = batch ? await startTickwire(Number(batch[1])) : await startRaw();
announceReady({ port });
