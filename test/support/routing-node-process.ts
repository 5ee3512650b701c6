/**
 * One cluster node for the resume and drain suites, as its own process (so `kill -9` and SIGTERM
 * are real): Redis bus and room directory, matchmaking over HTTP and WebSocket on one free port of
 * 127.0.0.1, sessions held for resume, ticking at 20 Hz. Every tick it sends each client in a room
 * a `note` numbered per session (`<n>`, from 1), so a client can tell a replayed stream from a
 * broken one. SIGTERM drains (`net.drain`) and exits 0.
 *
 * Environment: TW_REDIS, TW_NODE, TW_MAX_CLIENTS (room type `battle`, default 50), TW_DRAIN_MS
 * (default 2000). IPC out: `{ type: 'ready', node, url, http }`; on SIGTERM `{ type: 'draining',
 * tick }` and `{ type: 'unlisted', tick }` once it is out of the directory. IPC in: `{ type: 'drop' }` destroys
 * every TCP socket (a network drop: no close frame), answered with `{ type: 'dropped', sockets }`.
 */
import { createServer as createHttpServer } from 'node:http';
import type { Socket } from 'node:net';
import { createWorld } from 'bitecs';
import { createServer, silentLogger } from '../../engine-plugin/src/index';
import { matchmakingEndpoint, webSocketServer } from '../../engine-plugin/src/node';
import { joinCluster, redisRoomDirectory } from '../../engine-plugin/src/cluster';
import { Note, protocol } from './messaging-protocol';
import { freePort } from './redis-server';

const redis = process.env.TW_REDIS;
if (!redis || !process.send) throw new Error('run by the cluster test harness (TW_REDIS and an IPC channel)');
const send = process.send.bind(process);

const port = await freePort();
const url = `ws://127.0.0.1:${port}/ws`;
const http = createHttpServer();
const sockets = new Set<Socket>();
http.on('connection', (socket) => {
  sockets.add(socket);
  socket.once('close', () => sockets.delete(socket));
});
const cluster = await joinCluster({ redis, address: url, node: process.env.TW_NODE, logger: silentLogger });
const limits = { maxConnectionsPerAddress: 10_000, maxPendingHandshakesPerAddress: 10_000, maxPendingHandshakes: 10_000 };
const server = createServer(createWorld(), protocol, {
  logger: silentLogger,
  transport: webSocketServer({ server: http, path: '/ws' }),
  limits,
  resumeGraceMs: 10_000,
  messaging: { bus: cluster.bus },
  matchmaking: { directory: redisRoomDirectory(cluster), address: url },
});
server.matchmaker.defineRoomType('battle', { maxClients: Number(process.env.TW_MAX_CLIENTS ?? 50) });
const endpoint = matchmakingEndpoint(server.matchmaker, { requestsPerSecond: 1e6, burst: 1e6 });
http.on('request', (request, response) => {
  if (!endpoint.handle(request, response)) response.writeHead(404).end();
});
await server.start();
await new Promise<void>((resolve) => http.listen(port, '127.0.0.1', resolve));

const numbered = new Map<number, number>();
const tick = setInterval(() => {
  server.receive();
  for (const room of server.matchmaker.rooms()) {
    for (const connection of room.connections) {
      const n = (numbered.get(connection.id) ?? 0) + 1;
      numbered.set(connection.id, n);
      server.send(connection, Note, { text: String(n) });
    }
  }
  server.replicate();
  server.flush();
}, 50);

process.on('message', (message: { type: string }) => {
  if (message.type !== 'drop') return;
  const count = sockets.size;
  for (const socket of sockets) socket.destroy();
  send({ type: 'dropped', sockets: count });
});
process.once('SIGTERM', () => {
  const drainMs = Number(process.env.TW_DRAIN_MS ?? 2000);
  send({ type: 'draining', tick: server.tick });
  void server.drain({ timeoutMs: drainMs, onUnlisted: () => send({ type: 'unlisted', tick: server.tick }) }).then(() => {
    clearInterval(tick);
    process.exit(0);
  });
});
process.on('disconnect', () => process.exit(0));

send({ type: 'ready', node: cluster.node, url, http: `http://127.0.0.1:${port}` });
