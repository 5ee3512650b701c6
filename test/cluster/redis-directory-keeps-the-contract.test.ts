import { afterAll, beforeAll } from 'vitest';
import { silentLogger } from '../../engine-plugin/src/index';
import { type ClusterNode, joinCluster, redisRoomDirectory } from '../../engine-plugin/src/cluster';
import { describeRoomDirectoryContract } from '../support/room-directory-contract';
import { type RedisServer, startRedis } from '../support/redis-server';

let redis: RedisServer;
const nodes: ClusterNode[] = [];
let made = 0;

beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  for (const node of nodes) await node.leave();
  await redis?.stop();
});

// Each test gets a cluster of its own (its own key prefix) whose node is the contract's `n1`.
describeRoomDirectoryContract('redis', async () => {
  const node = await joinCluster({ redis: redis.url, address: 'ws://127.0.0.1:1/ws', node: 'n1', prefix: `c${made++}:`, logger: silentLogger });
  nodes.push(node);
  return redisRoomDirectory(node);
});
