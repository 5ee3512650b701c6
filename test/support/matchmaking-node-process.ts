/**
 * One matchmaking cluster node as its own process (so a test can `kill -9` it): a tickwire server
 * with the Redis room directory, its matchmaking HTTP endpoint and its WebSocket endpoint on one
 * free port of 127.0.0.1, ticking at 20 Hz. Room type `battle` (maxClients from TW_MAX_CLIENTS,
 * default 50).
 *
 * Environment: TW_REDIS (url), TW_NODE (name), TW_PREFIX (key prefix, optional), TW_MAX_CLIENTS.
 * IPC out: `{ type: 'ready', node, url, http }`, then `{ type: 'rooms', rooms: [{ id, connections }] }`
 * answering `{ type: 'rooms' }`, and `{ type: 'seats', ms: [...], spans: [[start, end], ...] }`
 * answering `{ type: 'seats' }`: how long each `joinOrCreate` asked of this node took to get its
 * seat (from the call reaching the matchmaker to the seat in hand, whatever it waited for: the
 * directory, another creator, a room made on another node), with its start and end as wall-clock
 * ms (performance.timeOrigin + now, comparable across processes); and `{ type: 'loop', maxMs,
 * p99Ms }` answering `{ type: 'loop' }`: the longest event-loop delays since the last ask (what
 * blocked the node's turn: HTTP intake, GC, the ticks).
 */
import { writeFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createWorld } from 'bitecs';
import { createServer, silentLogger } from '../../engine-plugin/src/index';
import { matchmakingEndpoint, webSocketServer } from '../../engine-plugin/src/node';
import { joinCluster, redisRoomDirectory } from '../../engine-plugin/src/cluster';
import { protocol } from './messaging-protocol';

const redis = process.env.TW_REDIS;
if (!redis || !process.send) throw new Error('run by the cluster test harness (TW_REDIS and an IPC channel)');
const send = process.send.bind(process);

// Listening on port 0 before anything else: no window in which another process takes the port.
const http = createHttpServer();
// A burst opens a connection per request: the default backlog (511) would drop SYNs past it, and
// each dropped one costs its client a 1 s retransmit.
await new Promise<void>((resolve) => http.listen({ port: 0, host: '127.0.0.1', backlog: 4096 }, resolve));
const port = (http.address() as AddressInfo).port;
const url = `ws://127.0.0.1:${port}/ws`;
const transport = webSocketServer({ server: http, path: '/ws' });
const cluster = await joinCluster({ redis, address: url, node: process.env.TW_NODE, prefix: process.env.TW_PREFIX, logger: silentLogger });
const seatSpans: Array<[number, number]> = [];
const limits = { maxConnectionsPerAddress: 10_000, maxPendingHandshakesPerAddress: 10_000, maxPendingHandshakes: 10_000 };
const directory = redisRoomDirectory(cluster);
// TW_TRACE=<file>: every directory call's [method, start, end] (wall-clock ms) written there on 'leave' or 'trace'.
const trace: Array<[string, number, number]> = [];
if (process.env.TW_TRACE) {
  const methods = directory as unknown as Record<string, (...args: unknown[]) => unknown>;
  for (const name of ['reserve', 'lockCreation', 'creationSettled', 'unlockCreation', 'placeRooms', 'register', 'abortCreation', 'get']) {
    const original = methods[name]!.bind(directory);
    methods[name] = (...args: unknown[]) => {
      const started = performance.timeOrigin + performance.now();
      const result = original(...args) as Promise<unknown>;
      void result.then(
        () => trace.push([name, started, performance.timeOrigin + performance.now()]),
        () => trace.push([`${name}!`, started, performance.timeOrigin + performance.now()]),
      );
      return result;
    };
  }
}
if (process.env.TW_TRACE) {
  // A room made on another node: the bus round trip (request out, its register there, the reply back).
  const request = cluster.bus.request.bind(cluster.bus);
  cluster.bus.request = (...args) => {
    const started = performance.timeOrigin + performance.now();
    const result = request(...args);
    void result.then(
      () => trace.push(['bus.request', started, performance.timeOrigin + performance.now()]),
      () => trace.push(['bus.request!', started, performance.timeOrigin + performance.now()]),
    );
    return result;
  };
}
const server = createServer(createWorld(), protocol, {
  logger: silentLogger,
  transport,
  limits,
  messaging: { bus: cluster.bus },
  matchmaking: { directory, address: url },
});
const joinOrCreate = server.matchmaker.joinOrCreate.bind(server.matchmaker);
server.matchmaker.joinOrCreate = async (...args) => {
  const started = performance.now();
  const seat = await joinOrCreate(...args);
  seatSpans.push([performance.timeOrigin + started, performance.timeOrigin + performance.now()]);
  return seat;
};
server.matchmaker.defineRoomType('battle', { maxClients: Number(process.env.TW_MAX_CLIENTS ?? 50) });
// Every test request comes from 127.0.0.1: the per-address rate is raised as a load test's would be.
const endpoint = matchmakingEndpoint(server.matchmaker, { requestsPerSecond: 1e6, burst: 1e6 });
http.on('request', (request, response) => {
  if (!endpoint.handle(request, response)) response.writeHead(404).end();
});
await server.start();

// 1 ms resolution: a turn blocked by a burst of HTTP intake shows as one long delay.
const loop = monitorEventLoopDelay({ resolution: 1 });
loop.enable();

const tick = setInterval(() => {
  server.receive();
  server.replicate();
  server.flush();
}, 50);

process.on('message', (message: { type: string }) => {
  if (message.type === 'rooms') send({ type: 'rooms', rooms: [...server.matchmaker.rooms()].map((room) => ({ id: room.id, connections: room.connections.size })) });
  if (message.type === 'seats') {
    const spans = seatSpans.splice(0);
    send({ type: 'seats', ms: spans.map(([a, b]) => b - a), spans });
  }
  if (message.type === 'loop') {
    send({ type: 'loop', maxMs: loop.max / 1e6, p99Ms: loop.percentile(99) / 1e6 });
    loop.reset();
  }
  if (message.type === 'trace' && process.env.TW_TRACE) {
    writeFileSync(process.env.TW_TRACE, JSON.stringify(trace.splice(0)));
    send({ type: 'trace' });
  }
  if (message.type === 'leave') {
    clearInterval(tick);
    void server.stop().then(() => process.exit(0));
  }
});
process.on('disconnect', () => process.exit(0));

send({ type: 'ready', node: cluster.node, url, http: `http://127.0.0.1:${port}` });
