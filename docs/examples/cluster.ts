// cluster.ts — one node of a cluster: matchmaking and messaging shared with the other nodes over Redis
import { createServer as createHttpServer } from 'node:http';
import { createWorld } from 'bitecs';
import { createServer, defineMessage, defineProtocol, t } from 'tickwire';
import { joinCluster, redisRoomDirectory } from 'tickwire/cluster';
import { matchmakingEndpoint, webSocketServer } from 'tickwire/node';

export const Chat = defineMessage('chat', { text: t.string({ maxBytes: 200 }) });
export const protocol = defineProtocol({ messages: [Chat] });

const port = Number(process.env.PORT ?? 8080);
// The address matchmaking hands out for this node: a seat in one of its rooms is used here.
const address = process.env.PUBLIC_URL ?? `ws://localhost:${port}/ws`;
const cluster = await joinCluster({ redis: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', address, node: process.env.NODE_NAME });

const http = createHttpServer();
const net = createServer(createWorld(), protocol, {
  transport: webSocketServer({ server: http, path: '/ws' }),
  messaging: { bus: cluster.bus }, // direct messages, topics and presence reach every node
  matchmaking: { directory: redisRoomDirectory(cluster), address }, // rooms of every node, one directory
});
// Every node defines the same room types: joinOrCreate on any node may place the room on another.
net.matchmaker.defineRoomType('arena', { maxClients: 8 });
const matchmaking = matchmakingEndpoint(net.matchmaker);
http.on('request', (request, response) => {
  if (!matchmaking.handle(request, response)) response.writeHead(404).end();
});

await net.start();
http.listen(port);

// On SIGTERM: stop the server (clients are told), then leave (its players go offline on every node at once).
process.once('SIGTERM', async () => {
  await net.stop('shutting down');
  await cluster.leave();
  http.close();
});
