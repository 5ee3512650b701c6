// cluster-matchmaking.ts — the same matchmaking across node processes, sharing one Redis
import { createServer as createHttpServer } from 'node:http';
import { createWorld } from 'bitecs';
import { createServer } from 'tickwire';
import { joinCluster, redisRoomDirectory } from 'tickwire/cluster';
import { matchmakingEndpoint, webSocketServer } from 'tickwire/node';
import { protocol } from './shared';

// One process per core, each on its own port, each advertising the address clients reach it at.
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
