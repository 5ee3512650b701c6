/** Two cluster node processes on one real redis-server, shared by the tests of one describe block. */
import { afterAll, beforeAll } from 'vitest';
import { type NodeProcess, PumpedClients, killAllNodes, startNodeProcess } from './cluster-nodes';
import { type RedisServer, startRedis } from './redis-server';

/** Redis, two node processes `a` and `b` and pumped clients, for the suites of one describe block. */
export interface TwoNodes {
  readonly redis: RedisServer;
  readonly a: NodeProcess;
  readonly b: NodeProcess;
  readonly clients: PumpedClients;
}

/** Start Redis and nodes `a` and `b` before the block's tests, stop everything after them. */
export function twoNodesPerSuite(): TwoNodes {
  const rig: { redis?: RedisServer; a?: NodeProcess; b?: NodeProcess; clients: PumpedClients } = { clients: new PumpedClients() };
  beforeAll(async () => {
    rig.redis = await startRedis();
    [rig.a, rig.b] = await Promise.all([startNodeProcess(rig.redis.url, 'a'), startNodeProcess(rig.redis.url, 'b')]);
  });
  afterAll(async () => {
    rig.clients.close();
    await killAllNodes();
    await rig.redis?.stop();
  });
  return {
    get redis() {
      return rig.redis!;
    },
    get a() {
      return rig.a!;
    },
    get b() {
      return rig.b!;
    },
    clients: rig.clients,
  };
}
