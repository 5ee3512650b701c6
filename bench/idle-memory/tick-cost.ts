/**
 * What a tick costs a server holding idle connections, without sockets: N handshaken clients that
 * send nothing, over a transport that drops what the server sends (so nothing a socket does is
 * measured), the demo game's protocol, no entities. Measures the JavaScript time and the bytes
 * allocated per connection per tick of `receive` + `replicate` + `flush` — the garbage an idle
 * server makes whatever its clients do. `bench/idle-memory.ts` prints it in its section.
 *
 *   npx tsx bench/idle-memory/tick-cost.ts [--clients 2000] [--ticks 2000]
 *   IDLE_TICK_ALLOCATION_PROFILE=/tmp/idle.heapprofile …   also a sampling allocation profile of the timed ticks
 */
import { protocol } from '@tickwire/demo-shared';
import { createWorld } from 'bitecs';
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { parseArgs } from 'node:util';
import { getHeapSpaceStatistics } from 'node:v8';
import { createServer, silentLogger } from '../../engine-plugin/src/index';
import { PROTOCOL_VERSION, encodeHello } from '../../engine-plugin/src/protocol';
import type { ServerTransport, Socket, TransportHost } from '../../engine-plugin/src/transport/transport';

/** Per connection per idle tick. */
export interface IdleTickCost {
  readonly clients: number;
  readonly ticks: number;
  readonly nanoseconds: number;
  readonly bytes: number;
}

/** Hold `clients` idle connections and time `ticks` ticks; `profileTo` also writes an allocation profile of them. */
export async function measureIdleTick(clients: number, ticks: number, profileTo?: string): Promise<IdleTickCost> {
  let host: TransportHost | undefined;
  const transport: ServerTransport = {
    start: async (h) => {
      host = h;
    },
    stop: async () => {},
  };
  const net = createServer(createWorld(), protocol, {
    transport,
    tickRate: 20,
    logger: silentLogger,
    maxConnections: clients + 1,
    limits: { maxConnectionsPerAddress: 1e9, maxPendingHandshakesPerAddress: 1e9, maxPendingHandshakes: 1e9 },
  });
  await net.start();
  try {
    const hello = encodeHello({ version: PROTOCOL_VERSION, fingerprint: protocol.fingerprint, resumeToken: '', received: 0 });
    for (let i = 0; i < clients; i++) {
      const request = { url: '/ws', headers: {}, remoteAddress: '127.0.0.1', protocols: [] };
      const admission = await host!.admit(request);
      if (!admission.accept) throw new Error(`refused: ${admission.reason}`);
      const socket: Socket = { send: () => {}, close: () => {}, bufferedAmount: 0 };
      host!.accept(socket, request, admission).message(hello);
    }
    if (net.endpoint.connections.size !== clients) throw new Error(`${net.endpoint.connections.size} of ${clients} connected`);
    const tick = (): void => {
      net.receive();
      net.replicate();
      net.flush();
    };
    const newSpace = (): number => getHeapSpaceStatistics().find((space) => space.space_name === 'new_space')?.space_used_size ?? 0;
    for (let i = 0; i < 200; i++) tick();
    // New-space growth over single ticks, the median: a tick that a scavenge cuts short is an outlier.
    const growth: number[] = [];
    for (let i = 0; i < 201; i++) {
      const before = newSpace();
      tick();
      growth.push(newSpace() - before);
    }
    growth.sort((a, b) => a - b);
    const session = profileTo ? new Session() : undefined;
    if (session) {
      session.connect();
      await session.post('HeapProfiler.enable');
      await session.post('HeapProfiler.startSampling', { samplingInterval: 64, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
    }
    const started = performance.now();
    for (let i = 0; i < ticks; i++) tick();
    const elapsed = performance.now() - started;
    if (session) {
      const { profile } = await session.post('HeapProfiler.stopSampling');
      writeFileSync(profileTo!, JSON.stringify(profile));
      session.disconnect();
    }
    return { clients, ticks, nanoseconds: (elapsed * 1e6) / ticks / clients, bytes: growth[growth.length >> 1]! / clients };
  } finally {
    await net.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { clients: { type: 'string' }, ticks: { type: 'string' } } });
  const cost = await measureIdleTick(Number(values.clients ?? 2_000), Number(values.ticks ?? 2_000), process.env.IDLE_TICK_ALLOCATION_PROFILE);
  console.log(`${cost.clients} idle connections, ${cost.ticks} ticks (receive + replicate + flush): ${cost.nanoseconds.toFixed(0)} ns and ${cost.bytes.toFixed(1)} bytes allocated per connection per tick`);
}
