import { WebSocket } from 'ws';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type ClientEvent, CloseCode, type NetworkClient, createClient, silentLogger, webSocketClient } from '../../engine-plugin/src/index';
import { createWorld } from 'bitecs';
import { protocol } from '../support/messaging-protocol';
import { type RedisServer, startRedis } from '../support/redis-server';
import { type RoutingNode, killRoutingNodes, startRoutingNode, until } from '../support/routing-nodes';

let redis: RedisServer;
let home: RoutingNode;
let elsewhere: RoutingNode;
let client: NetworkClient | undefined;
let pump: ReturnType<typeof setInterval> | undefined;

beforeAll(async () => {
  redis = await startRedis();
  [home, elsewhere] = await Promise.all(['redirect-home', 'redirect-elsewhere'].map((name) => startRoutingNode(redis.url, name)));
  // Starting a node process (tsx, the engine, a Redis join) takes seconds on a loaded machine; it is not what is tested.
}, 90_000);
afterAll(async () => {
  if (pump) clearInterval(pump);
  client?.disconnect();
  await killRoutingNodes();
  await redis?.stop();
});

it('a resume that reaches another node is closed 4010 with the home address, and the client follows it home: same connection id', async () => {
  // A load balancer in front of the cluster: the first connection lands on the home node, the reconnect on another one.
  let dialed = 0;
  const events: ClientEvent[] = [];
  client = createClient(createWorld(), protocol, {
    transport: webSocketClient(() => (dialed++ === 0 ? home.url : elsewhere.url), { WebSocket }),
    logger: silentLogger,
    reconnect: { initialMs: 50 },
  });
  pump = setInterval(() => {
    client!.receive();
    for (const event of client!.events()) if (event.type !== 'state') events.push(event);
    client!.flush();
  }, 5);
  client.connect();
  await until(() => client!.state === 'connected', 10_000, 'connected to the home node');
  const id = client.connection.connectionId;

  await home.drop();
  await until(() => events.filter((e) => e.type === 'connected').length === 2, 10_000, 'back after the drop');
  // The balancer sent the reconnect elsewhere; that node named home, and the client went there.
  const closes = events.filter((e) => e.type === 'disconnected');
  expect(closes.map((e) => e.code)).toEqual([1006, CloseCode.Redirect]);
  expect(closes[1]!.reason).toBe(home.url);
  expect(closes[1]!.willRetry).toBe(true);
  const back = events.filter((e) => e.type === 'connected')[1]!;
  expect(back).toMatchObject({ resumed: true, connectionId: id });
  expect(dialed).toBe(2);
}, 40_000);
