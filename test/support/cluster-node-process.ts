/**
 * One cluster node as its own process (so tests can `kill -9` and `kill -STOP` it for real): a
 * tickwire server on an ephemeral port (listening before it joins, so its address is known and
 * no other process can take the port in between) over real sockets, with the messaging protocol of the tests and
 * `?token=<name>` identities, ticking at 20 Hz on a Redis cluster bus.
 *
 * Environment: TW_REDIS (url), TW_NODE (name), TW_PREFIX (key prefix, optional), TW_METRICS=1 (serve
 * `/metrics` with the `tickwire_cluster_*` metrics on another free port).
 * IPC out: `{ type: 'ready', url, node, epoch, metricsUrl? }`, then `{ type: 'stats', … }` answering `{ type: 'stats' }`,
 * `{ type: 'paused', tick }` answering `{ type: 'pause-ticks' }` (the node stops ticking; its bus reads on).
 */
import { createWorld } from 'bitecs';
import { createServer, silentLogger } from '../../engine-plugin/src/index';
import { createServer as createHttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createMetrics, webSocketServer } from '../../engine-plugin/src/node';
import { joinCluster, registerClusterMetrics } from '../../engine-plugin/src/cluster';
import { protocol } from './messaging-protocol';
import { tokenIdentity } from './messaging-rig';

const redis = process.env.TW_REDIS;
if (!redis || !process.send) throw new Error('run by the cluster test harness (TW_REDIS and an IPC channel)');
const send = process.send.bind(process);

const http = createHttpServer();
await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
const url = `ws://127.0.0.1:${(http.address() as AddressInfo).port}/ws`;
const transport = webSocketServer({ server: http, path: '/ws' });
const cluster = await joinCluster({
  redis,
  address: url,
  node: process.env.TW_NODE,
  prefix: process.env.TW_PREFIX,
  logger: silentLogger,
});
// Every test client comes from 127.0.0.1: the per-address limits are raised as a load test's would be.
const limits = { maxConnectionsPerAddress: 10_000, maxPendingHandshakesPerAddress: 10_000, maxPendingHandshakes: 10_000 };
const server = createServer(createWorld(), protocol, { logger: silentLogger, authenticate: tokenIdentity, transport, limits, messaging: { bus: cluster.bus } });
await server.start();

let metricsUrl: string | undefined;
if (process.env.TW_METRICS === '1') {
  const metrics = createMetrics(server, { processMetrics: false });
  registerClusterMetrics(cluster, metrics.registry);
  const metricsHttp = createHttpServer((request, response) => {
    if (!metrics.handle(request, response)) response.writeHead(404).end();
  });
  await new Promise<void>((resolve) => metricsHttp.listen(0, '127.0.0.1', resolve));
  const address = metricsHttp.address();
  if (typeof address === 'object' && address) metricsUrl = `http://127.0.0.1:${address.port}/metrics`;
}

const step = () => {
  server.receive();
  server.replicate();
  server.flush();
};
let tick: ReturnType<typeof setInterval> | undefined = setInterval(step, 50);

process.on('message', (message: { type: string }) => {
  if (message.type === 'stats') send({ type: 'stats', epoch: cluster.epoch, stats: { ...cluster.stats }, sessions: server.endpoint.connections.size });
  // The node stops ticking (its bus still reads): what reaches its clients then came without a tick.
  if (message.type === 'pause-ticks') {
    clearInterval(tick);
    tick = undefined;
    send({ type: 'paused', tick: server.tick });
  }
  if (message.type === 'leave') {
    clearInterval(tick);
    void server.stop().then(() => process.exit(0));
  }
});
process.on('disconnect', () => process.exit(0));

send({ type: 'ready', url, node: cluster.node, epoch: cluster.epoch, metricsUrl });
