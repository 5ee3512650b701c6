// cluster.ts — one node of a cluster (run one per core, on as many hosts as you like) sharing one Redis, and its browser client
import { createServer as createHttpServer } from 'node:http';
import { createWorld } from 'bitecs';
import { createClient, createServer, matchmakeOverHttp, webSocketClient } from 'tickwire';
import { joinCluster, redisRoomDirectory } from 'tickwire/cluster';
import { matchmakingEndpoint, webSocketServer } from 'tickwire/node';
import { protocol } from './shared';

// Each node on its own port, advertising the address clients reach it at.
const port = Number(process.env.PORT ?? 8080);
const address = `ws://${process.env.PUBLIC_HOST ?? '127.0.0.1'}:${port}/ws`;
const cluster = await joinCluster({ redis: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', address });

const http = createHttpServer();
const net = createServer(createWorld(), protocol, {
  transport: webSocketServer({ server: http, path: '/ws' }),
  messaging: { bus: cluster.bus }, // direct messages, topics, presence and room creation cross nodes
  matchmaking: { directory: redisRoomDirectory(cluster), address, requireSeat: true }, // every node's rooms
});
// The same room types on every node: a room may be placed on any of them.
net.matchmaker.defineRoomType('arena', { maxClients: 8, filterBy: ['mode'] });
const matchmaking = matchmakingEndpoint(net.matchmaker);
http.on('request', (request, response) => {
  if (!matchmaking.handle(request, response)) response.writeHead(404).end();
});
await net.start();
http.listen(port);

// A deploy or a scale-in: the node is unlisted at once (no new seat lands on it), its rooms play on
// for up to 30 s, then their players are closed with 4011 and find a room on another node.
process.once('SIGTERM', () => {
  // leave(): its players go offline on the other nodes now, not when the lease runs out.
  void net.drain({ timeoutMs: 30_000 }).then(() => cluster.leave()).then(() => process.exit(0));
});

// Client (a browser, on a page any node served): the node it asks may seat it in a room on another
// node, which it then dials; after a drop it resumes at its room's node, after 4011 it asks again.
export function play(mode: 'ranked' | 'casual'): void {
  const serverUrl = `ws://${location.host}/ws`;
  const matchmake = matchmakeOverHttp(serverUrl, 'arena', { roomOptions: { mode } });
  createClient(createWorld(), protocol, { transport: webSocketClient(serverUrl), matchmake }).connect();
}
